import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createStorageClient } from "../../client/src";
import { createNodeFetch } from "../../client/src/node";
import { partLayout } from "../../functions/uploads/part-layout";
import { directS3, engineAdmin, tokenFor } from "../demo/sandbox-access";
import { type FaultProxy, partResends, startFaultProxy } from "../fault-proxy";
import { type RunningSandbox, startSandbox } from "../demo/sandbox-process";
import { killMidPart, startUploadProcess } from "../upload-process";
import { count, ratio } from "./format";
import { interleaved } from "./timing";
import { type Bench, type BenchRow, type UploadJson } from "./types";

/** The targets. */
export const MIN_THROUGHPUT_RATIO = 0.9;
export const MAX_RESENT_PARTS = 1;

const MIB = 1024 ** 2;
const CONCURRENCY = 4;
const SUB = "bench-user";
const TENANT = "acme";
const HOME = `tenants/${TENANT}/home/${SUB}/`;

/**
 * Section 4: the same bytes to the same engine (the sandbox's Ceph RADOS Gateway, on loopback),
 * once as an app does it with this repository's client (POST /v1/uploads, part URLs in batches,
 * presigned PUTs, complete, all through the real handlers) and once with `@aws-sdk/lib-storage`
 * holding the app role's credentials from the identity pool (what pattern 1 does), same part size
 * and concurrency, runs interleaved. Both go through the sandbox's IAM gateway, as both would be
 * decided by IAM in AWS.
 * Then the cost of a kill: an upload process SIGKILLed with a part on the wire, a second one
 * resuming from the same store, the re-sent parts counted at a loopback proxy.
 */
export const benchUpload: Bench<UploadJson> = async ({ quick, note }) => {
  // Large enough that the transfer, not the three control-plane calls, is what is compared.
  const sizeMiB = quick ? 128 : 256;
  const runs = quick ? 2 : 3;
  note(`starting the sandbox (S3 engine, API, issuer)`);
  const sandbox = await startSandbox({ args: ["--port", "0", "--scanner", "off"] });
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-upload-"));
  try {
    const token = await tokenFor(sandbox, SUB, TENANT);
    const bytes = new Uint8Array(randomBytes(sizeMiB * MIB));
    const { partSize } = partLayout(bytes.byteLength);
    // In Node the client is given the same kind of transport lib-storage uses (node:http, keep-alive);
    // on devices it uses the platform's fetch. Node's own fetch is measured too, for information.
    const client = createStorageClient({ apiUrl: sandbox.ready.api, getToken: () => token, concurrency: CONCURRENCY, fetch: createNodeFetch() });
    const clientOnGlobalFetch = createStorageClient({ apiUrl: sandbox.ready.api, getToken: () => token, concurrency: CONCURRENCY });
    // Neither side computes CRC32 checksums: the comparison is of the transport, not of hashing.
    const s3 = engineAdmin(sandbox);
    const direct = directS3(sandbox, token);
    const bucket = pooledBucket(sandbox);
    note(`${sizeMiB} MiB, ${runs} runs each, client vs lib-storage, ${CONCURRENCY} parts at a time`);
    const [viaClient, viaSdk, viaGlobalFetch] = await interleaved(
      runs,
      [
        async () => {
          await client.upload(bytes, { path: "bench/client.mp4", contentType: "video/mp4" });
        },
        async () => {
          await new Upload({
            client: direct,
            params: { Bucket: bucket, Key: `${HOME}bench/sdk.mp4`, Body: bytes, ContentType: "video/mp4" },
            partSize,
            queueSize: CONCURRENCY,
            leavePartsOnError: false,
          }).done();
        },
        async () => {
          await clientOnGlobalFetch.upload(bytes, { path: "bench/client-global-fetch.mp4", contentType: "video/mp4" });
        },
      ],
      // The engine keeps its data in 2 GiB of memory and the bucket is versioned: delete every version.
      { after: () => deleteAllVersions(s3, bucket, `${HOME}bench/`) },
    );
    s3.destroy();
    direct.destroy();
    const clientMiBs = sizeMiB / (viaClient.medianMs / 1000);
    const sdkMiBs = sizeMiB / (viaSdk.medianMs / 1000);
    const throughputRatio = clientMiBs / sdkMiBs;
    const globalFetchMiBs = sizeMiB / (viaGlobalFetch.medianMs / 1000);

    note("kill -9 mid-upload, then resume from the same store");
    const resume = await killAndResume(sandbox, token, scratch);

    const rows: BenchRow[] = [
      {
        measure: `upload: presigned multipart via the client, createNodeFetch (${sizeMiB} MiB, ${CONCURRENCY} parts at a time, median of ${runs})`,
        value: `${count(clientMiBs, 1)} MiB/s`,
        reference: `lib-storage, pattern 1 ${count(sdkMiBs, 1)} MiB/s`,
        ratio: ratio(throughputRatio),
        target: `≥ ${MIN_THROUGHPUT_RATIO}× lib-storage`,
        met: throughputRatio >= MIN_THROUGHPUT_RATIO,
      },
      {
        measure: `upload: the same through Node's global fetch (undici), for information`,
        value: `${count(globalFetchMiBs, 1)} MiB/s`,
        reference: `lib-storage, pattern 1 ${count(sdkMiBs, 1)} MiB/s`,
        ratio: ratio(globalFetchMiBs / sdkMiBs),
        target: "",
      },
      {
        measure: `upload: re-sent after kill -9 (${resume.partCount} parts, ${resume.resumedParts} resumed, 1 part at a time)`,
        value: `${resume.resentParts} parts (${count(resume.bytesResent / MIB, 1)} MiB)`,
        reference: `part ${count(resume.partSize / MIB, 1)} MiB`,
        ratio: ratio(resume.bytesResent / resume.partSize),
        target: `≤ ${MAX_RESENT_PARTS} part`,
        met: resume.resentParts <= MAX_RESENT_PARTS && resume.resentAfterSuccess === 0,
      },
    ];
    return {
      json: {
        throughputRatio,
        resentParts: resume.resentParts,
        bytesResent: resume.bytesResent,
        resentAfterSuccess: resume.resentAfterSuccess,
        sizeMiB,
        clientMiBPerSecond: clientMiBs,
        libStorageMiBPerSecond: sdkMiBs,
        clientSamplesMs: viaClient.samplesMs,
        libStorageSamplesMs: viaSdk.samplesMs,
        globalFetchMiBPerSecond: globalFetchMiBs,
      },
      rows,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await sandbox.stop();
  }
};


/** The pooled bucket: the one whose name the sandbox lists first that is not a log or audit bucket. */
function pooledBucket(sandbox: RunningSandbox): string {
  const bucket = sandbox.ready.s3.buckets.find((name) => !/log|audit|trail/.test(name));
  if (bucket === undefined) {
    throw new Error(`the sandbox has no storage bucket: ${sandbox.ready.s3.buckets.join(", ")}`);
  }
  return bucket;
}

async function deleteAllVersions(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const { Versions = [], DeleteMarkers = [] } = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  for (const version of [...Versions, ...DeleteMarkers]) {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: version.Key!, VersionId: version.VersionId }));
  }
}


