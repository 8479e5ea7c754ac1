import { ADMIN_ROUTES } from "@mobile-s3/contract";
import { type DynamoDbClientSource, lazyDynamoDbClient } from "../shared/dynamodb-sdk";
import { type RevocationRecords, revocationRecords } from "../shared/revocation";
import { defineHttpFunction } from "../shared/runtime";
import { cognitoSessions } from "./cognito";
import { type AdminConfig, loadAdminConfig } from "./config";
import { type AdminAnswer, type AdminDeps, handleAdminRequest, type UserSessions } from "./core";

/** What a test or the sandbox may give the admin function in place of DynamoDB and Cognito. */
export interface AdminPorts {
  /** The local DynamoDB's client (sandbox, tests). */
  dynamodb: DynamoDbClientSource;
  records: RevocationRecords;
  sessions: UserSessions;
  /** The clock revocations are dated by (the runtime's revocation cache reads the same port). */
  now: () => number;
}

/** The admin function: tenant administrators revoking their own tenant's users. */
export const adminFunction = defineHttpFunction<AdminConfig, AdminDeps, AdminPorts, AdminAnswer>({
  name: "admin",
  routes: ADMIN_ROUTES,
  loadConfig: loadAdminConfig,
  deps: ({ config, settings }, ports) => ({
    records: ports.records ?? revocationRecords(ports.dynamodb ?? lazyDynamoDbClient(settings.dynamodb), config.table),
    sessions: ports.sessions ?? cognitoSessions(config),
    now: ports.now ?? Date.now,
  }),
  handle: handleAdminRequest,
});

/** The admin function as Lambda runs it, built once per cold start from `env`. */
export const createAdminHandler = adminFunction.createHandler;
