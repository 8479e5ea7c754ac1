import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { amzDate, uriEscape } from "../../functions/shared/presigner";

/**
 * AWS Signature Version 4 for S3, as S3 checks it: header auth (`Authorization: AWS4-HMAC-SHA256 …`)
 * and presigned query auth (`X-Amz-Signature`), the credential scope, the request's age or the URL's
 * expiry, the session token, that every `x-amz-*` header is signed, and the payload (a signed hex
 * SHA-256, `UNSIGNED-PAYLOAD`, or an aws-chunked body, signed chunk by chunk or with trailers).
 * It also signs: the gateway re-signs what it forwards to the engine with the same code.
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 */

export const ALGORITHM = "AWS4-HMAC-SHA256";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
/** SigV4 presigned URLs live at most a week. */
const MAX_EXPIRES_SECONDS = 604_800;
/** Header-signed requests must be within 15 minutes of S3's clock. */
const MAX_SKEW_MS = 15 * 60_000;

export type Headers = Record<string, string | string[] | undefined>;

/** An S3 error answer: status, code, message. */
export interface S3Failure {
  status: number;
  code: string;
  message: string;
  extra?: Record<string, string>;
}

export function failure(status: number, code: string, message: string, extra?: Record<string, string>): S3Failure {
  return { status, code, message, ...(extra ? { extra } : {}) };
}

/** What the verifier needs to know of a key: its secret and, for temporary credentials, the session token and expiry. */
export interface KeyMaterial {
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms after which requests signed with this key are refused (ExpiredToken). */
  expiresAt?: number;
}

export interface RequestToVerify {
  method: string;
  /** The path exactly as received, still percent-encoded, without the query. */
  rawPath: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  /** Lowercase names. */
  headers: Headers;
}

export type PayloadMode =
  | { kind: "unsigned" }
  | { kind: "sha256"; hash: string }
  | { kind: "streaming-signed" }
  | { kind: "streaming-unsigned-trailer" };

export interface VerifiedRequest {
  accessKeyId: string;
  authType: "REST-HEADER" | "REST-QUERY-STRING";
  signedHeaders: string[];
  payload: PayloadMode;
  /** The request's signature: the seed of a chunked body's chunk signatures. */
  signature: string;
  /** `<date>/<region>/s3/aws4_request` */
  scope: string;
  amzDate: string;
  signingKey: Buffer;
  /** Milliseconds between the signature's date and now. */
  signatureAgeMs: number;
}

export function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
}

/** `decodeURIComponent` that leaves a malformed escape as it is instead of throwing. */
function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The query as decoded (name, value) pairs, in order; `a` without `=` has the value "". */
export function parseQuery(rawQuery: string): [string, string][] {
  if (rawQuery === "") {
    return [];
  }
  return rawQuery.split("&").filter((p) => p !== "").map((part) => {
    const i = part.indexOf("=");
    return i < 0 ? [decode(part), ""] : [decode(part.slice(0, i)), decode(part.slice(i + 1))];
  });
}

/** S3's canonical URI: each segment of the decoded path escaped once, `/` kept, nothing normalised. */
export function canonicalUri(rawPath: string): string {
  return rawPath.split("/").map((segment) => uriEscape(decode(segment))).join("/") || "/";
}

