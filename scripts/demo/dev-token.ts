import { ApiClient, expectAnswer } from "./api-client";

/** A demo user: who they are to the sandbox's issuer, and how the demo names them. */
export interface DemoUser {
  name: string;
  sub: string;
  tenant: string;
}

/**
 * Signs `user` in through the sandbox-only `POST /dev/token` (what Cognito's hosted UI does in a
 * deployment) and returns the API as that user, carrying the ID token.
 */
export async function signIn(api: string, user: DemoUser): Promise<ApiClient> {
  const answer = await new ApiClient(api).call("POST", "/dev/token", { body: { sub: user.sub, tenant: user.tenant } });
  const { token } = expectAnswer<{ token: string }>(answer, { status: 200 }, `POST /dev/token for ${user.name}`);
  if (typeof token !== "string" || token.split(".").length !== 3) {
    throw new Error(`POST /dev/token for ${user.name} answered no JWT: ${JSON.stringify(answer.body)}`);
  }
  return new ApiClient(api, token);
}

/**
 * The same token with its tenant claim (whatever the stack calls it) changed and the signature
 * left as it was: what someone who edits their own token would send. The API must refuse it (401).
 */
export function withTenantEdited(token: string, from: string, to: string): string {
  const [head, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const edited = Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, value === from ? to : value]));
  if (JSON.stringify(edited) === JSON.stringify(claims)) {
    throw new Error(`the token carries no claim equal to its tenant ${JSON.stringify(from)}`);
  }
  return [head, Buffer.from(JSON.stringify(edited)).toString("base64url"), signature].join(".");
}
