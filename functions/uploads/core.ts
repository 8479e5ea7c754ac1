import { bucketFor, checkMetadata, type Completed, encodeMetadataValue, type ListedParts, OWNER_TAG, type SignedPart, type SignedParts, type UploadPlan, type UPLOADS_ROUTES } from "@mobile-s3/contract";
import { randomBytes } from "node:crypto";
import { type ApiResponse, type AuthenticatedRequest, type HttpContext, jsonBody } from "../shared/api";
import { checkExtension } from "../shared/extension";
import { badRequest, notFound, tooLarge, unsupportedType } from "../shared/errors";
import { type Home, homeOf, relativePath, userKey } from "../shared/keys";
import { NoSuchUploadError, type ObjectStore, type PartInfo } from "../shared/store";
import { type UploadsConfig } from "./config";
import { multipartEtag } from "./multipart-etag";
import { MAX_PARTS, partLayout, partLength } from "./part-layout";
import { type HomeRef, type ObjectIndex, type Reservation } from "../shared/object-index";
import { MAX_OPEN_UPLOADS, PUT_GRACE_MS, reserveOrRefuse } from "../shared/quota";

// The core: presigned single and multipart uploads (docs/API.md).

export interface UploadsDeps {
  store: ObjectStore;
  /** The object index: the home's usage item holds the quota's reservations and each upload's declared size. */
  index: ObjectIndex;
  /** Milliseconds since the epoch; tests may pin it. */
  now?: () => number;
}

/** Where one request's object lives: always the verified caller's home, never what the body says. */
interface Target {
  home: Home;
  /** The home as the index names it. */
  ref: HomeRef;
  bucket: string;
  key: string;
  /** The path as stored (NFC), relative to the home. */
  path: string;
}

type Request = AuthenticatedRequest;
type Body = Record<string, unknown>;

// S3 upload ids are opaque printable ASCII; anything else cannot be one.
const UPLOAD_ID = /^[\x21-\x7E]{1,1024}$/;
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const newReservationId = (kind: Reservation["kind"]) => `${kind === "put" ? "p" : "m"}${randomBytes(12).toString("base64url")}`;

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
  return { home, ref: { tenant: home.tenant, home: home.sub }, bucket: bucketFor(config.routing, home.tenant), key, path: relativePath(home, key) };
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

/** The `owner` tag every write path puts on an object (Objects tagged with their owner), and the metadata headers. */
function writeAttributes(where: Target, metadata: Record<string, string>): { tags: Record<string, string>; metadata: Record<string, string> } {
  return { tags: { [OWNER_TAG]: where.home.sub }, metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, encodeMetadataValue(v)])) };
}

function metadataOf(value: unknown): Record<string, string> {
  const checked = checkMetadata(value);
  if ("problem" in checked) {
    throw badRequest("InvalidMetadata", `metadata ${checked.problem}.`);
  }
  return checked.metadata;
}

