import { type ApiRequest, type ApiResponse, type Caller, jsonBody, serveRoutes } from "../shared/api";
import { badRequest, forbidden, notFound, tooLarge, unsupportedType } from "../shared/errors";
import { type Home, homeOf, relativePath, userKey } from "../shared/keys";
import { bucketFor } from "../shared/routing";
import { NoSuchUploadError, type ObjectStore, type PartInfo } from "../shared/store";
import { type UploadsConfig } from "./config";
import { checkExtension } from "./media-types";
import { multipartEtag } from "./multipart-etag";
import { layoutProblem, MAX_PARTS, partLayout } from "./part-layout";

export { loadUploadsConfig, type UploadsConfig } from "./config";

/** Presigned single and multipart uploads (API.md). */
export const UPLOADS_ROUTES = [
  "POST /v1/uploads",
  "POST /v1/uploads/{uploadId}/parts",
  "GET /v1/uploads/{uploadId}/parts",
  "POST /v1/uploads/{uploadId}/complete",
  "DELETE /v1/uploads/{uploadId}",
] as const;

export interface UploadsDeps {
  store: ObjectStore;
  /** Milliseconds since the epoch; tests may pin it. */
  now?: () => number;
}

/** Where one request's object lives: always the verified caller's home, never what the body says. */
interface Target {
  home: Home;
  bucket: string;
  key: string;
  /** The path as stored (NFC), relative to the home. */
  path: string;
}

type Request = ApiRequest & { caller: Caller };
type Body = Record<string, unknown>;

// S3 upload ids are opaque printable ASCII; anything else cannot be one.
const UPLOAD_ID = /^[\x21-\x7E]{1,1024}$/;
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const QUOTA_LIST_PAGE = 1000;

const quote = (value: string) => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value);
// S3 quotes ETags in some answers and not in others; clients echo whichever they saw.
const bareEtag = (etag: string) => etag.replace(/^"|"$/g, "");

function onlyFields(body: Body, allowed: readonly string[], what = "this request"): void {
  const extra = Object.keys(body).find((field) => !allowed.includes(field));
  if (extra !== undefined) {
    throw badRequest("UnknownField", `${quote(extra)} is not a field of ${what}; send only ${allowed.join(", ")}.`);
  }
}

function target(request: Request, config: UploadsConfig, path: unknown): Target {
  const home = homeOf(request.caller, config.tenantClaim);
  if (typeof path !== "string" || path === "") {
    throw badRequest("InvalidPath", "path is required: the object's path relative to your home, such as photos/cat.jpg.");
  }
  const key = userKey(home, path);
  return { home, bucket: bucketFor(config.routing, home.tenant), key, path: relativePath(home, key) };
}

function uploadIdOf(request: Request): string {
  const uploadId = request.pathParameters.uploadId;
  if (uploadId === undefined || !UPLOAD_ID.test(uploadId)) {
    throw badRequest("InvalidUploadId", "uploadId must be the id POST /v1/uploads returned.");
  }
  return uploadId;
}

function contentTypeOf(value: unknown, config: UploadsConfig): string {
  const type = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!config.allowedContentTypes.includes(type)) {
    throw unsupportedType(
      "UnsupportedContentType",
      `contentType must be one of ${config.allowedContentTypes.join(", ")}${typeof value === "string" ? `, not ${quote(value)}` : ""}.`,
    );
  }
  return type;
}


function sizeOf(value: unknown, config: UploadsConfig): number {
  if (!isInteger(value) || value < 0) {
    throw badRequest("InvalidSize", "size must be the file's length in bytes, a whole number of at least 0.");
  }
  if (value > config.maxObjectBytes) {
    throw tooLarge("ObjectTooLarge", `size is ${value} bytes; files may be at most ${config.maxObjectBytes} bytes.`);
  }
  return value;
}

function checksumOf(value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "string" || !SHA256_BASE64.test(value)) {
    throw badRequest("InvalidChecksum", "checksumSHA256 must be the file's SHA-256 digest in base64 (44 characters ending in =).");
  }
  return value;
}

