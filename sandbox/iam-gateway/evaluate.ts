import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

/**
 * IAM decisions for the gateway, by @cloud-copilot/iam-simulate in strict mode: the caller's
 * identity policies and the resource's policy (bucket or access point), same-account semantics
 * (the simulator allows when either allows the principal and nothing denies explicitly).
 *
 * The simulator resolves `${aws:PrincipalTag/…}` itself (tests/infra/tenancy/access-matrix.test.ts
 * relies on it in userSub mode), but drops `cognito-identity.amazonaws.com:*` keys for S3 actions,
 * so those variables are substituted here first; and it drops `s3:DataAccessPoint*` when deciding
 * the bucket behind an access point, so those are carried under global stand-in keys. The tests'
 * simulator harness (tests/harness/iam.ts) uses the same two functions.
 */

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface Authorization {
  principal: string;
  action: string;
  resource: string;
  resourceAccount: string;
  context: Record<string, string | string[]>;
  /** Keys AWS sends but the simulator drops as not applicable, carried under stand-ins. */
  droppedBySimulator?: Record<string, string | string[]>;
}

export interface PolicyInputs {
  identityPolicies: unknown[];
  resourcePolicy?: unknown;
}

const COGNITO_VARIABLE = /\$\{(cognito-identity\.amazonaws\.com:[a-z]+)\}/g;

/**
 * AWS resolves `${cognito-identity.amazonaws.com:*}` in the identity policies of roles assumed
 * through an identity pool; the simulator drops those keys for S3 actions. Resolved here from the
 * request's context; a variable the request does not supply stays unresolved and matches nothing.
 */
export function resolveCognitoVariables(policy: unknown, context: Record<string, string | string[]>): unknown {
  const text = JSON.stringify(policy).replace(COGNITO_VARIABLE, (whole, key: string) => {
    const value = context[key];
    return typeof value === "string" ? value : whole;
  });
  return JSON.parse(text);
}

const STAND_INS = { single: ["aws:SourceVpce", "aws:SourceVpc"], multi: ["aws:CalledVia"] };

/**
 * Keys AWS sends that the simulator's table drops (`s3:DataAccessPoint*` at the bucket behind an
 * access point, the web identity's `aud`/`amr` for `sts:TagSession`), carried under global keys the
 * simulator always keeps, renamed alike in the policies' conditions and in the context, so the
 * policies' own operators decide. Policies that already use a stand-in are refused.
 */
export function carryDroppedKeys(policies: unknown[], dropped: Record<string, string | string[]>): { policies: unknown[]; context: Record<string, string | string[]> } {
  let texts = policies.map((p) => (p === undefined ? undefined : JSON.stringify(p)));
  const context: Record<string, string | string[]> = {};
  const free = { single: [...STAND_INS.single], multi: [...STAND_INS.multi] };
  for (const standIn of [...STAND_INS.single, ...STAND_INS.multi]) {
    if (texts.some((t) => t?.toLowerCase().includes(`"${standIn.toLowerCase()}"`))) {
      throw new Error(`a policy already uses ${standIn}, which is needed as a stand-in key`);
    }
  }
  for (const [key, value] of Object.entries(dropped)) {
    const standIn = (Array.isArray(value) ? free.multi : free.single).shift();
    if (!standIn) {
      throw new Error(`no stand-in key left for ${key}`);
    }
    texts = texts.map((t) => t?.split(`"${key}"`).join(`"${standIn}"`));
    context[standIn] = value;
  }
  return { policies: texts.map((t) => (t === undefined ? undefined : JSON.parse(t))), context };
}

const CACHE_LIMIT = 5000;
const cache = new Map<string, Decision>();

/** One IAM decision; cached on the whole input (the simulator takes a few ms a call). */
export async function decide(policies: PolicyInputs, request: Authorization): Promise<Decision> {
  const cacheKey = JSON.stringify([policies, request]);
  const hit = cache.get(cacheKey);
  if (hit !== undefined) {
    return hit;
  }
  let { identityPolicies, resourcePolicy } = policies;
  let context = request.context;
  if (request.droppedBySimulator && Object.keys(request.droppedBySimulator).length > 0) {
    const carried = carryDroppedKeys([resourcePolicy, ...identityPolicies], request.droppedBySimulator);
    [resourcePolicy, ...identityPolicies] = carried.policies;
    context = { ...context, ...carried.context };
  }
  const simulation: Simulation = {
    identityPolicies: identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy: resolveCognitoVariables(policy, context) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy === undefined ? undefined : resolveCognitoVariables(resourcePolicy, context),
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: context,
    },
  };
  const result = await runSimulation(simulation, { simulationMode: "Strict" });
  if (result.resultType === "error") {
    throw new Error(`IAM simulator refused the request: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  if (result.resultType !== "single") {
    throw new Error(`IAM simulator expanded ${request.resource} as a wildcard`);
  }
  const decision = result.overallResult as Decision;
  if (cache.size >= CACHE_LIMIT) {
    cache.delete(cache.keys().next().value!);
  }
  cache.set(cacheKey, decision);
  return decision;
}

/** Combines gates (an access point, then the bucket behind it): an explicit deny wins, all must allow. */
export function combine(decisions: Decision[]): Decision {
  if (decisions.includes("ExplicitlyDenied")) {
    return "ExplicitlyDenied";
  }
  return decisions.every((d) => d === "Allowed") ? "Allowed" : "ImplicitlyDenied";
}