/** POST /v1/uploads: checks everything, then signs one PUT or starts a multipart upload. */
async function createUpload(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse<UploadPlan>> {
  const body = jsonBody(request);
  onlyFields(body, ["path", "contentType", "size", "checksumSHA256", "metadata"]);
  const where = target(request, config, body.path);
  const contentType = contentTypeOf(body.contentType, config);
  checkExtension(where.path, contentType);
  const size = sizeOf(body.size, config);
  const checksumSha256 = checksumOf(body.checksumSHA256);
  const metadata = metadataOf(body.metadata);
  const single = size <= config.singlePutMaxBytes;
  if (!single && checksumSha256 !== undefined) {
    throw badRequest(
      "ChecksumNotSupported",
      `checksumSHA256 applies to single uploads (up to ${config.singlePutMaxBytes} bytes); omit it for this ${size}-byte file.`,
    );
  }
  const now = deps.now();
  const written = writeAttributes(where, metadata);

  // Neither request names an encryption: the bucket's default applies (see UploadsConfig).
  if (single) {
    const expiresIn = config.presignTtlSeconds;
    // The URL can be used until it expires: its bytes are promised until then, or until they arrive.
    await reserveOrRefuse(
      deps.index,
      where.ref,
      { id: newReservationId("put"), kind: "put", path: where.path, bytes: size, createdAt: now, expiresAt: now + expiresIn * 1000 + PUT_GRACE_MS },
      { quotaBytes: config.userQuotaBytes },
      now,
    );
    const signed = await deps.store.presignPut({
      bucket: where.bucket,
      key: where.key,
      contentType,
      contentLength: size,
      ...(checksumSha256 ? { checksumSha256 } : {}),
      ...written,
      expiresIn,
    });
    return {
      status: 200,
      body: { mode: "single", path: where.path, url: signed.url, method: signed.method, headers: signed.headers, expiresAt: signed.expiresAt },
    };
  }
  const layout = partLayout(size);
  const expiresAt = now + config.abortIncompleteUploadDays * 86_400_000;
  // The promise comes first; the upload's id joins it once S3 has given one.
  const reservation: Reservation = { id: newReservationId("multipart"), kind: "multipart", path: where.path, bytes: size, createdAt: now, expiresAt };
  await reserveOrRefuse(deps.index, where.ref, reservation, { quotaBytes: config.userQuotaBytes, maxOpenUploads: MAX_OPEN_UPLOADS }, now);
  let uploadId: string;
  try {
    uploadId = await deps.store.createMultipartUpload({ bucket: where.bucket, key: where.key, contentType, ...written });
    // The upload's record: its declared size binds every part URL and the completion.
    await deps.index.setUploadId(where.ref, reservation.id, uploadId);
  } catch (err) {
    await deps.index.release(where.ref, reservation);
    throw err;
  }
  // The first batch of part URLs rides along, so a client starts sending without another round trip.
  const first = Array.from({ length: Math.min(layout.partCount, config.partUrlBatchMax) }, (_, i) => i + 1);
  const parts = await signPartUrls(deps, config, where, uploadId, size, first);
  return {
    status: 200,
    body: { mode: "multipart", path: where.path, uploadId, partSize: layout.partSize, partCount: layout.partCount, expiresAt: new Date(expiresAt).toISOString(), parts },
  };
}

/** The part numbers of one batch: distinct whole numbers from 1 to S3's 10,000 (the upload's own bound is checked next). */
function partNumbersOf(value: unknown, config: UploadsConfig): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest("InvalidPartNumbers", "partNumbers must be a non-empty list of part numbers, such as [1, 2, 3].");
  }
  if (value.length > config.partUrlBatchMax) {
    throw badRequest("TooManyPartNumbers", `Ask for at most ${config.partUrlBatchMax} part URLs per request, not ${value.length}.`);
  }
  const bad = value.find((n) => !isInteger(n) || n < 1 || n > MAX_PARTS);
  if (bad !== undefined) {
    throw badRequest("InvalidPartNumber", `Part numbers run from 1 to the partCount POST /v1/uploads returned, not ${JSON.stringify(bad)}.`);
  }
  if (new Set(value).size !== value.length) {
    throw badRequest("DuplicatePartNumber", "partNumbers lists a part twice; ask for each part once.");
  }
  return value as number[];
}

/** Part numbers past the declared size's layout are never signed: a 4-part upload has no part 1,024. */
function withinLayout(partNumbers: number[], partCount: number): number[] {
  const beyond = partNumbers.find((n) => n > partCount);
  if (beyond !== undefined) {
    throw badRequest("InvalidPartNumber", `This upload has parts 1 to ${partCount} (its partCount), not ${beyond}.`);
  }
  return partNumbers;
}

/** The multipart reservation of `uploadId` at this path in the caller's home, if the API started it there. */
async function uploadRecord(deps: Required<UploadsDeps>, where: Target, uploadId: string): Promise<Reservation | undefined> {
  return (await deps.index.usage(where.ref)).reservations.find((r) => r.kind === "multipart" && r.uploadId === uploadId && r.path === where.path);
}

/**
 * The upload's record, written when POST /v1/uploads started it: its declared size. An upload id
 * without one in the caller's home was not started there through this API.
 */
async function declaredUpload(deps: Required<UploadsDeps>, where: Target, uploadId: string): Promise<Reservation> {
  const reservation = await uploadRecord(deps, where, uploadId);
  if (reservation === undefined) {
    throw noSuchUpload();
  }
  return reservation;
}

