import { LIMIT_BOUNDS, MAX_KEY_BYTES, MAX_SEGMENT_BYTES } from "@mobile-s3/contract";
import { createHash, createHmac } from "node:crypto";
import { UploadPartCommand } from "@aws-sdk/client-s3";
import { type ObjectIndex, type Reservation } from "../../functions/shared/object-index";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type HttpApiResult } from "../../functions/shared/http-api";
import { type Logger } from "../../functions/shared/log";
import { s3Client } from "../../functions/shared/s3-client";
import { s3Store } from "../../functions/shared/s3-store";
import { type ObjectStore } from "../../functions/shared/store";
import { createUploadsHandler } from "../../functions/uploads/app";
import { MAX_PARTS, MIN_PART_BYTES } from "../../functions/uploads/part-layout";
import { count, kb, ratio } from "./format";
import { elapsedMs, median } from "./timing";
import { type Bench, type BenchRow, type PresignJson } from "./types";

/** The targets. */
export const MIN_URLS_PER_SECOND = 20_000;
export const MAX_FLOOR_RATIO = 10;
/** Lambda's synchronous response payload limit (6 MB), which the API Gateway answer passes through. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 ** 2;

const REGION = "eu-west-1";
const TENANT = "acme";
// Cognito subs are UUIDs.
const SUB = "5f2d1c3e-8a4b-4c6d-9e0f-1a2b3c4d5e6f";
// The longest bucket name S3 allows (63), so the longest virtual-hosted host name.
const BUCKET = `mobile-s3-production-storage-eu-west-1-123456789012-${"x".repeat(10)}`;
/** The most parts one upload has, and the layout that has exactly that many. */
const PARTS = MAX_PARTS;
const UPLOAD_BYTES = PARTS * MIN_PART_BYTES;
const TTL_SECONDS = LIMIT_BOUNDS.presignTtlSeconds.max;
const BATCH = LIMIT_BOUNDS.partUrlBatchMax.max;

/** Printable bytes that look like a credential, the same on every run. */
function pseudoBase64(seed: string, length: number): string {
  let out = "";
  for (let block = 0; out.length < length; block++) {
    out += createHash("sha512").update(`${seed}/${block}`).digest("base64");
  }
  return out.slice(0, length);
}

/** STS credentials as a Lambda role has them: the session token is what makes part URLs long. */
const CREDENTIALS = {
  accessKeyId: "ASIAQEXAMPLE2BENCH00",
  secretAccessKey: pseudoBase64("secret", 40),
  sessionToken: `IQoJb3JpZ2luX2VjE${pseudoBase64("session token", 1_183)}`,
};
// S3 upload ids run to about 150 characters of base64url and dots.
const UPLOAD_ID = pseudoBase64("upload id", 150).replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, ".");

/** A typical video's path, for the throughput figures. */
const TYPICAL_PATH = "videos/2024/holiday in Lisbon (4K).mp4";

const EXTENSION = ".mp4";

/**
 * The path that makes the longest URL: the key at its 1,024-byte limit, every byte of it but the
 * extension one that escapes to three characters (a 3-byte character becomes 9), in segments of at
 * most 255 bytes.
 */