/**
 * Everything stored under the caller's home, summed over every page of the listing. Parts of
 * unfinished uploads and older versions are not counted: S3 lists neither here.
 */
async function usedBytes(store: ObjectStore, where: Target): Promise<number> {
  let used = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list({ bucket: where.bucket, prefix: where.home.prefix, cursor, limit: QUOTA_LIST_PAGE });
    used += page.objects.reduce((sum, object) => sum + object.size, 0);
    cursor = page.nextCursor;
  } while (cursor);
  return used;
}

async function checkQuota(config: UploadsConfig, store: ObjectStore, where: Target, adding: number): Promise<void> {
  const quota = config.userQuotaBytes;
  if (quota === undefined) {
    return;
  }
  const used = await usedBytes(store, where);
  if (used + adding > quota) {
    throw forbidden(
      "QuotaExceeded",
      `This upload of ${adding} bytes would bring your storage to ${used + adding} bytes, over your quota of ${quota}; delete files to make room.`,
    );
  }
}

async function listParts(store: ObjectStore, where: Target, uploadId: string): Promise<PartInfo[]> {
  try {
    return await store.listParts({ bucket: where.bucket, key: where.key, uploadId });
  } catch (err) {
    throw err instanceof NoSuchUploadError ? noSuchUpload() : err;
  }
}

// A foreign upload id lands here too: the key comes from the caller's own home, so S3 finds nothing.
const noSuchUpload = () =>
  notFound("NoSuchUpload", "No upload with this uploadId is in progress for this path: it was completed, aborted, or never started here.");

/** POST /v1/uploads: checks everything, then signs one PUT or starts a multipart upload. */
async function createUpload(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse> {
  const body = jsonBody(request);
  onlyFields(body, ["path", "contentType", "size", "checksumSHA256"]);
  const where = target(request, config, body.path);
  const contentType = contentTypeOf(body.contentType, config);
  checkExtension(where.path, contentType);
  const size = sizeOf(body.size, config);
  const checksumSha256 = checksumOf(body.checksumSHA256);
  const single = size <= config.singlePutMaxBytes;
  if (!single && checksumSha256 !== undefined) {
    throw badRequest(
      "ChecksumNotSupported",
      `checksumSHA256 applies to single uploads (up to ${config.singlePutMaxBytes} bytes); omit it for this ${size}-byte file.`,
    );
  }
  await checkQuota(config, deps.store, where, size);

  // Neither request names an encryption: the bucket's default applies (see UploadsConfig).
  if (single) {
    const signed = await deps.store.presignPut({
      bucket: where.bucket,
      key: where.key,
      contentType,
      contentLength: size,
      ...(checksumSha256 ? { checksumSha256 } : {}),
      expiresIn: config.presignTtlSeconds,
    });
    return {
      status: 200,
      body: { mode: "single", path: where.path, url: signed.url, method: signed.method, headers: signed.headers, expiresAt: signed.expiresAt },
    };
  }
  const { partSize, partCount } = partLayout(size);
  const uploadId = await deps.store.createMultipartUpload({
    bucket: where.bucket,
    key: where.key,
    contentType,
  });
  const expiresAt = new Date(deps.now() + config.abortIncompleteUploadDays * 86_400_000).toISOString();
  // The first batch of part URLs rides along, so a client starts sending without another round trip.
  const first = Array.from({ length: Math.min(partCount, config.partUrlBatchMax) }, (_, i) => i + 1);
  const parts = await signPartUrls(deps, config, where, uploadId, first);
  return { status: 200, body: { mode: "multipart", path: where.path, uploadId, partSize, partCount, expiresAt, parts } };
}

/** The part numbers of one batch: distinct, within the layout of the largest object allowed. */
function partNumbersOf(value: unknown, config: UploadsConfig): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest("InvalidPartNumbers", "partNumbers must be a non-empty list of part numbers, such as [1, 2, 3].");
  }
  if (value.length > config.partUrlBatchMax) {
    throw badRequest("TooManyPartNumbers", `Ask for at most ${config.partUrlBatchMax} part URLs per request, not ${value.length}.`);
  }
  // The function keeps no state per upload, so the bound is the largest upload's part count; completing
  // checks the parts actually uploaded against the layout (see completeUpload).
  const max = partLayout(config.maxObjectBytes).partCount;
  const bad = value.find((n) => !isInteger(n) || n < 1 || n > max);
  if (bad !== undefined) {
    throw badRequest("InvalidPartNumber", `Part numbers run from 1 to the partCount POST /v1/uploads returned (at most ${max}), not ${JSON.stringify(bad)}.`);
  }
  if (new Set(value).size !== value.length) {
    throw badRequest("DuplicatePartNumber", "partNumbers lists a part twice; ask for each part once.");
  }
  return value as number[];
}

