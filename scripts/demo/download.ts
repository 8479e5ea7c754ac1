import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type Answer, type ApiClient, errorCodeOf, expectAnswer, UnexpectedAnswerError } from "./api-client";

export interface Downloaded {
  path: string;
  size: number;
  /** How long the object stayed unreadable (409 NotScanned) before the scanner passed it. */
  waitedForScanMs: number;
  /** How many times the API answered 409 NotScanned meanwhile. */
  notScannedAnswers: number;
  /** The presigned GET the API signed, for the tampering attempts. */
  url: string;
}

const POLL_MS = 500;

/**
 * What an app does after an upload: ask for a download URL until the scanner has passed the
 * object (409 NotScanned meanwhile, nothing else), then GET it from S3 and compare it with what it
 * sent, byte for byte.
 */
export async function downloadWhenScanned(client: ApiClient, path: string, expected: Uint8Array, timeoutMs: number): Promise<Downloaded> {
  const started = Date.now();
  let answer: Answer;
  let notScannedAnswers = 0;
  for (;;) {
    answer = await client.call("GET", "/v1/objects/url", { query: { path } });
    if (answer.status !== 409 || errorCodeOf(answer) !== "NotScanned") {
      break;
    }
    notScannedAnswers += 1;
    if (Date.now() - started > timeoutMs) {
      throw new UnexpectedAnswerError(`GET /v1/objects/url ${path} (still not scanned after ${timeoutMs / 1000} s)`, { status: 200 }, answer);
    }
    await sleep(POLL_MS);
  }
  const waitedForScanMs = Date.now() - started;
  const { url } = expectAnswer<{ url: string }>(answer, { status: 200 }, `GET /v1/objects/url ${path}`);

  const response = await fetch(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) {
    throw new UnexpectedAnswerError(`GET presigned URL of ${path}`, { status: 200 }, {
      status: response.status,
      body: Buffer.from(bytes).toString("utf8"),
      headers: response.headers,
    });
  }
  if (sha256(bytes) !== sha256(expected)) {
    throw new Error(`${path}: downloaded ${bytes.byteLength} bytes that differ from the ${expected.byteLength} bytes uploaded`);
  }
  return { path, size: bytes.byteLength, waitedForScanMs, notScannedAnswers, url };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
