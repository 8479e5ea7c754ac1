import { createHash } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type TokenVerifier } from "../../functions/shared/identity";
import { type PrincipalRegistry, temporaryKeys } from "./principals";

/**
 * A stand-in for the Cognito identity pool's enhanced (basic-flow-off) authentication, as the AWS
 * SDK's cognito-identity client calls it: JSON over HTTP POST with `X-Amz-Target:
 * AWSCognitoIdentityService.GetId` and `…GetCredentialsForIdentity`. It verifies the user-pool ID
 * token of `Logins`, derives a stable identity id per user, and issues temporary credentials of the
 * app role, with the principal tags the program maps (infra/identity/identity.ts:
 * `tenant` ← the tenant claim, and in userSub mode `home` ← `sub`) and
 * `cognito-identity.amazonaws.com:sub` = the identity id.
 */
export interface IdentityPoolOptions {
  /** `<region>:<uuid>` */
  identityPoolId: string;
  region: string;
  accountId: string;
  /** The `Logins` key of the user pool: `cognito-idp.<region>.amazonaws.com/<user pool id>`. */
  providerName: string;
  verifier: TokenVerifier;
  /** e.g. `custom:tenant` */
  tenantClaim: string;
  homeKey: "userSub" | "identityId";
  /** The authenticated role's name (its sessions are `assumed-role/<name>/CognitoIdentityCredentials`). */
  roleName: string;
  /** The authenticated role's identity policy (`appUserPolicy(layout)`). */
  rolePolicy: unknown;
  registry: PrincipalRegistry;
  /** @default 3600 (the role's maxSessionDuration) */
  credentialSeconds?: number;
}

export interface IdentityPoolStandIn {
  /** Answers one request (POST /, JSON 1.1); anything else is a 400. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The identity id of a user-pool `sub` (what GetId answers). */
  identityIdOf(sub: string): string;
}

class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const TARGET_PREFIX = "AWSCognitoIdentityService.";

export function identityPoolStandIn(options: IdentityPoolOptions): IdentityPoolStandIn {
  const lifetime = options.credentialSeconds ?? 3600;

  function identityIdOf(sub: string): string {
    const h = createHash("sha256").update(`${options.identityPoolId}\n${sub}`).digest("hex");
    // A version-4-shaped UUID, stable per pool and user.
    const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    return `${options.region}:${uuid}`;
  }

  async function claimsOf(logins: unknown): Promise<Record<string, unknown>> {
    if (logins === null || typeof logins !== "object") {
      throw new CognitoError("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.");
    }
    const entries = Object.entries(logins as Record<string, unknown>);
    if (entries.length !== 1 || entries[0][0] !== options.providerName || typeof entries[0][1] !== "string") {
      throw new CognitoError("NotAuthorizedException", `Invalid login token. Logins must hold exactly one token, for ${options.providerName}.`);
    }
    try {
      return await options.verifier.verify(entries[0][1]);
    } catch (err) {
      throw new CognitoError("NotAuthorizedException", `Invalid login token. ${(err as Error).message ?? ""}`.trim());
    }
  }

  async function getId(body: Record<string, unknown>): Promise<object> {
    if (body.IdentityPoolId !== options.identityPoolId) {
      throw new CognitoError("ResourceNotFoundException", `IdentityPool '${String(body.IdentityPoolId)}' not found.`);
    }
    const claims = await claimsOf(body.Logins);
    return { IdentityId: identityIdOf(String(claims.sub)) };
  }

  async function getCredentials(body: Record<string, unknown>): Promise<object> {
    const claims = await claimsOf(body.Logins);
    const identityId = identityIdOf(String(claims.sub));
    if (body.IdentityId !== identityId) {
      throw new CognitoError("NotAuthorizedException", "Invalid login token. The token does not belong to this identity.");
    }
    const tenant = claims[options.tenantClaim];
    if (typeof tenant !== "string" || tenant === "") {
      // With no value for a mapped tag STS would issue an untagged session, which every policy
      // denies; refusing here says why at once.
      throw new CognitoError("NotAuthorizedException", `The token has no ${options.tenantClaim} claim; the identity pool maps it to the tenant principal tag.`);
    }
    const keys = temporaryKeys();
    const expiration = Date.now() + lifetime * 1000;
    options.registry.register({
      ...keys,
      principalArn: `arn:aws:sts::${options.accountId}:assumed-role/${options.roleName}/CognitoIdentityCredentials`,
      identityPolicies: [options.rolePolicy],
      context: {
        "aws:PrincipalTag/tenant": tenant,
        ...(options.homeKey === "userSub" ? { "aws:PrincipalTag/home": String(claims.sub) } : {}),
        "cognito-identity.amazonaws.com:sub": identityId,
        "cognito-identity.amazonaws.com:aud": options.identityPoolId,
        "cognito-identity.amazonaws.com:amr": ["authenticated", options.providerName],
      },
      expiresAt: expiration,
    });
    return {
      IdentityId: identityId,
      Credentials: { AccessKeyId: keys.accessKeyId, SecretKey: keys.secretAccessKey, SessionToken: keys.sessionToken, Expiration: Math.floor(expiration / 1000) },
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const reply = (status: number, payload: object, errorType?: string) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", ...(errorType ? { "x-amzn-errortype": errorType } : {}) });
        res.end(JSON.stringify(payload));
      };
      const target = String(req.headers["x-amz-target"] ?? "");
      (async () => {
        if (req.method !== "POST" || !target.startsWith(TARGET_PREFIX)) {
          throw new CognitoError("InvalidParameterException", "Expected a POST with X-Amz-Target AWSCognitoIdentityService.<operation>.");
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        } catch {
          throw new CognitoError("SerializationException", "The request body is not JSON.");
        }
        switch (target.slice(TARGET_PREFIX.length)) {
          case "GetId":
            return getId(body);
          case "GetCredentialsForIdentity":
            return getCredentials(body);
          default:
            throw new CognitoError("UnknownOperationException", `The stand-in serves GetId and GetCredentialsForIdentity only, not ${target}.`);
        }
      })().then(
        (payload) => reply(200, payload),
        (err: unknown) => {
          const e = err instanceof CognitoError ? err : new CognitoError("InternalErrorException", String((err as Error)?.message ?? err), 500);
          reply(e.status, { __type: e.type, message: e.message }, e.type);
        },
      );
    });
  }

  return { handle, identityIdOf };
}