/** POST /v1/uploads/{uploadId}/parts: one presigned PUT per part number of the batch. */
async function signParts(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse> {
  const uploadId = uploadIdOf(request);
  const body = jsonBody(request);
  onlyFields(body, ["path", "partNumbers"]);
  const where = target(request, config, body.path);
  const partNumbers = partNumbersOf(body.partNumbers, config);
  // Signing needs no S3 call, so without this a foreign or finished upload would get URLs that only fail later.
  await listParts(deps.store, where, uploadId);
  return { status: 200, body: { parts: await signPartUrls(deps, config, where, uploadId, partNumbers) } };
}

/** One presigned UploadPart PUT per part number, as API.md's `parts` entries. */
async function signPartUrls(
  deps: Required<UploadsDeps>,
  config: UploadsConfig,
  where: { bucket: string; key: string },
  uploadId: string,
  partNumbers: readonly number[],
): Promise<{ partNumber: number; url: string; expiresAt: string }[]> {
  const signed = await Promise.all(
    partNumbers.map((partNumber) =>
      deps.store.presignUploadPart({ bucket: where.bucket, key: where.key, uploadId, partNumber, expiresIn: config.presignTtlSeconds }),
    ),
  );
  return partNumbers.map((partNumber, i) => ({ partNumber, url: signed[i].url, expiresAt: signed[i].expiresAt }));
}

/** GET /v1/uploads/{uploadId}/parts?path=: what has arrived, so a client can resume. */
async function listUploadedParts(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse> {
  const uploadId = uploadIdOf(request);
  const where = target(request, config, request.query.path);
  const parts = await listParts(deps.store, where, uploadId);
  return { status: 200, body: { parts: parts.map(({ partNumber, etag, size }) => ({ partNumber, etag, size })) } };
}

function completedPartsOf(value: unknown): { partNumber: number; etag: string }[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PARTS) {
    throw badRequest("InvalidParts", `parts must list from 1 to ${MAX_PARTS} parts as {partNumber, etag}.`);
  }
  const parts = value.map((part: unknown) => {
    if (part === null || typeof part !== "object" || Array.isArray(part)) {
      throw badRequest("InvalidParts", "Each entry of parts must be an object {partNumber, etag}.");
    }
    const { partNumber, etag } = part as Body;
    onlyFields(part as Body, ["partNumber", "etag"], "a part");
    if (!isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
      throw badRequest("InvalidPartNumber", `Part numbers run from 1 to ${MAX_PARTS}, not ${JSON.stringify(partNumber)}.`);
    }
    if (typeof etag !== "string" || etag === "" || etag.length > 1024) {
      throw badRequest("InvalidParts", `Part ${partNumber} needs the etag S3 answered when it was uploaded.`);
    }
    return { partNumber, etag };
  });
  parts.sort((a, b) => a.partNumber - b.partNumber);
  for (const [i, part] of parts.entries()) {
    if (part.partNumber === parts[i - 1]?.partNumber) {
      throw badRequest("DuplicatePartNumber", `parts lists part ${part.partNumber} twice; send each part once.`);
    }
    if (part.partNumber !== i + 1) {
      throw badRequest("MissingPart", `Parts must be numbered 1 to ${parts.length} without gaps; part ${i + 1} is missing.`);
    }
  }
  return parts;
}

/**
 * POST /v1/uploads/{uploadId}/complete: every part the client names must be one S3 holds, with
 * the same ETag; together they must form a valid layout within the size cap and the quota.
 */
async function completeUpload(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse> {
  const uploadId = uploadIdOf(request);
  const body = jsonBody(request);
  onlyFields(body, ["path", "parts"]);
  const where = target(request, config, body.path);
  const parts = completedPartsOf(body.parts);
  const uploaded = new Map((await listParts(deps.store, where, uploadId)).map((p) => [p.partNumber, p]));
  const sizes = parts.map(({ partNumber, etag }) => {
    const held = uploaded.get(partNumber);
    if (held === undefined) {
      throw badRequest("PartNotUploaded", `Part ${partNumber} has not been uploaded; upload it, then complete.`);
    }
    if (bareEtag(held.etag) !== bareEtag(etag)) {
      throw badRequest("ETagMismatch", `Part ${partNumber}'s etag is not the one S3 holds; upload the part again or send the etag S3 answered.`);
    }
    return held.size;
  });
  const problem = layoutProblem(sizes);
  if (problem !== undefined) {
    throw badRequest("InvalidPartLayout", `These parts cannot form one file: ${problem}.`);
  }
  const size = sizes.reduce((sum, s) => sum + s, 0);
  if (size > config.maxObjectBytes) {
    throw tooLarge("ObjectTooLarge", `The parts hold ${size} bytes; files may be at most ${config.maxObjectBytes} bytes. Abort this upload.`);
  }
  await checkQuota(config, deps.store, where, size);
  let etag: string;
  try {
    ({ etag } = await deps.store.completeMultipartUpload({ bucket: where.bucket, key: where.key, uploadId, parts }));
  } catch (err) {
    throw err instanceof NoSuchUploadError ? noSuchUpload() : err;
  }
  if (etag === "") {
    // Some engines (Ceph) answer CompleteMultipartUpload without the ETag: compute it as S3 does
    // from the parts just verified, and read it back only where that is not possible.
    etag = multipartEtag(parts.map(({ partNumber }) => uploaded.get(partNumber)!.etag)) ?? "";
  }
  if (etag === "") {
    const object = await deps.store.head({ bucket: where.bucket, key: where.key });
    if (object === undefined) {
      throw new Error("the completed object is not there");
    }
    etag = object.etag;
  }
  return { status: 200, body: { path: where.path, etag, size } };
}

/** DELETE /v1/uploads/{uploadId}?path=: S3 discards the parts. */
async function abortUpload(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse> {
  const uploadId = uploadIdOf(request);
  const where = target(request, config, request.query.path);
  try {
    await deps.store.abortMultipartUpload({ bucket: where.bucket, key: where.key, uploadId });
  } catch (err) {
    throw err instanceof NoSuchUploadError ? noSuchUpload() : err;
  }
  return { status: 204 };
}

const ROUTE_HANDLERS: Record<(typeof UPLOADS_ROUTES)[number], (r: Request, c: UploadsConfig, d: Required<UploadsDeps>) => Promise<ApiResponse>> = {
  "POST /v1/uploads": createUpload,
  "POST /v1/uploads/{uploadId}/parts": signParts,
  "GET /v1/uploads/{uploadId}/parts": listUploadedParts,
  "POST /v1/uploads/{uploadId}/complete": completeUpload,
  "DELETE /v1/uploads/{uploadId}": abortUpload,
};

export function handleUploadsRequest(request: ApiRequest, config: UploadsConfig, deps: UploadsDeps): Promise<ApiResponse> {
  const resolved = { store: deps.store, now: deps.now ?? Date.now };
  return serveRoutes(UPLOADS_ROUTES, request, (r) => ROUTE_HANDLERS[r.routeKey as (typeof UPLOADS_ROUTES)[number]](r, config, resolved));
}
