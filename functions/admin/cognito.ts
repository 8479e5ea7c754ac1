import type * as CognitoSdk from "@aws-sdk/client-cognito-identity-provider";
import { type CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { type AdminConfig } from "./config";
import { type UserSessions } from "./core";

/*
 * The user-pool calls of a revocation through the Cognito SDK, loaded with the first revocation. The
 * program's pool signs users in by e-mail, so a user's username is their `sub` ("User pool
 * attributes": with email as a username attribute, Cognito generates the username), and every
 * Admin* call names them by it.
 */
export function cognitoSessions(config: Pick<AdminConfig, "userPoolId" | "cognitoEndpoint" | "tenantClaim">): UserSessions {
  let sdk: Promise<{ module: typeof CognitoSdk; client: CognitoIdentityProviderClient }> | undefined;
  const connect = () => {
    sdk ??= import("@aws-sdk/client-cognito-identity-provider").then((module) => ({
      module,
      client: new module.CognitoIdentityProviderClient(config.cognitoEndpoint === undefined ? {} : { endpoint: config.cognitoEndpoint }),
    }));
    return sdk;
  };
  const user = { UserPoolId: config.userPoolId };
  return {
    async tenantOf(sub) {
      const { module, client } = await connect();
      try {
        const out = await client.send(new module.AdminGetUserCommand({ ...user, Username: sub }));
        return out.UserAttributes?.find((a) => a.Name === config.tenantClaim)?.Value;
      } catch (err) {
        if ((err as { name?: string }).name === "UserNotFoundException") {
          return undefined;
        }
        throw err;
      }
    },
    async signOut(sub) {
      const { module, client } = await connect();
      await client.send(new module.AdminUserGlobalSignOutCommand({ ...user, Username: sub }));
    },
    async disable(sub) {
      const { module, client } = await connect();
      await client.send(new module.AdminDisableUserCommand({ ...user, Username: sub }));
    },
  };
}