export function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .map(([k, v]) => [uriEscape(k), uriEscape(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const values = Array.isArray(value) ? value : [value ?? ""];
  return values.map((v) => v.trim().replace(/\s+/g, " ")).join(",");
}

export function canonicalRequest(input: { method: string; uri: string; query: string; headers: Headers; signedHeaders: string[]; payloadHash: string }): string {
  const headerLines = input.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(input.headers[name])}\n`).join("");
  return [input.method, input.uri, input.query, headerLines, input.signedHeaders.join(";"), input.payloadHash].join("\n");
}

export function stringToSign(date: string, scope: string, canonical: string): string {
  return [ALGORITHM, date, scope, sha256Hex(canonical)].join("\n");
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `20240506T070809Z` → epoch ms, or NaN. */
function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

interface AuthParts {
  authType: VerifiedRequest["authType"];
  credential: string;
  signedHeaders: string[];
  signature: string;
  date: string;
  expires?: number;
  sessionToken?: string;
  payloadHash: string;
  queryForSigning: [string, string][];
}

function authParts(req: RequestToVerify, pairs: [string, string][]): AuthParts | S3Failure {
  const authorization = headerValue(req.headers, "authorization");
  const q = new Map(pairs.map(([k, v]) => [k.toLowerCase(), v]));
  if (q.has("x-amz-signature") || q.has("x-amz-algorithm")) {
    if (authorization !== undefined) {
      return failure(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
    }
    if (q.get("x-amz-algorithm") !== ALGORITHM) {
      return failure(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    const credential = q.get("x-amz-credential");
    const signed = q.get("x-amz-signedheaders");
    const signature = q.get("x-amz-signature");
    const date = q.get("x-amz-date");
    const expiresText = q.get("x-amz-expires");
    if (!credential || !signed || !signature || !date || expiresText === undefined) {
      return failure(400, "AuthorizationQueryParametersError", "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
    }
    const expires = Number(expiresText);
    if (!/^\d+$/.test(expiresText) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
      return failure(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }
    return {
      authType: "REST-QUERY-STRING",
      credential,
      signedHeaders: signed.split(";"),
      signature,
      date,
      expires,
      sessionToken: q.get("x-amz-security-token"),
      payloadHash: q.get("x-amz-content-sha256") ?? UNSIGNED_PAYLOAD,
      queryForSigning: pairs.filter(([k]) => k !== "X-Amz-Signature"),
    };
  }
  if (authorization === undefined) {
    return failure(403, "AccessDenied", "Anonymous access is not allowed: the request carries no signature");
  }
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    return failure(400, "InvalidArgument", "Unsupported Authorization Type (only AWS4-HMAC-SHA256 is accepted)");
  }
  const fields = Object.fromEntries(
    authorization
      .slice(ALGORITHM.length + 1)
      .split(",")
      .map((f) => f.trim())
      .map((f) => [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)]),
  );
  const date = headerValue(req.headers, "x-amz-date");
  const payloadHash = headerValue(req.headers, "x-amz-content-sha256");
  if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) {
    return failure(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; it must name Credential, SignedHeaders and Signature.");
  }
  if (!date) {
    return failure(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  }
  if (!payloadHash) {
    return failure(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  return {
    authType: "REST-HEADER",
    credential: fields.Credential,
    signedHeaders: fields.SignedHeaders.split(";"),
    signature: fields.Signature,
    date,
    sessionToken: headerValue(req.headers, "x-amz-security-token"),
    payloadHash,
    queryForSigning: pairs,
  };
}

/**
 * Verifies the request's signature and everything S3 checks before it reads the body. The body
 * itself (a signed SHA-256, chunk signatures) is checked by `checkBody` / `decodeAwsChunked`.
 */
export function verifySignature(
  req: RequestToVerify,
  lookup: (accessKeyId: string) => KeyMaterial | undefined,
  expected: { region: string; now?: number },
): VerifiedRequest | S3Failure {
  const now = expected.now ?? Date.now();
  const pairs = parseQuery(req.rawQuery);
  const parts = authParts(req, pairs);
  if ("status" in parts) {
    return parts;
  }
  const [accessKeyId, scopeDate, region, service, terminator, ...rest] = parts.credential.split("/");
  if (!accessKeyId || !scopeDate || !region || !service || terminator !== "aws4_request" || rest.length > 0) {
    return failure(400, parts.authType === "REST-HEADER" ? "AuthorizationHeaderMalformed" : "AuthorizationQueryParametersError", `The credential ${parts.credential} is malformed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  const key = lookup(accessKeyId);
  if (key === undefined) {
    return failure(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", { AWSAccessKeyId: accessKeyId });
  }
  const signedAt = parseAmzDate(parts.date);
  if (Number.isNaN(signedAt)) {
    return failure(403, "AccessDenied", `Invalid date "${parts.date}": X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z'`);
  }
  if (scopeDate !== parts.date.slice(0, 8)) {
    return failure(403, "SignatureDoesNotMatch", `The credential scope date ${scopeDate} does not match the request date ${parts.date.slice(0, 8)}.`);
  }
  if (region !== expected.region) {
    return failure(400, parts.authType === "REST-HEADER" ? "AuthorizationHeaderMalformed" : "AuthorizationQueryParametersError", `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${expected.region}'`, { Region: expected.region });
  }
  if (service !== "s3") {
    return failure(400, parts.authType === "REST-HEADER" ? "AuthorizationHeaderMalformed" : "AuthorizationQueryParametersError", `Error parsing the X-Amz-Credential parameter; incorrect service "${service}". This endpoint belongs to "s3".`);
  }
  if (parts.authType === "REST-QUERY-STRING") {
    if (signedAt > now + MAX_SKEW_MS) {
      return failure(403, "AccessDenied", "Request is not valid yet");
    }
    if (now > signedAt + parts.expires! * 1000) {
      return failure(403, "AccessDenied", "Request has expired", { "X-Amz-Expires": String(parts.expires), Expires: new Date(signedAt + parts.expires! * 1000).toISOString(), ServerTime: new Date(now).toISOString() });
    }
  } else if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return failure(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", { RequestTime: parts.date, ServerTime: new Date(now).toISOString() });
  }
  if (key.sessionToken !== undefined && parts.sessionToken !== key.sessionToken) {
    return failure(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
  if (key.sessionToken === undefined && parts.sessionToken !== undefined) {
    return failure(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
  if (key.expiresAt !== undefined && now >= key.expiresAt) {
    return failure(400, "ExpiredToken", "The provided token has expired.");
  }
  const signedHeaders = parts.signedHeaders.map((h) => h.toLowerCase());
  if (!signedHeaders.includes("host")) {
    return failure(403, "AccessDenied", "Host must be a signed header");
  }
  for (const name of signedHeaders) {
    if (req.headers[name] === undefined) {
      return failure(403, "SignatureDoesNotMatch", `The request signature we calculated does not match the signature you provided: signed header ${name} is not in the request.`);
    }
  }
  // SigV4 requires every x-amz-* header of the request to be signed: S3 refuses the others with 403
  // AccessDenied "There were headers present in the request which were not signed", naming them in
  // <HeadersNotSigned> (the error as reported in aws/aws-sdk-ruby discussion #2810; "signature
  // version 4 requires all header values that start with x-amz- to be signed", aws/aws-sdk-ruby
  // issue #874). Ceph 16 does not check: a presigned PUT's holder can add x-amz-copy-source,
  // x-amz-tagging or x-amz-acl to it there.
  const unsigned = Object.keys(req.headers).filter((h) => h.startsWith("x-amz-") && !signedHeaders.includes(h));
  if (unsigned.length > 0) {
    return failure(403, "AccessDenied", "There were headers present in the request which were not signed", { HeadersNotSigned: unsigned.join(", ") });
  }
  const canonical = canonicalRequest({
    method: req.method,
    uri: canonicalUri(req.rawPath),
    query: canonicalQuery(parts.queryForSigning),
    headers: req.headers,
    signedHeaders,
    payloadHash: parts.payloadHash,
  });
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const toSign = stringToSign(parts.date, scope, canonical);
  const kSigning = signingKey(key.secretAccessKey, scopeDate, region, service);
  const signature = createHmac("sha256", kSigning).update(toSign).digest("hex");
  if (!safeEqualHex(signature, parts.signature)) {
    return failure(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", {
      AWSAccessKeyId: accessKeyId,
      StringToSign: toSign,
      CanonicalRequest: canonical,
    });
  }
  let payload: PayloadMode;
  if (parts.payloadHash === UNSIGNED_PAYLOAD) {
    payload = { kind: "unsigned" };
  } else if (parts.payloadHash === STREAMING_SIGNED) {
    payload = { kind: "streaming-signed" };
  } else if (parts.payloadHash === STREAMING_UNSIGNED_TRAILER) {
    payload = { kind: "streaming-unsigned-trailer" };
  } else if (/^[0-9a-f]{64}$/.test(parts.payloadHash)) {
    payload = { kind: "sha256", hash: parts.payloadHash };
  } else {
    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER and STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD(-TRAILER) among others.
    return failure(400, "InvalidArgument", `x-amz-content-sha256 ${parts.payloadHash} is not supported by this gateway`);
  }
  return {
    accessKeyId,
    authType: parts.authType,
    signedHeaders,
    payload,
    signature: parts.signature,
    scope,
    amzDate: parts.date,
    signingKey: kSigning,
    signatureAgeMs: now - signedAt,
  };
}

/** The body hashed as signed, or the failure S3 answers (400 XAmzContentSHA256Mismatch). */
export function checkSignedPayload(verified: VerifiedRequest, body: Buffer): S3Failure | undefined {
  if (verified.payload.kind === "sha256") {
    const actual = sha256Hex(body);
    if (actual !== verified.payload.hash) {
      return failure(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: verified.payload.hash,
        S3ComputedContentSHA256: actual,
      });
    }
  }
  return undefined;
}

export interface DecodedChunks {
  body: Buffer;
  /** Trailing headers (`x-amz-checksum-crc32: …`), lowercase names. */
  trailers: Record<string, string>;
}

/**
 * Decodes an aws-chunked body (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
 * `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n` … `0[;chunk-signature=<sig>]\r\n[trailers]\r\n`.
 * With a signed payload each chunk's signature chains from the request's; with the unsigned
 * trailer form there are none, only the trailers, whose checksum `checkChecksums` verifies.
 */
export function decodeAwsChunked(verified: VerifiedRequest, raw: Buffer): DecodedChunks | S3Failure {
  const malformed = (why: string) => failure(400, "IncompleteBody", `The aws-chunked body is malformed: ${why}`);
  const signed = verified.payload.kind === "streaming-signed";
  const chunks: Buffer[] = [];
  let previous = verified.signature;
  let at = 0;
  for (;;) {
    const eol = raw.indexOf("\r\n", at);
    if (eol < 0) {
      return malformed("a chunk header has no CRLF");
    }
    const header = raw.subarray(at, eol).toString("latin1");
    const m = /^([0-9a-fA-F]+)(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(header);
    if (!m) {
      return malformed(`bad chunk header "${header.slice(0, 80)}"`);
    }
    if (signed !== (m[2] !== undefined)) {
      return malformed(signed ? "a chunk has no chunk-signature" : "an unsigned-payload chunk carries a signature");
    }
    const size = parseInt(m[1], 16);
    const start = eol + 2;
    const data = raw.subarray(start, start + size);
    if (data.length !== size) {
      return malformed("a chunk is shorter than its declared size");
    }
    if (signed) {
      const toSign = ["AWS4-HMAC-SHA256-PAYLOAD", verified.amzDate, verified.scope, previous, EMPTY_SHA256, sha256Hex(data)].join("\n");
      const expectedSig = createHmac("sha256", verified.signingKey).update(toSign).digest("hex");
      if (!safeEqualHex(expectedSig, m[2]!)) {
        return failure(403, "SignatureDoesNotMatch", "The chunk signature we calculated does not match the signature you provided.");
      }
      previous = m[2]!;
    }
    if (size === 0) {
      const tail = raw.subarray(start).toString("latin1");
      const trailers: Record<string, string> = {};
      if (signed) {
        if (tail !== "\r\n") {
          return malformed("trailing bytes after the final chunk");
        }
        return { body: Buffer.concat(chunks), trailers };
      }
      if (!tail.endsWith("\r\n")) {
        return malformed("the trailer section does not end with CRLF");
      }
      for (const line of tail.split("\r\n").filter((l) => l !== "")) {
        const i = line.indexOf(":");
        if (i < 0) {
          return malformed(`bad trailer line "${line.slice(0, 80)}"`);
        }
        trailers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      return { body: Buffer.concat(chunks), trailers };
    }
    chunks.push(data);
    if (raw.subarray(start + size, start + size + 2).toString("latin1") !== "\r\n") {
      return malformed("a chunk's data is not followed by CRLF");
    }
    at = start + size + 2;
  }
}

/** Signs an outgoing request (header auth, UNSIGNED-PAYLOAD), returning the headers to add. */
export function signRequest(input: {
  method: string;
  /** Already encoded path, as it will be sent. */
  path: string;
  query: [string, string][];
  host: string;
  headers: Record<string, string>;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  now?: Date;
}): Record<string, string> {
  const date = amzDate(input.now ?? new Date());
  const headers: Record<string, string> = { ...input.headers, host: input.host, "x-amz-date": date, "x-amz-content-sha256": UNSIGNED_PAYLOAD };
  const signedHeaders = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const lower: Headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const scope = `${date.slice(0, 8)}/${input.region}/s3/aws4_request`;
  const canonical = canonicalRequest({ method: input.method, uri: canonicalUri(input.path), query: canonicalQuery(input.query), headers: lower, signedHeaders, payloadHash: UNSIGNED_PAYLOAD });
  const signature = createHmac("sha256", signingKey(input.secretAccessKey, date.slice(0, 8), input.region, "s3")).update(stringToSign(date, scope, canonical)).digest("hex");
  return {
    ...headers,
    authorization: `${ALGORITHM} Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`,
  };
}