/** What every call on an open upload starts with, in this order: its id, its body's fields, the caller's key. */
function onUpload(request: Request, config: UploadsConfig, fields: readonly string[]): { uploadId: string; body: Body; where: Target } {
  const uploadId = uploadIdOf(request);
  const body = jsonBody(request);
  onlyFields(body, ["path", ...fields]);
  return { uploadId, body, where: target(request, config, body.path) };
}

/** POST /v1/uploads/{uploadId}/parts: one presigned PUT per part number of the batch, each of its exact length. */
async function signParts(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse<SignedParts>> {
  const { uploadId, body, where } = onUpload(request, config, ["partNumbers"]);
  const requested = partNumbersOf(body.partNumbers, config);
  const declared = await declaredUpload(deps, where, uploadId);
  const partNumbers = withinLayout(requested, partLayout(declared.bytes).partCount);
  // Signing needs no S3 call, so without this a finished or aborted upload would get URLs that only fail later.
  await listParts(deps.store, where, uploadId);
  return { status: 200, body: { parts: await signPartUrls(deps, config, where, uploadId, declared.bytes, partNumbers) } };
}

/** One presigned UploadPart PUT per part number, its length (from the declared size's layout) signed. */
async function signPartUrls(
  deps: Required<UploadsDeps>,
  config: UploadsConfig,
  where: { bucket: string; key: string },
  uploadId: string,
  size: number,
  partNumbers: readonly number[],
): Promise<SignedPart[]> {
  const layout = partLayout(size);
  const signed = await Promise.all(
    partNumbers.map((partNumber) =>
      deps.store.presignUploadPart({
        bucket: where.bucket,
        key: where.key,
        uploadId,
        partNumber,
        contentLength: partLength(layout, size, partNumber),
        expiresIn: config.presignTtlSeconds,
      }),
    ),
  );
  return partNumbers.map((partNumber, i) => ({ partNumber, url: signed[i].url, size: partLength(layout, size, partNumber), expiresAt: signed[i].expiresAt }));
}

/** GET /v1/uploads/{uploadId}/parts?path=: what has arrived, so a client can resume. */
async function listUploadedParts(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse<ListedParts>> {
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
 * POST /v1/uploads/{uploadId}/complete: the parts must be exactly the declared size's layout, each
 * one S3 holds with the same ETag and the length its URL was signed for; so nothing larger (or
 * smaller) than what was declared, checked and reserved ever becomes an object. A mismatch is
 * refused and the upload left open, for the caller to upload the right part or abort.
 */
async function completeUpload(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse<Completed>> {
  const { uploadId, body, where } = onUpload(request, config, ["parts"]);
  const parts = completedPartsOf(body.parts);
  const declared = await declaredUpload(deps, where, uploadId);
  const size = declared.bytes;
  const layout = partLayout(size);
  if (size > config.maxObjectBytes) {
    throw tooLarge("ObjectTooLarge", `This upload was declared as ${size} bytes; files may now be at most ${config.maxObjectBytes} bytes. Abort it.`);
  }
  if (parts.length !== layout.partCount) {
    throw badRequest("SizeMismatch", `This upload was declared as ${size} bytes: ${layout.partCount} parts, not ${parts.length}; upload the rest, then complete.`);
  }
  const uploaded = new Map((await listParts(deps.store, where, uploadId)).map((p) => [p.partNumber, p]));
  for (const { partNumber, etag } of parts) {
    const held = uploaded.get(partNumber);
    if (held === undefined) {
      throw badRequest("PartNotUploaded", `Part ${partNumber} has not been uploaded; upload it, then complete.`);
    }
    if (bareEtag(held.etag) !== bareEtag(etag)) {
      throw badRequest("ETagMismatch", `Part ${partNumber}'s etag is not the one S3 holds; upload the part again or send the etag S3 answered.`);
    }
    const expected = partLength(layout, size, partNumber);
    if (held.size !== expected) {
      throw badRequest("SizeMismatch", `Part ${partNumber} holds ${held.size} bytes; this upload's layout needs ${expected}. Upload it again with its part URL.`);
    }
  }
  // No longer open, still promised: the indexer turns the promise into stored bytes when it sees the
  // object, so the bytes are never counted as neither (docs/OBJECT-INDEX.md, "Quota").
  await deps.index.markCompleted(where.ref, declared, undefined);
  let etag: string;
  try {
    ({ etag } = await deps.store.completeMultipartUpload({ bucket: where.bucket, key: where.key, uploadId, parts }));
  } catch (err) {
    const answer = completionError(err);
    // S3 refused these parts: the upload stays open, for the right part or an abort. An upload S3 no
    // longer has (a concurrent completion of it won) is not open again: its promise stays completed.
    if (answer !== err && !isNoSuchUpload(err)) {
      await deps.index.reopen(where.ref, declared);
    }
    throw answer;
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

/**
 * What S3 can refuse at completion because of the request (the parts changed between the check and
 * the call), as the 4xx the caller can act on ("CompleteMultipartUpload", Errors); anything else stays a 500.
 */
function completionError(err: unknown): unknown {
  if (err instanceof NoSuchUploadError) {
    return noSuchUpload();
  }
  const code = s3ErrorCode(err);
  switch (code) {
    case "InvalidPart":
      return badRequest("InvalidPart", "A part is not the one S3 holds (it was uploaded again meanwhile): list the parts, then complete with their etags.");
    case "InvalidPartOrder":
      return badRequest("InvalidPartOrder", "Parts must be listed in ascending order of part number.");
    case "EntityTooSmall":
      return badRequest("EntityTooSmall", "Every part but the last must be at least 5 MiB: upload each part with its part URL.");
    case "NoSuchUpload":
      return noSuchUpload();
    default:
      return err;
  }
}

const isNoSuchUpload = (err: unknown) => err instanceof NoSuchUploadError || s3ErrorCode(err) === "NoSuchUpload";

/** S3's error code, as the SDK names the error it throws. */
function s3ErrorCode(err: unknown): string | undefined {
  const e = err as { name?: unknown; Code?: unknown } | null;
  return typeof e?.Code === "string" ? e.Code : typeof e?.name === "string" ? e.name : undefined;
}

/** DELETE /v1/uploads/{uploadId}?path=: S3 discards the parts. */
async function abortUpload(request: Request, config: UploadsConfig, deps: Required<UploadsDeps>): Promise<ApiResponse<never>> {
  const uploadId = uploadIdOf(request);
  const where = target(request, config, request.query.path);
  try {
    await deps.store.abortMultipartUpload({ bucket: where.bucket, key: where.key, uploadId });
  } catch (err) {
    throw err instanceof NoSuchUploadError ? noSuchUpload() : err;
  }
  const declared = await uploadRecord(deps, where, uploadId);
  if (declared !== undefined) {
    await deps.index.release(where.ref, declared);
  }
  return { status: 204 };
}

/** What the uploads routes answer with (docs/API.md). */
export type UploadsAnswer = UploadPlan | SignedParts | ListedParts | Completed;

const ROUTE_HANDLERS: Record<(typeof UPLOADS_ROUTES)[number], (r: Request, c: UploadsConfig, d: Required<UploadsDeps>) => Promise<ApiResponse<UploadsAnswer>>> = {
  "POST /v1/uploads": createUpload,
  "POST /v1/uploads/{uploadId}/parts": signParts,
  "GET /v1/uploads/{uploadId}/parts": listUploadedParts,
  "POST /v1/uploads/{uploadId}/complete": completeUpload,
  "DELETE /v1/uploads/{uploadId}": abortUpload,
};

export type UploadsContext = HttpContext<UploadsConfig, UploadsDeps>;

/** The uploads core: one of UPLOADS_ROUTES from a verified caller (the runtime has checked both). */
export function handleUploadsRequest(request: AuthenticatedRequest, { config, deps }: UploadsContext): Promise<ApiResponse<UploadsAnswer>> {
  const resolved = { store: deps.store, index: deps.index, now: deps.now ?? Date.now };
  return ROUTE_HANDLERS[request.routeKey as (typeof UPLOADS_ROUTES)[number]](request, config, resolved);
}
