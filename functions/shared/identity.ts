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
    // Throws an ApiError, which tokenError passes through as it is.
    customJwtCheck: ({ payload }) => checkIdTokenClaims(payload as Record<string, unknown>),
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
  if (err instanceof ApiError) {
    return err;
  }
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

/** A NumericDate claim: a number from a verifier, a decimal string from API Gateway's authorizer context. */
const isNumericDate = (value: unknown) =>
  (typeof value === "number" && Number.isFinite(value)) || (typeof value === "string" && /^\d{1,12}$/.test(value));

/**
 * What makes a token a Cognito ID token of this pool, beyond its signature: `token_use: "id"`
 * (Cognito's access tokens say "access" and carry no tenant attribute; API Gateway's JWT authorizer
 * admits them too, as it matches `client_id` as well as `aud` against the audience, "Controlling
 * access to HTTP APIs with JWT authorizers"), and the `exp` and `iat` every Cognito token carries.
 * A token without them was not minted by Cognito: refused, never taken as valid forever.
 */
export function checkIdTokenClaims(claims: Record<string, unknown>): void {
  if (claims.token_use !== "id") {
    throw new ApiError(
      401,
      "WrongTokenUse",
      claims.token_use === "access"
        ? "This is an access token: send the ID token from the user pool."
        : "Your token is not a user-pool ID token (token_use must be \"id\"): send the ID token.",
    );
  }
  if (!isNumericDate(claims.exp) || !isNumericDate(claims.iat)) {
    throw new ApiError(401, "InvalidToken", "Your token carries no expiry (exp) or issue time (iat): sign in again.");
  }
}

/**
 * The caller from claims a verifier or the authorizer accepted; the ID-token checks
 * (`checkIdTokenClaims`) are made again here, so no path admits an access token.
 */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  checkIdTokenClaims(claims);
  const sub = claims.sub;
  if (typeof sub !== "string" || sub === "") {
    throw new ApiError(401, "InvalidToken", "Your token carries no subject.");
  }
  return { sub, claims };
}
