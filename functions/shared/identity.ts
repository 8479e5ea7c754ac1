import { JwtVerifier } from "aws-jwt-verify";
import { JwtExpiredError, JwtInvalidAudienceError, JwtInvalidIssuerError } from "aws-jwt-verify/error";
import { type Caller } from "./api";
import { ApiError } from "./errors";

/** Verifies a bearer token and returns its claims, or throws a 401 `ApiError` saying what is wrong. */
export interface TokenVerifier {
  verify(token: string): Promise<Record<string, unknown>>;
}

export interface TokenSettings {
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`, or the sandbox's issuer. */
  issuer: string;
  /** The app client id (`aud` of ID tokens). */
  audience: string;
  /** The issuer's JWKS, preloaded (no network), e.g. in tests and the sandbox. */
  jwks?: { keys: object[] };
  /** Where to fetch the JWKS when it is not preloaded. */
  jwksUri?: string;
}

/**
 * Where a request arrives without API Gateway's JWT authorizer (sandbox, tests), the same claims
 * come from this verifier: issuer, audience (the app client), ID-token use, expiry and signature
 * against the issuer's JWKS.
 */
export function createTokenVerifier(settings: TokenSettings): TokenVerifier {
  const verifier = JwtVerifier.create({
    issuer: settings.issuer,
    audience: settings.audience,
    ...(settings.jwksUri ? { jwksUri: settings.jwksUri } : {}),
    customJwtCheck: ({ payload }) => {
      // Cognito ID tokens say token_use "id"; access tokens carry no tenant claim.
      if (payload.token_use !== undefined && payload.token_use !== "id") {
        throw new Error("not an ID token");
      }
    },
  });
  if (settings.jwks) {
    verifier.cacheJwks(settings.jwks as Parameters<typeof verifier.cacheJwks>[0]);
  }
  return {
    async verify(token) {
      try {
        return (await verifier.verify(token)) as Record<string, unknown>;
      } catch (err) {
        throw tokenError(err);
      }
    },
  };
}

function tokenError(err: unknown): ApiError {
  if (err instanceof JwtExpiredError) {
    return new ApiError(401, "ExpiredToken", "Your token has expired: refresh it and try again.", { cause: err });
  }
  if (err instanceof JwtInvalidAudienceError) {
    return new ApiError(401, "WrongAudience", "Your token was issued to another app client.", { cause: err });
  }
  if (err instanceof JwtInvalidIssuerError) {
    return new ApiError(401, "WrongIssuer", "Your token was issued by another user pool.", { cause: err });
  }
  return new ApiError(401, "InvalidToken", "Your token could not be verified: sign in again.", { cause: err });
}

/** `Authorization: Bearer <token>`, or a 401 naming what is missing. */
export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization?.trim() ?? "");
  if (!match) {
    throw new ApiError(401, "MissingToken", "Send Authorization: Bearer <ID token> from the user pool.");
  }
  return match[1];
}

/** The caller from claims a verifier or the authorizer accepted. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const sub = claims.sub;
  if (typeof sub !== "string" || sub === "") {
    throw new ApiError(401, "InvalidToken", "Your token carries no subject.");
  }
  return { sub, claims };
}
