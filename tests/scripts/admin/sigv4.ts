import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type IncomingHttpHeaders } from "node:http";

/**
 * An independent AWS Signature Version 4 check of one request, written from the "Create a signed
 * AWS API request" steps of the IAM User Guide (canonical request, string to sign, signing key),
 * not from the SDK's signer: a request passes only if it was signed with `secretAccessKey` for
 * this Region and service. Returns why it fails, or undefined.
 */
export interface SignedRequest {
  method: string;
  /** Path and query as received, e.g. `/`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SigningExpectation {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  now: Date;
}

/** How far a request's `x-amz-date` may be from the server's clock (AWS allows 15 minutes). */
const SKEW_MS = 15 * 60 * 1000;
/** Headers every signed request to a JSON 1.1 service must cover: the operation must not be swappable. */
const MUST_SIGN = ["host", "x-amz-date", "x-amz-target", "content-type"];

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

export function sigV4Problem(req: SignedRequest, expected: SigningExpectation): string | undefined {
  const authorization = header(req.headers, "authorization");
  if (authorization === undefined) {
    return "no Authorization header";
  }
  const match = AUTHORIZATION.exec(authorization);
  if (match === null) {
    return `Authorization is not AWS4-HMAC-SHA256: ${authorization.slice(0, 40)}`;
  }
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match;
  if (accessKeyId !== expected.accessKeyId) return `signed with access key ${accessKeyId}`;
  if (region !== expected.region) return `credential scope names Region ${region}, not ${expected.region}`;
  if (service !== expected.service) return `credential scope names service ${service}, not ${expected.service}`;

  const amzDate = header(req.headers, "x-amz-date");
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) {
    return `x-amz-date ${amzDate} does not match the scope date ${date}`;
  }
  const signedAt = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (Math.abs(expected.now.getTime() - signedAt) > SKEW_MS) {
    return `signed at ${amzDate}, too far from now`;
  }

  const signedHeaders = signedHeaderList.split(";");
  const sorted = [...signedHeaders].sort();
  if (signedHeaders.join(";") !== sorted.join(";")) return "SignedHeaders are not sorted";
  const unsigned = MUST_SIGN.find((name) => !signedHeaders.includes(name));
  if (unsigned !== undefined) return `${unsigned} is not signed`;
  const payloadHash = sha256Hex(req.body);
  const declared = header(req.headers, "x-amz-content-sha256");
  if (declared !== undefined && declared !== payloadHash) return "x-amz-content-sha256 does not match the body";

  const [path, query = ""] = req.url.split("?");
  const canonicalRequest = [
    req.method,
    canonicalUri(path),
    canonicalQuery(query),
    signedHeaders.map((name) => `${name}:${(header(req.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`).join(""),
    signedHeaderList,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = [date, region, service, "aws4_request"].reduce<Buffer>((k, part) => hmac(k, part), Buffer.from(`AWS4${expected.secretAccessKey}`));
  const computed = hmac(key, stringToSign).toString("hex");
  return timingSafeEqual(Buffer.from(computed), Buffer.from(signature)) ? undefined : "signature does not match (wrong secret, or the request was altered)";
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** Services other than S3 encode each path segment twice; `/` stays `/`. */
function canonicalUri(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeRfc3986(encodeRfc3986(decodeURIComponent(segment))))
    .join("/");
}

function canonicalQuery(query: string): string {
  return query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => pair.split("=").map((part) => encodeRfc3986(decodeURIComponent(part))) as [string, string?])
    .sort(([a, av = ""], [b, bv = ""]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value = ""]) => `${name}=${value}`)
    .join("&");
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
}
