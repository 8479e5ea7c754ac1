import { FUNCTION_NAMES, type FunctionName, scanVocabulary } from "@mobile-s3/contract";
import { functionPolicy } from "../infra/api/function-policies";
import { type StackConfig } from "../infra/config";
import { type ProgramRun } from "../offline/run-program";
import { type BucketPlan } from "./bucket-plan";
import { type SandboxEngine } from "./engine";
import { startIamGateway, type IamGateway, type IamGatewayOptions } from "./iam-gateway/gateway";
import { identityPoolStandIn } from "./iam-gateway/identity-pool";
import { PrincipalRegistry, type RoleCredentials } from "./iam-gateway/principals";
import { type LocalIssuer } from "./issuer";

/**
 * What the sandbox enforces in front of the engine, as AWS would (sandbox/iam-gateway): every
 * function acts with its role's own policy, built by the builder the program deploys it with
 * (`functionPolicy`); app users act with the identity pool's credentials and the app role's policy
 * exactly as the program registers it; every bucket answers with its planned policy.
 */
export interface SandboxEnforcement {
  gateway: IamGateway;
  /** Credentials of each function's role, valid as long as the sandbox runs. */
  roles: Record<FunctionName, RoleCredentials>;
  /** What an app's direct mode needs to sign in against the stand-in identity pool. */
  identityPool: { identityPoolId: string; userPoolId: string; providerName: string };
}

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const IDENTITY_POOL = "aws:cognito/identityPool:IdentityPool";
/** Function sessions last as long as the sandbox: a week, the longest a presigned URL may live. */
const FUNCTION_SESSION_SECONDS = 7 * 24 * 3600;

/** The planned resource of `type` whose name ends with `suffix`; the plan must have it. */
function planned(run: ProgramRun, type: string, suffix: string) {
  const found = run.resources.find((r) => r.type === type && r.name.endsWith(suffix));
  if (found === undefined) {
    throw new Error(`the program registered no ${type} named …${suffix}; the sandbox enforces the program's own policies`);
  }
  return found;
}

export async function startEnforcement(s: {
  run: ProgramRun;
  config: StackConfig;
  plans: BucketPlan[];
  engine: SandboxEngine;
  issuer: LocalIssuer;
  accountId: string;
  onDecision?: (line: string) => void;
  /** S3's EventBridge events of the buckets in `eventBuckets` (the gateway's `onS3Event`). */
  events?: Pick<IamGatewayOptions, "onS3Event" | "eventBuckets">;
}): Promise<SandboxEnforcement> {
  const registry = new PrincipalRegistry(s.accountId);
  const bucketArns = s.plans.map((p) => `arn:aws:s3:::${p.name}`);
  const scan = scanVocabulary(s.config.scanning.scanner);
  const roles = {} as Record<FunctionName, RoleCredentials>;
  for (const fn of FUNCTION_NAMES) {
    const policy = functionPolicy(fn, {
      bucketArns,
      accessPointArns: [],
      logGroupArn: `arn:aws:logs:${s.engine.region}:${s.accountId}:log-group:/sandbox/${fn}`,
      cdnPrivateKeySecretArn: `arn:aws:secretsmanager:${s.engine.region}:${s.accountId}:secret:sandbox-cdn-key`,
      scan,
    });
    roles[fn] = registry.registerRole(`sandbox-${fn}`, policy, { lifetimeSeconds: FUNCTION_SESSION_SECONDS });
  }

  // The app role's policy and the identity pool as the program registers them.
  const appPolicy = JSON.parse(planned(s.run, ROLE_POLICY, "-app-user").inputs.policy as string) as unknown;
  const pool = planned(s.run, IDENTITY_POOL, "-identity");
  const provider = (pool.inputs.cognitoIdentityProviders as { providerName: string }[] | undefined)?.[0]?.providerName;
  const identityPoolId = pool.id ?? "";
  if (provider === undefined || identityPoolId === "") {
    throw new Error("the planned identity pool names no user pool provider or id");
  }
  const identityPool = { identityPoolId, providerName: provider, userPoolId: provider.slice(provider.lastIndexOf("/") + 1) };
  const standIn = identityPoolStandIn({
    identityPoolId,
    region: s.engine.region,
    accountId: s.accountId,
    providerName: provider,
    verifier: s.issuer.verifier(),
    tenantClaim: s.config.identity.tenantClaim,
    homeKey: s.config.identity.homeKey,
    roleName: `${s.config.app}-${s.config.environment}-identity-app-user`,
    rolePolicy: appPolicy,
    registry,
  });

  const gateway = await startIamGateway({
    engine: { endpoint: s.engine.endpoint, region: s.engine.region, accessKeyId: s.engine.accessKeyId, secretAccessKey: s.engine.secretAccessKey },
    buckets: s.plans.map((p) => ({ name: p.name, policy: p.policy, objectOwnership: p.objectOwnership })),
    principals: registry,
    identityPool: standIn,
    accountId: s.accountId,
    ...(s.onDecision ? { onDecision: s.onDecision } : {}),
    ...s.events,
  });
  return { gateway, roles, identityPool };
}