function longestPath(prefixBytes: number): string {
  // Three bytes that each escape to three characters: a 3-byte character, or spaces for the rest.
  const wide = (bytes: number) => `${"写".repeat(Math.floor(bytes / 3))}${" ".repeat(bytes % 3)}`;
  const segments: string[] = [];
  let budget = MAX_KEY_BYTES - prefixBytes;
  while (budget > MAX_SEGMENT_BYTES) {
    segments.push(wide(MAX_SEGMENT_BYTES));
    budget -= MAX_SEGMENT_BYTES + 1; // and the "/" after it
  }
  segments.push(`${wide(budget - EXTENSION.length)}${EXTENSION}`);
  return segments.join("/");
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The uploads function as Lambda runs it, at its largest batch, over the real S3 adapter with no network. */
function uploadsFunction(store: ObjectStore) {
  // The upload's record in the object index, as POST /v1/uploads leaves it: the home's usage item
  // holds its declared size. Answered from memory: the figure is the signing, not DynamoDB's latency
  // (the "index" section measures that).
  const record = (path: string): Reservation => ({ id: `m-${path.length}`, kind: "multipart", path, bytes: UPLOAD_BYTES, createdAt: 0, expiresAt: Number.MAX_SAFE_INTEGER, uploadId: UPLOAD_ID });
  const paths = new Set<string>();
  const index = {
    usage: async () => ({ storedBytes: 0, reservedBytes: UPLOAD_BYTES, objects: 0, openUploads: 1, applied: {}, reservations: [...paths].map(record) }),
    reserve: async () => undefined,
    setUploadId: async () => undefined,
  } as unknown as ObjectIndex;
  const offline: ObjectStore = {
    ...store,
    // The S3 calls on these routes: an upload with no parts yet, started without asking S3.
    listParts: async () => [],
    createMultipartUpload: async () => UPLOAD_ID,
    put: async () => ({ etag: "" }),
    delete: async () => undefined,
    listVersions: async () => [],
    listMultipartUploads: async () => [{ key: `tenants/${TENANT}/home/${SUB}/${TYPICAL_PATH}`, uploadId: UPLOAD_ID, initiated: new Date(0).toISOString() }],
  };
  const env = {
    TENANT_ROUTING: JSON.stringify({ pooledBucket: BUCKET, accessPointArnPrefix: "arn:aws:s3:eu-west-1:123456789012:accesspoint/unused-", accessPointTenants: [], dedicatedBuckets: {} }),
    PRESIGN_TTL_SECONDS: String(TTL_SECONDS),
    MAX_OBJECT_BYTES: String(UPLOAD_BYTES),
    SINGLE_PUT_MAX_BYTES: String(16 * 1024 ** 2),
    ALLOWED_CONTENT_TYPES: JSON.stringify(["video/mp4"]),
    PART_URL_BATCH_MAX: String(BATCH),
  };
  const handler = createUploadsHandler({ ...env, INDEX_TABLE: "bench-index" }, { store: offline, index, log: silent });
  const call = async (routeKey: string, rawPath: string, pathParameters: Record<string, string>, body: unknown) => {
    const result = await handler({
      version: "2.0",
      routeKey,
      rawPath,
      isBase64Encoded: false,
      pathParameters,
      body: JSON.stringify(body),
      requestContext: {
        requestId: "bench",
        http: { method: "POST", path: rawPath },
        authorizer: { jwt: { claims: { sub: SUB, "custom:tenant": TENANT, token_use: "id", iat: "1764745200", exp: "1764748800" }, scopes: null } },
      },
    });
    if (result.statusCode !== 200 || result.body === undefined) {
      throw new Error(`the uploads function answered ${routeKey} with ${result.statusCode}: ${result.body ?? ""}`);
    }
    return result;
  };
  return {
    /** POST /v1/uploads/{uploadId}/parts: one batch of part URLs. */
    signParts: (path: string, partNumbers: number[]) =>
      paths.add(path) &&
      call("POST /v1/uploads/{uploadId}/parts", `/v1/uploads/${UPLOAD_ID}/parts`, { uploadId: UPLOAD_ID }, { path, partNumbers }),
    /** POST /v1/uploads for the 10,000-part upload, where the answer may carry the first batch too. */
    startUpload: (path: string) => paths.add(path) && call("POST /v1/uploads", "/v1/uploads", {}, { path, contentType: "video/mp4", size: UPLOAD_BYTES }),
  };
}

/** The answer's size as the client receives it, and as Lambda counts it against its payload limit. */
function sizeOf(result: HttpApiResult): { bodyBytes: number; payloadBytes: number; urls: number } {
  const body = result.body ?? "";
  const parts = (JSON.parse(body) as { parts?: { url: string }[] }).parts ?? [];
  if (parts.some((p) => !p.url.includes("X-Amz-Signature="))) {
    throw new Error("the uploads function answered a part without a signed URL");
  }
  return { bodyBytes: Buffer.byteLength(body), payloadBytes: Buffer.byteLength(JSON.stringify(result)), urls: parts.length };
}

const batchesOf = (parts: number) =>
  Array.from({ length: Math.ceil(parts / BATCH) }, (_, b) => Array.from({ length: Math.min(BATCH, parts - b * BATCH) }, (_, i) => b * BATCH + i + 1));

/**
 * The floor: per URL, only the cryptography SigV4 cannot skip — hash a canonical request (the one
 * the presigner hashes for the last part, as long as any), build the string to sign, one HMAC with
 * the signing key derived once. No escaping, sorting or string building: nothing left to optimise.
 */
function floorChains(canonicalRequest: string, urls: number): number {
  const date = "20240506";
  const scope = `${date}/${REGION}/s3/aws4_request`;
  const dateKey = createHmac("sha256", `AWS4${CREDENTIALS.secretAccessKey}`).update(date).digest();
  const signingKey = createHmac("sha256", createHmac("sha256", createHmac("sha256", dateKey).update(REGION).digest()).update("s3").digest())
    .update("aws4_request")
    .digest();
  let sink = 0;
  for (let i = 0; i < urls; i++) {
    const hash = createHash("sha256").update(canonicalRequest).digest("hex");
    sink ^= createHmac("sha256", signingKey).update(`AWS4-HMAC-SHA256\n${date}T070809Z\n${scope}\n${hash}`).digest("hex").charCodeAt(0);
  }
  return sink;
}

/** The canonical request SigV4 hashes for a URL, rebuilt from the URL (host as the only signed header). */
function canonicalRequestOf(url: string): string {
  const u = new URL(url);
  const query = u.search
    .slice(1)
    .split("&")
    .filter((p) => !p.startsWith("X-Amz-Signature="))
    .join("&");
  return `PUT\n${u.pathname}\n${query}\nhost:${u.host}\n\nhost\nUNSIGNED-PAYLOAD`;
}

interface Rates {
  floor: number;
  adapter: number;
  handler: number;
  sdk: number;
}

export const benchPresign: Bench<PresignJson> = async ({ quick, note }) => {
  const runs = quick ? 3 : 9;
  const sdkParts = quick ? 300 : 1_000;
  const client = s3Client({ region: REGION, credentials: CREDENTIALS });
  try {
    const store = s3Store(client);
    const key = `tenants/${TENANT}/home/${SUB}/${TYPICAL_PATH}`;
    const signPart = (partNumber: number) => store.presignUploadPart({ bucket: BUCKET, key, uploadId: UPLOAD_ID, partNumber, contentLength: MIN_PART_BYTES, expiresIn: TTL_SECONDS });
    // As the uploads core signs a batch: all its parts at once.
    const adapterUpload = async () => {
      for (const batch of batchesOf(PARTS)) {
        await Promise.all(batch.map(signPart));
      }
    };
    const uploads = uploadsFunction(store);
    const handlerUpload = async () => {
      for (const batch of batchesOf(PARTS)) {
        await uploads.signParts(TYPICAL_PATH, batch);
      }
    };
    const canonicalRequest = canonicalRequestOf((await signPart(PARTS)).url);

    // Warm every path once (JIT, endpoint and credential caches), then alternate them run by run,
    // so a burst of other work on the machine lands on all of them alike.
    floorChains(canonicalRequest, 1_000);
    await adapterUpload();
    await handlerUpload();
    const samples = { floor: [] as number[], adapter: [] as number[], handler: [] as number[] };
    for (let run = 0; run < runs; run++) {
      let start = process.hrtime.bigint();
      floorChains(canonicalRequest, PARTS);
      samples.floor.push(elapsedMs(start));
      start = process.hrtime.bigint();
      await adapterUpload();
      samples.adapter.push(elapsedMs(start));
      start = process.hrtime.bigint();
      await handlerUpload();
      samples.handler.push(elapsedMs(start));
    }
    note(`${runs} runs of ${count(PARTS)} URLs each: floor, S3 adapter, uploads function`);

    // The SDK's presigner, one getSignedUrl per part as before: slow, so a smaller sample.
    const sdkPart = (partNumber: number) =>
      getSignedUrl(client, new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: UPLOAD_ID, PartNumber: partNumber, ContentLength: MIN_PART_BYTES }), { expiresIn: TTL_SECONDS, signableHeaders: new Set(["content-length"]) });
    const sdkRun = async (parts: number) => {
      for (const batch of batchesOf(parts)) {
        await Promise.all(batch.map(sdkPart));
      }
    };
    await sdkRun(50);
    const sdkSamples: number[] = [];
    for (let run = 0; run < (quick ? 1 : 3); run++) {
      const start = process.hrtime.bigint();
      await sdkRun(sdkParts);
      sdkSamples.push(elapsedMs(start));
    }
    note(`getSignedUrl on ${count(sdkParts)} parts`);

    const perSecond = (urls: number, ms: number[]) => (urls * 1000) / median(ms);
    const rates: Rates = {
      floor: perSecond(PARTS, samples.floor),
      adapter: perSecond(PARTS, samples.adapter),
      handler: perSecond(PARTS, samples.handler),
      sdk: perSecond(sdkParts, sdkSamples),
    };

    // The largest answer: a full batch of the highest part numbers, for the longest key.
    const prefixBytes = Buffer.byteLength(`tenants/${TENANT}/home/${SUB}/`);
    const longest = longestPath(prefixBytes);
    const lastBatch = batchesOf(PARTS)[batchesOf(PARTS).length - 1];
    const answers = [
      { route: "POST /v1/uploads/{uploadId}/parts", ...sizeOf(await uploads.signParts(longest, lastBatch)) },
      { route: "POST /v1/uploads", ...sizeOf(await uploads.startUpload(longest)) },
    ];
    const largest = answers.reduce((a, b) => (b.payloadBytes > a.payloadBytes ? b : a));
    if (largest.urls !== BATCH) {
      throw new Error(`the largest answer carries ${largest.urls} part URLs, not a full batch of ${BATCH}`);
    }
    const keyBytes = prefixBytes + Buffer.byteLength(longest);

    const floorRatio = rates.floor / rates.adapter;
    const json: PresignJson = {
      urlsPerSecond: Math.round(rates.adapter),
      floorRatio: Math.round(floorRatio * 100) / 100,
      maxResponseBytes: largest.bodyBytes,
      floorChainsPerSecond: Math.round(rates.floor),
      uploadsFunctionUrlsPerSecond: Math.round(rates.handler),
      getSignedUrlPerSecond: Math.round(rates.sdk),
      parts: PARTS,
      getSignedUrlParts: sdkParts,
      runs,
      batchSize: BATCH,
      maxResponseLambdaPayloadBytes: largest.payloadBytes,
      maxResponseRoute: largest.route,
      maxResponseKeyBytes: keyBytes,
      sessionTokenChars: CREDENTIALS.sessionToken.length,
      uploadIdChars: UPLOAD_ID.length,
    };
    const rows: BenchRow[] = [
      {
        measure: `presign: part URLs per second, ${count(PARTS)}-part upload (S3 adapter, one core, session token)`,
        value: `${count(rates.adapter)} URLs/s`,
        reference: `floor ${count(rates.floor)} HMAC chains/s`,
        ratio: ratio(floorRatio),
        target: `≥ ${count(MIN_URLS_PER_SECOND)} URLs/s and within ${MAX_FLOOR_RATIO}× of the floor`,
        met: rates.adapter >= MIN_URLS_PER_SECOND && floorRatio <= MAX_FLOOR_RATIO,
      },
      {
        measure: `presign: part URLs per second through the uploads function (${count(PARTS / BATCH)} requests of ${BATCH})`,
        value: `${count(rates.handler)} URLs/s`,
        reference: `S3 adapter ${count(rates.adapter)} URLs/s`,
        ratio: ratio(rates.handler / rates.adapter),
        target: "informs: JSON in and out, key checks",
      },
      {
        measure: `presign: getSignedUrl per part, as before (${count(sdkParts)} parts)`,
        value: `${count(rates.sdk)} URLs/s`,
        reference: `S3 adapter ${count(rates.adapter)} URLs/s`,
        ratio: ratio(rates.sdk / rates.adapter),
        target: "informs: the path it replaces",
      },
      {
        measure: `presign: largest batch answer (${largest.route}, ${BATCH} part URLs, ${count(keyBytes)}-byte key, session token)`,
        value: `${kb(largest.bodyBytes)} body, ${kb(largest.payloadBytes)} as Lambda's payload`,
        reference: `Lambda limit ${kb(LAMBDA_RESPONSE_LIMIT_BYTES)}`,
        ratio: ratio(largest.payloadBytes / LAMBDA_RESPONSE_LIMIT_BYTES),
        target: "< 6 MB",
        met: largest.payloadBytes < LAMBDA_RESPONSE_LIMIT_BYTES,
      },
    ];
    return { json, rows };
  } finally {
    client.destroy();
  }
};
