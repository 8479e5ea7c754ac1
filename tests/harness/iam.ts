import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { MOCK_ACCOUNT_ID } from "../../offline/mocks";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** One request in a decision table. */
export interface IamRequest {
  /** Caller ARN, a service principal (`cloudfront.amazonaws.com`) or a federated one (`cognito-identity.amazonaws.com`). */
  principal: string;
  action: string;
  resource: string;
  /** Account owning the resource. @default the offline account */
  resourceAccount?: string;
  /** Request context: `aws:SecureTransport`, `aws:PrincipalTag/…`, `s3:prefix`, `cognito-identity.amazonaws.com:sub`… */
  context?: Record<string, string | string[]>;
}

/** The policies that decide a request: the caller's identity policies and the resource's own policy. */
export interface PolicySet {
  identityPolicies?: unknown[];
  /** Bucket, access point, key or role trust policy. */
  resourcePolicy?: unknown;
}

export interface SimulationOutcome {
  decision: Decision;
  /** Context keys the simulator judged not applicable to the action, and so dropped. */
  ignoredContextKeys: string[];
}

const COGNITO_VARIABLE = /\$\{(cognito-identity\.amazonaws\.com:[a-z]+)\}/g;

/**
 * The simulator drops `cognito-identity.amazonaws.com:*` context keys for S3 actions as "not
 * applicable", although AWS resolves them as policy variables in the identity policies of roles
 * assumed through an identity pool. So the harness resolves those variables itself, from the
 * request's context, before simulating; every other key is left to the simulator. A variable the
 * request does not supply stays unresolved, and matches nothing, as in AWS.
 */
export function resolveCognitoVariables(policy: unknown, context: Record<string, string | string[]>): unknown {
  const text = JSON.stringify(policy).replace(COGNITO_VARIABLE, (whole, key: string) => {
    const value = context[key];
    return typeof value === "string" ? value : whole;
  });
  return JSON.parse(text);
}

/** Runs one request through the IAM simulator (strict mode) and returns its decision. */
export async function simulate(policies: PolicySet, request: IamRequest): Promise<SimulationOutcome> {
  const context = request.context ?? {};
  const simulation: Simulation = {
    identityPolicies: (policies.identityPolicies ?? []).map((policy, i) => ({
      name: `identity-${i}`,
      policy: resolveCognitoVariables(policy, context),
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policies.resourcePolicy === undefined ? undefined : resolveCognitoVariables(policies.resourcePolicy, context),
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? MOCK_ACCOUNT_ID },
      contextVariables: context,
    },
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") {
    throw new Error(`IAM simulator refused the request: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  if (result.resultType !== "single") {
    throw new Error(`IAM simulator expanded ${request.resource} as a wildcard; give a concrete resource ARN`);
  }
  return { decision: result.overallResult as Decision, ignoredContextKeys: result.result.ignoredContextKeys ?? [] };
}

/** Decides a whole table of requests against the same policies, in order. */
export async function decideAll(policies: PolicySet, requests: IamRequest[]): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const request of requests) {
    decisions.push((await simulate(policies, request)).decision);
  }
  return decisions;
}
