import { verify } from "node:crypto";

/**
 * What CloudFront checks before it serves a request with a signed cookie or URL, as its developer
 * guide describes it ("Create a signature for a signed cookie that uses a custom policy", "Create a
 * signed URL using a custom policy"): the key pair id names a public key of a key group the cache
 * behaviour trusts; the signature is RSA-SHA1 over the policy's exact bytes, both in CloudFront's
 * URL-safe base64 (`+` as `-`, `=` as `_`, `/` as `~`); the policy's Resource matches the URL asked
 * for (`*` any run of characters, `?` exactly one); and `DateLessThan` is still ahead.
 */

/** The key group as the program builds it: its `items`, and the PEM of each public key by id. */
export interface TrustedKeyGroup {
  items: readonly string[];
  publicKeys: Readonly<Record<string, string>>;
}

/** The three values a custom-policy cookie set or signed URL carries. */
export interface SignedCredentials {
  policy: string;
  signature: string;
  keyPairId: string;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export const fromCloudFrontBase64 = (text: string): Buffer => Buffer.from(text.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64");

interface PolicyStatement {
  Resource: string;
  Condition: { DateLessThan: { "AWS:EpochTime": number } };
}

/** A policy Resource as a pattern: `*` and `?` are its only special characters. */
function resourcePattern(resource: string): RegExp {
  const body = [...resource].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`, "s");
}

/** Would CloudFront serve `url` at `nowSeconds` to a viewer holding `credentials`? */
export function cloudFrontVerdict(credentials: SignedCredentials, keyGroup: TrustedKeyGroup, url: string, nowSeconds: number): Verdict {
  if (!keyGroup.items.includes(credentials.keyPairId)) {
    return { ok: false, reason: `key pair id ${credentials.keyPairId} is not in the key group` };
  }
  const publicKey = keyGroup.publicKeys[credentials.keyPairId];
  if (publicKey === undefined) {
    return { ok: false, reason: `no public key ${credentials.keyPairId}` };
  }
  const policy = fromCloudFrontBase64(credentials.policy);
  if (!verify("RSA-SHA1", policy, publicKey, fromCloudFrontBase64(credentials.signature))) {
    return { ok: false, reason: "the signature does not verify with the named public key" };
  }
  const statements = (JSON.parse(policy.toString("utf8")) as { Statement: PolicyStatement[] }).Statement;
  if (statements.length !== 1) {
    return { ok: false, reason: "a policy holds exactly one statement" };
  }
  const [{ Resource, Condition }] = statements;
  if (!resourcePattern(Resource).test(url)) {
    return { ok: false, reason: `the policy's Resource ${Resource} does not match ${url}` };
  }
  if (!(nowSeconds < Condition.DateLessThan["AWS:EpochTime"])) {
    return { ok: false, reason: "the policy has expired" };
  }
  return { ok: true };
}

/** The credentials of a signed URL's query string, and the URL without them (what the Resource must match). */
export function signedUrlParts(signedUrl: string): { url: string; credentials: SignedCredentials } {
  const [url, query = ""] = signedUrl.split("?", 2);
  const params = new URLSearchParams(query);
  return {
    url,
    credentials: { policy: params.get("Policy") ?? "", signature: params.get("Signature") ?? "", keyPairId: params.get("Key-Pair-Id") ?? "" },
  };
}

/** The credentials of signed cookies. */
export function cookieCredentials(cookies: Readonly<Record<string, string>>): SignedCredentials {
  return { policy: cookies["CloudFront-Policy"] ?? "", signature: cookies["CloudFront-Signature"] ?? "", keyPairId: cookies["CloudFront-Key-Pair-Id"] ?? "" };
}