interface ResumeCost {
  partCount: number;
  partSize: number;
  resumedParts: number;
  resentParts: number;
  resentAfterSuccess: number;
  bytesResent: number;
}

/** An upload process killed with a part on the wire, and a second one finishing from its store. */
async function killAndResume(sandbox: RunningSandbox, token: string, scratch: string): Promise<ResumeCost> {
  const size = 41 * MIB;
  const { partSize, partCount } = partLayout(size);
  const file = path.join(scratch, "resume.mp4");
  writeFileSync(file, randomBytes(size));
  // A 25 MiB/s link: a part takes ~0.2 s, so the kill lands while one is on the wire.
  const proxy: FaultProxy = await startFaultProxy({
    target: sandbox.ready.s3.endpoint,
    decide: (r) => (r.method === "PUT" && r.partNumber !== undefined ? { kind: "slow", bytesPerSecond: 25 * MIB } : undefined),
  });
  try {
    const env = {
      API_URL: sandbox.ready.api,
      ID_TOKEN: token,
      ENGINE_ORIGIN: sandbox.ready.s3.endpoint,
      PROXY_ORIGIN: proxy.url,
      STORE_DIR: path.join(scratch, "store"),
      FILE: file,
      UPLOAD_PATH: "bench/resume.mp4",
      CONCURRENCY: "1",
    };
    await killMidPart(proxy, 0, startUploadProcess(env));
    const since = proxy.requests.length;
    const result = await startUploadProcess(env).result;
    const uploadId = proxy.requests.find((r) => r.method === "PUT" && r.partNumber !== undefined)!.uploadId;
    const resends = partResends(proxy.requests, { uploadId, since });
    return {
      partCount,
      partSize,
      resumedParts: result.resumedParts,
      resentParts: resends.resentParts.length,
      resentAfterSuccess: resends.resentAfterSuccess.length,
      bytesResent: resends.bytesResent,
    };
  } finally {
    await proxy.close();
  }
}
