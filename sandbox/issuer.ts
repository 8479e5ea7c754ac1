import { DEFAULT_TENANT_CLAIM } from "@mobile-s3/contract";
import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { createTokenVerifier, type TokenVerifier } from "../functions/shared/identity";

/** What a token is issued for: a user-pool `sub` in a tenant, and anything else the caller adds. */
export type TokenClaims = { sub: string; tenant?: string } & Record<string, unknown>;

/** The app client id the sandbox's tokens are addressed to (Cognito's would be the pool client's id). */
export const SANDBOX_AUDIENCE = "sandbox-app-client";

/** One hour, as Cognito's default ID-token lifetime. */
export const TOKEN_LIFETIME_SECONDS = 3600;

/**
 * A local token issuer standing in for the Cognito user pool: an RSA key, its JWKS, and ID tokens
 * shaped like Cognito's (`token_use: "id"`, the tenant in a custom attribute), signed RS256. The
 * handlers verify its tokens exactly as they verify Cognito's (`functions/shared/identity.ts`).
 * The sandbox issues with it under its own URL; the functions' tests forge, expire and misaddress
 * tokens with it on purpose.
 */
export class LocalIssuer {
  private readonly key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  private readonly kid = randomUUID();

  constructor(
    /** The `iss` of every token, and where its JWKS is served (`<issuer>/.well-known/jwks.json`). */
    readonly issuer: string,
    /** The app client id: every token's `aud`. */
    readonly audience: string,
    /** The custom attribute carrying the tenant, as the stack's `tenantClaim`. */
    readonly tenantClaim: string = DEFAULT_TENANT_CLAIM,
  ) {}

  get jwks(): { keys: object[] } {
    const jwk = this.key.publicKey.export({ format: "jwk" });
    return { keys: [{ ...jwk, kid: this.kid, alg: "RS256", use: "sig" }] };
  }

  verifier(): TokenVerifier {
    return createTokenVerifier({ issuer: this.issuer, audience: this.audience, jwks: this.jwks });
  }

  /** An ID token for `sub` in `tenant`, valid for an hour unless `overrides` say otherwise. */
  token(claims: TokenClaims, overrides: Record<string, unknown> = {}): string {
    return this.sign(this.claims(claims, overrides));
  }

  /** The payload `token` signs; tests alter it and sign it themselves for tokens that must be refused. */
  claims(claims: TokenClaims, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const { tenant, ...rest } = claims;
    return {
      iss: this.issuer,
      aud: this.audience,
      token_use: "id",
      auth_time: now,
      iat: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      ...(tenant === undefined ? {} : { [this.tenantClaim]: tenant }),
      ...rest,
      ...overrides,
    };
  }

  /** Signs any payload with this issuer's key (tests use it for tokens that must be refused). */
  sign(payload: object, header: object = {}): string {
    const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const head = encode({ alg: "RS256", typ: "JWT", kid: this.kid, ...header });
    const body = encode(payload);
    const signature = createSign("RSA-SHA256").update(`${head}.${body}`).sign(this.key.privateKey).toString("base64url");
    return `${head}.${body}.${signature}`;
  }
}
