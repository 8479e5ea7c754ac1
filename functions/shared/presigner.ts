import { createHash, createHmac } from "node:crypto";

/**
 * SigV4 query-string presigning for S3, as a pure function of credentials, time and request, so a
 * batch of part URLs costs one hash and one HMAC per URL: the signing key is derived once per day,
 * region and service and reused (SigV4 allows it; the SDK's getSignedUrl pays for its whole
 * middleware stack on every URL). The URLs are the ones getSignedUrl produces for the same inputs,
 * byte for byte (tests/functions/shared/presigner.test.ts holds it to that).
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** STS credentials (Lambda's role, Cognito's) carry one; S3 wants it as X-Amz-Security-Token. */
  sessionToken?: string;
}

export interface UrlToSign {
  method: "GET" | "PUT";
  /** `https:` or `http:` */
  protocol: string;
  /** The Host header: hostname, plus `:port` when it is not the scheme's default. */
  host: string;
  /** The path exactly as sent, already encoded (`objectPath`): S3 signs it without encoding it again. */
  path: string;
  /** The operation's own parameters (`uploadId`, `partNumber`, `x-id`), not encoded. */
  query: Readonly<Record<string, string>>;
  /**
   * Headers the client must send exactly as given, signed as headers so S3 refuses any other value;
   * names in lowercase. `host` is always signed and must not be listed.
   */
  headers: Readonly<Record<string, string>>;
  /** The credential scope: the region and service S3 checks the signature against. */
  region: string;
  service: string;
  expiresIn: number;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
// S3 cannot hash a body the URL's holder has not sent yet.
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
// SigV4 presigned URLs live at most a week; S3 refuses a longer X-Amz-Expires.
const MAX_EXPIRES_SECONDS = 604_800;
// Parameter names the presigner sets; a request's own parameters must not reuse them.
const SIGNER_PARAMETER = /^x-amz-(algorithm|content-sha256|credential|date|expires|security-token|signature|signedheaders)$/i;
const NEEDS_MORE_ESCAPING = /[!'()*]/;
const MORE_ESCAPING = /[!'()*]/g;
const hexEscape = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** RFC 3986 escaping as SigV4 wants it: encodeURIComponent leaves `!'()*` alone, SigV4 does not. */
export function uriEscape(value: string): string {
  const escaped = encodeURIComponent(value);
  return NEEDS_MORE_ESCAPING.test(escaped) ? escaped.replace(MORE_ESCAPING, hexEscape) : escaped;
}

/** An object key as an S3 path: every segment escaped, the `/` between them kept, nothing normalised. */
export function objectPath(key: string): string {
  return key.split("/").map(uriEscape).join("/");
}

/** `20240506T070809Z`: the X-Amz-Date form, to the second. */
export function amzDate(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

// Enough for every region a function signs for in one day; past it, the oldest keys are not worth keeping.
const MAX_SIGNING_KEYS = 32;

/**
 * What a run of URLs signed with the same credentials shares, derived once: the SigV4 signing key
 * per secret, day, region and service (four HMACs, most of the cost of a URL otherwise), and the
 * escaped session token (a kilobyte or more of escaping per URL otherwise).
 */
export class SigningCache {
  private readonly keys = new Map<string, Buffer>();
  private token = { raw: "", escaped: "" };

  signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
    const id = `${date}\n${region}\n${service}\n${secretAccessKey}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      const dateKey = createHmac("sha256", `AWS4${secretAccessKey}`).update(date).digest();
      const regionKey = createHmac("sha256", dateKey).update(region).digest();
      const serviceKey = createHmac("sha256", regionKey).update(service).digest();
      key = createHmac("sha256", serviceKey).update("aws4_request").digest();
      if (this.keys.size >= MAX_SIGNING_KEYS) {
        this.keys.clear();
      }
      this.keys.set(id, key);
    }
    return key;
  }

  escapedToken(sessionToken: string): string {
    if (this.token.raw !== sessionToken) {
      this.token = { raw: sessionToken, escaped: uriEscape(sessionToken) };
    }
    return this.token.escaped;
  }
}

/** S3 compares header values with runs of spaces folded and the ends trimmed; so does the signature. */
const headerValue = (value: string) => value.trim().replace(/\s+/g, " ");

function headerNamesOf(request: UrlToSign): string[] {
  const names = Object.keys(request.headers);
  for (const name of names) {
    if (name !== name.toLowerCase() || name === "host") {
      throw new Error(`presign: header "${name}" must be given in lowercase, and host is signed already; fix the caller's headers`);
    }
  }
  return names.length === 0 ? ["host"] : ["host", ...names].sort();
}

/** The query's parameters, escaped, as `name=value`, in the order SigV4 sorts them (by escaped name). */
function sortedParameters(request: UrlToSign, signer: [string, string][]): string[] {
  const pairs = signer;
  for (const name of Object.keys(request.query)) {
    if (SIGNER_PARAMETER.test(name)) {
      throw new Error(`presign: query parameter "${name}" is the signer's to set; remove it from the request`);
    }
    pairs.push([uriEscape(name), uriEscape(request.query[name])]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`);
}

/**
 * The presigned URL for `request`, signed with `credentials` at `signedAt`; valid from then for
 * `request.expiresIn` seconds (and no longer than the credentials themselves).
 */
export function presignUrl(request: UrlToSign, credentials: SigningCredentials, signedAt: Date, cache: SigningCache): string {
  if (!Number.isInteger(request.expiresIn) || request.expiresIn < 1 || request.expiresIn > MAX_EXPIRES_SECONDS) {
    throw new RangeError(`presign: expiresIn must be a whole number of seconds from 1 to ${MAX_EXPIRES_SECONDS} (a week), got ${request.expiresIn}`);
  }
  const datetime = amzDate(signedAt);
  const date = datetime.slice(0, 8);
  const scope = `${date}/${request.region}/${request.service}/aws4_request`;
  const headerNames = headerNamesOf(request);
  const signedHeaders = headerNames.join(";");

  const signer: [string, string][] = [
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Content-Sha256", UNSIGNED_PAYLOAD],
    ["X-Amz-Credential", uriEscape(`${credentials.accessKeyId}/${scope}`)],
    ["X-Amz-Date", datetime],
    ["X-Amz-Expires", String(request.expiresIn)],
    ["X-Amz-SignedHeaders", uriEscape(signedHeaders)],
  ];
  if (credentials.sessionToken) {
    signer.push(["X-Amz-Security-Token", cache.escapedToken(credentials.sessionToken)]);
  }
  const canonicalQuery = sortedParameters(request, signer).join("&");

  let canonicalHeaders = "";
  for (const name of headerNames) {
    canonicalHeaders += `${name}:${name === "host" ? request.host : headerValue(request.headers[name])}\n`;
  }
  const canonicalRequest = `${request.method}\n${request.path}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
  const stringToSign = `${ALGORITHM}\n${datetime}\n${scope}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
  const signature = createHmac("sha256", cache.signingKey(credentials.secretAccessKey, date, request.region, request.service))
    .update(stringToSign)
    .digest("hex");

  // The URL lists the same parameters in the same order, with the signature in its sorted place:
  // just before X-Amz-SignedHeaders, which never comes first and whose "=" no escaped value holds.
  const at = canonicalQuery.indexOf("&X-Amz-SignedHeaders=") + 1;
  return `${request.protocol}//${request.host}${request.path}?${canonicalQuery.slice(0, at)}X-Amz-Signature=${signature}&${canonicalQuery.slice(at)}`;
}
