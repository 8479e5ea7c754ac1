import { bucketFor, OWNER_TAG, type ProxyStored, ScanStatus } from "@mobile-s3/contract";
import { randomBytes } from "node:crypto";
import { type ApiRequest, type ApiResponse, type AuthenticatedRequest, type HttpContext } from "../shared/api";
import { ApiError, badRequest, tooLarge, unsupportedType } from "../shared/errors";
import { checkExtension } from "../shared/extension";
import { homeOf, relativePath, userKey } from "../shared/keys";
import { type Logger } from "../shared/log";
import { type ObjectIndex } from "../shared/object-index";
import { reserveOrRefuse } from "../shared/quota";
import { type Scanner } from "../scan/scanner";
import { type ProxyConfig } from "./config";
import { sniff } from "./sniff";

// The core: small uploads inspected server-side, access pattern 4 (docs/API.md).

/**
 * Writes an object together with its tags in one request. Writing first and tagging after would
 * leave a moment in which another upload to the same key could receive the `clean` tag meant for
 * these bytes.
 */
export interface TaggedObjectWriter {
  putTagged(p: { bucket: string; key: string; body: Uint8Array; contentType: string; tags: Record<string, string> }): Promise<{ etag: string }>;
}

export interface ProxyDeps {
  writer: TaggedObjectWriter;
  /** The inline scanner; required with ClamAV, unused with GuardDuty (which scans after the write). */
  scanner?: Scanner;
  log: Logger;
  /** The object index: the write is reserved against the home's quota first, like every upload. */
  index: ObjectIndex;
  now?: () => number;
}

/** How long the proxy's promise lasts if the indexer never sees the object (its event lost): the reconciliation's window. */
const PROXY_PROMISE_MS = 15 * 60_000;

export type ProxyContext = HttpContext<ProxyConfig, ProxyDeps>;

/**
 * Checks, in order: the path (under the caller's home), the declared type (allowlisted, with a
 * matching extension), the size (hard cap, before decoding), the content (its magic bytes must
 * be the declared type's) and, with ClamAV, malware (an inline scan). Only then is the object
 * written: with ClamAV already tagged clean (it was scanned here; a scanner failure is a 500 and
 * writes nothing), with GuardDuty untagged, unreadable until GuardDuty tags it.
 */
export async function handleProxyRequest(request: AuthenticatedRequest, { config, deps }: ProxyContext): Promise<ApiResponse<ProxyStored>> {
  const home = homeOf(request.caller, config.tenantClaim);
  const path = request.query.path;
  if (path === undefined || path === "") {
    throw badRequest("InvalidPath", "Add ?path= with the object's path relative to your home, such as photos/cat.png.");
  }
  const key = userKey(home, path);
  const contentType = declaredType(request.headers["content-type"], config);
  checkExtension(relativePath(home, key), contentType);
  const body = bodyBytes(request, config.proxyMaxBytes);

  const sniffed = sniff(contentType, body);
  if (sniffed === "unverifiable") {
    throw unsupportedType(
      "UnverifiableContentType",
      `The proxy cannot verify ${contentType} content; upload it with POST /v1/uploads instead.`,
    );
  }
  if (sniffed === "mismatch") {
    throw unsupportedType("ContentMismatch", `The body is not ${contentType} content; send the file's real type in Content-Type.`);
  }

  const scannedHere = config.scan.scanner === "clamav";
  if (scannedHere) {
    if (deps.scanner === undefined) {
      throw new Error("the proxy needs a scanner port with ClamAV");
    }
    const result = await deps.scanner.scan({ bytes: body });
    if (result.verdict === "infected") {
      deps.log.warn("infected upload refused", { key, signature: result.signature, size: body.byteLength });
      throw new ApiError(422, "Infected", "The file failed its malware scan and was not stored.");
    }
  }

  const bucket = bucketFor(config.tenantRouting, home.tenant);
  const now = (deps.now ?? Date.now)();
  const ref = { tenant: home.tenant, home: home.sub };
  const reservation = { id: `x${randomBytes(12).toString("base64url")}`, kind: "put" as const, path: relativePath(home, key), bytes: body.byteLength, createdAt: now, expiresAt: now + PROXY_PROMISE_MS };
  await reserveOrRefuse(deps.index, ref, reservation, { quotaBytes: config.userQuotaBytes }, now);
  // Tagged with its owner on this write path too (Objects tagged with their owner).
  const tags: Record<string, string> = { [OWNER_TAG]: home.sub, ...(scannedHere ? { [config.scan.tagKey]: config.scan.clean } : {}) };
  let etag: string;
  try {
    ({ etag } = await deps.writer.putTagged({ bucket, key, body, contentType, tags }));
  } catch (err) {
    await deps.index.release(ref, reservation);
    throw err;
  }
  const scanStatus = scannedHere ? ScanStatus.clean : ScanStatus.pending;
  return { status: 200, body: { path: relativePath(home, key), etag, size: body.byteLength, scanStatus } };
}

/** The media type of a Content-Type header, lowercase and without parameters, if the allowlist has it. */
function declaredType(header: string | undefined, config: ProxyConfig): string {
  const type = (header ?? "").split(";")[0].trim().toLowerCase();
  if (type === "") {
    throw unsupportedType("MissingContentType", `Send the file's type in Content-Type, one of ${config.allowedContentTypes.join(", ")}.`);
  }
  if (!config.allowedContentTypes.includes(type)) {
    throw unsupportedType(
      "UnsupportedContentType",
      `Content-Type must be one of ${config.allowedContentTypes.join(", ")}, not ${JSON.stringify(type.slice(0, 100))}.`,
    );
  }
  return type;
}

/** The body's bytes; its size is checked before a base64 body is decoded. */
function bodyBytes(request: ApiRequest, maxBytes: number): Uint8Array {
  const raw = request.body ?? "";
  const size = request.bodyIsBase64 ? Buffer.byteLength(raw, "base64") : Buffer.byteLength(raw, "utf8");
  if (size > maxBytes) {
    throw tooLarge("ObjectTooLarge", `The body is ${size} bytes; the proxy takes at most ${maxBytes}. Use POST /v1/uploads for larger files.`);
  }
  return request.bodyIsBase64 ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
}
