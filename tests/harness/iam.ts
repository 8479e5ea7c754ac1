import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { MOCK_ACCOUNT_ID } from "../../offline/mocks";
import { carryDroppedKeys, combine, type Decision, resolveCognitoVariables } from "../../sandbox/iam-gateway/evaluate";

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
  /**
   * Context keys AWS supplies in this situation but the simulator drops as "not applicable" (see
   * `carryDroppedKeys`): `s3:DataAccessPoint*` at the bucket behind an access point, and the web
   * identity's `aud`/`amr` for `sts:TagSession`.
   */
  droppedBySimulator?: Record<string, string | string[]>;
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

// Shared with the sandbox's IAM gateway, which decides requests with the same simulator.
export { carryDroppedKeys, combine, type Decision, resolveCognitoVariables } from "../../sandbox/iam-gateway/evaluate";

/** Runs one request through the IAM simulator (strict mode) and returns its decision. */
export async function simulate(policies: PolicySet, request: IamRequest): Promise<SimulationOutcome> {
  if (request.droppedBySimulator) {
    const carried = carryDroppedKeys([policies.resourcePolicy, ...(policies.identityPolicies ?? [])], request.droppedBySimulator);
    const [resourcePolicy, ...identityPolicies] = carried.policies;
    return simulate(
      { resourcePolicy, identityPolicies },
      { ...request, droppedBySimulator: undefined, context: { ...request.context, ...carried.context } },
    );
  }
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

/**
 * A request made through an S3 access point passes two gates: the access point (the caller's
 * identity policies and the access point policy, on the access point's ARN) and the bucket behind
 * it (the bucket policy, on the bucket's ARN, with `s3:DataAccessPoint*` in the context). Both must
 * allow; an explicit deny at either wins.
 */
export async function simulateThroughAccessPoint(
  gates: { identityPolicies: unknown[]; accessPointPolicy: unknown; bucketPolicy: unknown },
  request: IamRequest & { accessPointArn: string; bucketResource: string },
): Promise<Decision> {
  const accessPointKeys = {
    "s3:DataAccessPointArn": request.accessPointArn,
    "s3:DataAccessPointAccount": request.accessPointArn.split(":")[4],
  };
  const atAccessPoint = await simulate(
    { identityPolicies: gates.identityPolicies, resourcePolicy: gates.accessPointPolicy },
    { ...request, context: { ...request.context, ...accessPointKeys } },
  );
  const atBucket = await simulate(
    { resourcePolicy: gates.bucketPolicy },
    { ...request, resource: request.bucketResource, droppedBySimulator: accessPointKeys },
  );
  return combine([atAccessPoint.decision, atBucket.decision]);
}
