import * as assert from "node:assert/strict";
import { Readable } from "node:stream";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { s3Client } from "../../../functions/shared/s3-client";
import { s3Store } from "../../../functions/shared/s3-store";
import { createUploadsHandler } from "../../../functions/uploads/app";
import { functionEnvironment } from "../../../infra/api/function-environment";
import { createIndexTable, dynamoDbClient } from "../../harness/dynamodb";
import { ENVIRONMENT_INPUT, SILO_BUCKET } from "../../infra/api/fixtures";
import { httpApiEvent, recordingLogger } from "../fixtures";

const MIB = 1024 ** 2;
const SSE_HEADER = /^x-amz-server-side-encryption/i;

/** What the test reads of an HTTP request the SDK hands its request handler. */
interface SentRequest {
  method: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
}

/** The S3 requests the function sends, answered as S3 answers CreateMultipartUpload; nothing leaves the process. */
function recordingS3() {
  const sent: SentRequest[] = [];
  const client = s3Client({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-for-signing-only" },
    requestHandler: {
      handle: async (request: SentRequest) => {
        sent.push(request);
        const xml = `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${SILO_BUCKET}</Bucket><Key>k</Key><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>`;
        return { response: { statusCode: 200, headers: { "content-type": "application/xml" }, body: Readable.from([Buffer.from(xml)]) } };
      },
    },
  });
  return { client, sent };
}

const signedHeaders = (url: string) => new URL(url).searchParams.get("X-Amz-SignedHeaders")!.split(";");
const query = (url: string) => [...new URL(url).searchParams.keys()];

/**
 * The uploads function built by its own factory from exactly the environment the program deploys
 * (`functionEnvironment("uploads", …)`), behind API Gateway's authorizer, with an S3 client whose
 * requests are recorded. "Setting default server-side encryption behavior for Amazon S3 buckets": a
 * write naming no encryption gets the bucket's default, SSE-KMS with its own key; naming `aws:kms`
 * without a key id would get aws/s3 ("Specifying server-side encryption with AWS KMS (SSE-KMS)"), which
 * the bucket policy refuses. "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)":
 * every x-amz-* header sent with a presigned URL must be signed, so an uploader cannot add one.
 */
describe("functions/uploads as deployed: no server-side encryption header in any upload", () => {
  const env = functionEnvironment("uploads", ENVIRONMENT_INPUT);
  const { client, sent } = recordingS3();
  let dynamodb: DynamoDBClient;
  let handler: ReturnType<typeof createUploadsHandler>;
  before(async () => {
    // The deployed INDEX_TABLE, created in the local DynamoDB: the quota's promise is recorded there.
    dynamodb = await dynamoDbClient();
    await createIndexTable(dynamodb, env.INDEX_TABLE);
    handler = createUploadsHandler(env, { store: s3Store(client), dynamodb, log: recordingLogger() });
  });
  after(() => {
    client.destroy();
    dynamodb?.destroy();
  });

  const createUpload = async (body: object) => {
    const result = await handler({ ...httpApiEvent("POST /v1/uploads"), body: JSON.stringify(body) });
    assert.equal(result.statusCode, 200, result.body);
    return JSON.parse(result.body!);
  };

  it("is deployed without SERVER_SIDE_ENCRYPTION", () => {
    assert.ok(!("SERVER_SIDE_ENCRYPTION" in env));
  });

  it("signs a single PUT with no SSE header, neither to send nor in the query", async () => {
    const answer = await createUpload({ path: "photos/cat.jpg", contentType: "image/jpeg", size: 4096 });
    assert.equal(answer.mode, "single");
    assert.deepEqual(Object.keys(answer.headers).filter((h) => SSE_HEADER.test(h)), []);
    assert.deepEqual(signedHeaders(answer.url).filter((h) => SSE_HEADER.test(h)), []);
    assert.deepEqual(query(answer.url).filter((q) => SSE_HEADER.test(q)), []);
    assert.ok(signedHeaders(answer.url).includes("content-type"), "the URL is signed with its headers, so x-amz-* ones would be too");
    assert.ok(signedHeaders(answer.url).includes("x-amz-tagging"), "the owner tag is one of them");
  });

  it("starts a multipart upload with no SSE header, and signs its parts with none", async () => {
    sent.length = 0;
    const answer = await createUpload({ path: "clips/trip.mp4", contentType: "video/mp4", size: 64 * MIB });
    assert.equal(answer.mode, "multipart");
    // CreateMultipartUpload only: the quota's promise goes to the object index, not to S3.
    assert.equal(sent.length, 1, sent.map((r) => `${r.method} ${Object.keys(r.query).join("&")}`).join(", "));
    const creates = sent.filter((r) => r.method === "POST" && "uploads" in r.query);
    assert.equal(creates.length, 1, "one CreateMultipartUpload (POST ?uploads)");
    for (const request of sent) {
      assert.deepEqual(Object.keys(request.headers).filter((h) => SSE_HEADER.test(h)), [], `${request.method} ${Object.keys(request.query).join("&")}`);
    }
    for (const part of answer.parts as { url: string }[]) {
      assert.deepEqual(signedHeaders(part.url).filter((h) => SSE_HEADER.test(h)), []);
    }
  });
});
