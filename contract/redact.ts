/**
 * Masks secrets in text bound for a log line, an error message or telemetry: JSON Web Tokens (ID
 * and access tokens, whole or as a bearer header), SigV4 presigned-URL signatures, credentials and
 * session tokens, CloudFront signed-URL and cookie parts, and Cookie / Set-Cookie values. The
 * control-plane functions log through the same patterns (No secrets in logs, docs/ARCHITECTURE.md), so the rules live
 * once, here, in the package that runs on the device.
 */
const SECRETS: readonly [RegExp, string][] = [
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, "[redacted-jwt]"],
  [/(Bearer\s+)[^\s"',]+/gi, "$1[redacted]"],
  // In a query string, and as a header line or JSON field (a session token travels as a header).
  [/((?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)(?:=|["']?\s*:\s*["']?))[^&\s"']+/gi, "$1[redacted]"],
  // In a URL or cookie header, and as the JSON fields of a CDN session answer (`"CloudFront-Policy":"…"`).
  [/((?:CloudFront-)?(?:Signature|Policy|Key-Pair-Id)(?:=|["']\s*:\s*["']))[^&;\s"']+/g, "$1[redacted]"],
  // A header line or a JSON field carrying cookies: everything up to the end of the value.
  [/((?:^|[\s"'{,])(?:set-)?cookie["']?\s*[:=]\s*["']?)[^"'\n\r]+/gi, "$1[redacted]"],
];

/** `text` with every token, signature, credential and cookie value replaced by a marker. */
export function redact(text: string): string {
  return SECRETS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/**
 * A copy of `value` safe to log: every string in it, however deep, redacted. Objects that are not
 * plain data (Requests, Headers, Errors…) are reduced to what can be shown safely.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    return redact(value);
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  if (depth > 6) {
    return "[nested]";
  }
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message) };
  }
  if (Array.isArray(value)) {
    return value.map((item) => redactValue(item, depth + 1));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    return `[${(value as object).constructor?.name ?? "object"}]`;
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) ? "[redacted]" : redactValue(v, depth + 1)]),
  );
}

/** Field names whose values are secrets whatever they look like. */
const SECRET_FIELD =
  /^(authorization|cookie|cookies|set-cookie|token|idToken|accessToken|refreshToken|url|secretAccessKey|sessionToken|x-amz-security-token|cloudfront-policy|cloudfront-signature|cloudfront-key-pair-id)$/i;
