import { StorageError } from "../errors";
import { IDENTITY_ID, TENANT_ID, USER_SUB } from "@mobile-s3/contract";

/**
 * The claims of a JWT, read without verifying it. Direct mode only uses them to choose which
 * prefix to address: the identity pool verifies the token, and IAM allows only the prefix the
 * session's principal tags name, so a forged claim buys nothing but AccessDenied. The token never
 * appears in an error.
 */
export function unverifiedClaims(token: unknown): Record<string, unknown> {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3) {
    throw invalidToken("it is not a JWT");
  }
  let claims: unknown;
  try {
    claims = JSON.parse(utf8(base64UrlBytes(parts[1])));
  } catch {
    throw invalidToken("its payload is not base64url JSON");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw invalidToken("its payload is not a JSON object");
  }
  return claims as Record<string, unknown>;
}

/** The user's tenant and user-pool `sub`, checked like the control plane checks them (functions/shared/keys.ts). */
export function tenantAndSub(claims: Record<string, unknown>, tenantClaim: string): { tenant: string; sub: string } {
  if (claims.token_use !== undefined && claims.token_use !== "id") {
    throw new StorageError(`direct mode: getToken must return the user pool's ID token, got a token with token_use "${String(claims.token_use)}"`, {
      code: "InvalidToken",
    });
  }
  const tenant = claims[tenantClaim];
  if (typeof tenant !== "string" || tenant === "") {
    throw new StorageError(`direct mode: the ID token carries no ${tenantClaim} claim; ask an administrator to assign the user to a tenant`, { code: "NoTenant" });
  }
  if (!TENANT_ID.test(tenant)) {
    throw new StorageError(`direct mode: the ID token's ${tenantClaim} claim is not a valid tenant id (1-32 lowercase letters, digits or hyphens)`, {
      code: "InvalidTenant",
    });
  }
  const sub = claims.sub;
  if (typeof sub !== "string" || !USER_SUB.test(sub)) {
    throw new StorageError("direct mode: the ID token's sub claim is not a valid user id", { code: "InvalidSubject" });
  }
  return { tenant, sub };
}

/** The identity id the identity pool gave these credentials (homeKey "identityId"). */
export function identityIdOf(credentials: unknown): string {
  const identityId = (credentials as { identityId?: unknown } | undefined)?.identityId;
  if (typeof identityId !== "string") {
    throw new StorageError(
      'direct mode: homeKey "identityId" needs credentials from the identity pool (fromCognitoIdentityPool), which carry the identity id; these carry none',
      { code: "NoIdentityId" },
    );
  }
  if (!IDENTITY_ID.test(identityId)) {
    throw new StorageError("direct mode: the identity pool's identity id is not of the form <region>:<uuid>", { code: "InvalidIdentityId" });
  }
  return identityId;
}

function invalidToken(why: string): StorageError {
  return new StorageError(`direct mode: getToken must return the user pool's ID token, but ${why}`, { code: "InvalidToken" });
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** base64url without `atob` (missing on older React Native engines). */
function base64UrlBytes(text: string): Uint8Array {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.replace(/=+$/, "")) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) {
      throw new Error("not base64url");
    }
    // Fewer than 14 bits are ever pending; masking keeps the number small however long the text.
    buffer = ((buffer << 6) | value) & 0x3fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** UTF-8 to text; where TextDecoder is missing, bytes as Latin-1 (only non-ASCII claims we do not read suffer). */
function utf8(bytes: Uint8Array): string {
  if (typeof TextDecoder === "function") {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  }
  return String.fromCharCode(...bytes);
}
