import { type LocalIssuer } from "./issuer";

/** An answer of the sandbox itself, outside docs/API.md's `/v1`. */
export interface DevAnswer {
  status: number;
  contentType: string;
  body: string;
}

export const DEV_TOKEN_PATH = "/dev/token";
export const JWKS_PATH = "/.well-known/jwks.json";
export const CDN_PUBLIC_KEY_PATH = "/dev/cdn-public-key.pem";

const json = (status: number, body: unknown): DevAnswer => ({ status, contentType: "application/json", body: JSON.stringify(body) });
const invalid = (code: string, message: string) => json(400, { error: { code, message } });

/**
 * `POST /dev/token {sub, tenant, groups?}` → `{token}`: an ID token from the local issuer, shaped
 * like the user pool's (the tenant in its custom attribute, groups in `cognito:groups`). The
 * handlers judge the claims as they would Cognito's; this checks only that they are there.
 */
export function issueToken(issuer: LocalIssuer, body: Buffer): DevAnswer {
  let request: unknown;
  try {
    request = JSON.parse(body.toString("utf8"));
  } catch {
    return invalid("InvalidJson", 'Send a JSON body such as {"sub":"alice","tenant":"acme"}.');
  }
  if (request === null || typeof request !== "object" || Array.isArray(request)) {
    return invalid("InvalidJson", 'Send a JSON object such as {"sub":"alice","tenant":"acme"}.');
  }
  const { sub, tenant, groups, ...rest } = request as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    return invalid("UnknownField", `"${unknown}" is not a field of ${DEV_TOKEN_PATH}; send sub, tenant and optionally groups.`);
  }
  if (typeof sub !== "string" || sub === "" || sub.length > 128) {
    return invalid("InvalidSub", '"sub" must be the user\'s id, 1-128 characters, e.g. "alice".');
  }
  if (typeof tenant !== "string" || tenant === "" || tenant.length > 128) {
    return invalid("InvalidTenant", '"tenant" must be the tenant\'s id, 1-128 characters, e.g. "acme".');
  }
  if (groups !== undefined && (!Array.isArray(groups) || !groups.every((g) => typeof g === "string" && g !== ""))) {
    return invalid("InvalidGroups", '"groups", when sent, must be a list of group names, e.g. ["admins"].');
  }
  const claims = { sub, tenant, "cognito:username": sub, ...(groups === undefined ? {} : { "cognito:groups": groups }) };
  return json(200, { token: issuer.token(claims) });
}

/** The sandbox's own routes, or undefined for anything else. */
export function devRoute(issuer: LocalIssuer, cdnPublicKeyPem: string, method: string, path: string, body: Buffer): DevAnswer | undefined {
  if (path === DEV_TOKEN_PATH && method === "POST") {
    return issueToken(issuer, body);
  }
  if (path === JWKS_PATH && method === "GET") {
    return json(200, issuer.jwks);
  }
  if (path === CDN_PUBLIC_KEY_PATH && method === "GET") {
    return { status: 200, contentType: "application/x-pem-file", body: cdnPublicKeyPem };
  }
  return undefined;
}
