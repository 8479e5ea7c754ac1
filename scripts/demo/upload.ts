import { type Answer, type ApiClient, expectAnswer, send, UnexpectedAnswerError } from "./api-client";
import { type Progress, silentProgress } from "./progress";

/** A file on the phone: where it goes in the user's home, what it is, its bytes. */
export interface LocalFile {
  path: string;
  contentType: string;
  bytes: Uint8Array;
}

export type SinglePlan = { mode: "single"; path: string; url: string; method: string; headers: Record<string, string>; expiresAt: string };
export type MultipartPlan = { mode: "multipart"; path: string; uploadId: string; partSize: number; partCount: number; expiresAt: string };
export type UploadPlan = SinglePlan | MultipartPlan;

export interface Uploaded {
  path: string;
  mode: "single" | "multipart";
  size: number;
  /** Parts sent (1 for a single PUT). */
  parts: number;
}

/** Part URLs asked for per request: below the API's default batch cap (20), so any dev stack serves it. */
const PART_URL_BATCH = 10;
/** Parts in flight at once: a phone on a mobile network does not do much better. */
const PART_CONCURRENCY = 2;

/** POST /v1/uploads: the server decides single or multipart from the size. */
export async function planUpload(client: ApiClient, file: LocalFile): Promise<UploadPlan> {
  const answer = await client.call("POST", "/v1/uploads", {
    body: { path: file.path, contentType: file.contentType, size: file.bytes.byteLength },
  });
  return expectAnswer<UploadPlan>(answer, { status: 200 }, `POST /v1/uploads ${file.path}`);
}

/** The whole upload as an app does it: plan, then one signed PUT or the parts and the completion. */
export async function uploadFile(client: ApiClient, file: LocalFile, progress: Progress = silentProgress("", 0)): Promise<Uploaded> {
  const plan = await planUpload(client, file);
  try {
    if (plan.mode === "single") {
      await putSingle(plan, file.bytes);
      progress.advance(file.bytes.byteLength, "1/1");
      return { path: plan.path, mode: "single", size: file.bytes.byteLength, parts: 1 };
    }
    return await uploadParts(client, plan, file.bytes, progress);
  } finally {
    progress.end();
  }
}

/** PUT to the signed URL with exactly the headers the server signed. */
export async function putSingle(plan: SinglePlan, bytes: Uint8Array, url = plan.url): Promise<Answer> {
  const answer = await send(url, { method: plan.method, headers: plan.headers, body: bytes });
  expectAnswer(answer, { status: 200 }, `PUT presigned URL for ${plan.path}`);
  return answer;
}

async function uploadParts(client: ApiClient, plan: MultipartPlan, bytes: Uint8Array, progress: Progress): Promise<Uploaded> {
  const numbers = Array.from({ length: plan.partCount }, (_, i) => i + 1);
  const urls = new Map<number, string>();
  for (let i = 0; i < numbers.length; i += PART_URL_BATCH) {
    const batch = numbers.slice(i, i + PART_URL_BATCH);
    const answer = await client.call("POST", `/v1/uploads/${encodeURIComponent(plan.uploadId)}/parts`, {
      body: { path: plan.path, partNumbers: batch },
    });
    const { parts } = expectAnswer<{ parts: { partNumber: number; url: string }[] }>(
      answer,
      { status: 200 },
      `POST /v1/uploads/{id}/parts ${plan.path} [${batch.join(",")}]`,
    );
    parts.forEach((part) => urls.set(part.partNumber, part.url));
  }

  const etags = new Map<number, string>();
  let next = 0;
  const worker = async () => {
    while (next < numbers.length) {
      const partNumber = numbers[next++];
      const chunk = bytes.subarray((partNumber - 1) * plan.partSize, partNumber * plan.partSize);
      const answer = await send(urls.get(partNumber)!, { method: "PUT", body: chunk });
      expectAnswer(answer, { status: 200 }, `PUT part ${partNumber} of ${plan.path}`);
      const etag = answer.headers.get("etag");
      if (etag === null) {
        // Without ETag in the bucket's CORS ExposeHeaders a browser app could not read it either.
        throw new UnexpectedAnswerError(`PUT part ${partNumber} of ${plan.path} (ETag header)`, { status: 200 }, answer);
      }
      etags.set(partNumber, etag);
      progress.advance(chunk.byteLength, `part ${etags.size}/${plan.partCount}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, numbers.length) }, worker));

  const answer = await client.call("POST", `/v1/uploads/${encodeURIComponent(plan.uploadId)}/complete`, {
    body: { path: plan.path, parts: numbers.map((partNumber) => ({ partNumber, etag: etags.get(partNumber)! })) },
  });
  const done = expectAnswer<{ path: string; size: number }>(answer, { status: 200 }, `POST /v1/uploads/{id}/complete ${plan.path}`);
  if (done.size !== bytes.byteLength) {
    throw new UnexpectedAnswerError(`completed ${plan.path} has ${done.size} bytes, sent ${bytes.byteLength}`, { status: 200 }, answer);
  }
  return { path: done.path, mode: "multipart", size: done.size, parts: plan.partCount };
}
