import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

/**
 * A stand-in for the AWS endpoints a function's first request calls, on 127.0.0.1 only, so the
 * benchmark's first requests go through the SDK's whole path (load, client, credentials, endpoint
 * rules, signing, an HTTP round trip, parsing the answer) and never reach the network. It answers
 * at once with canned bodies in the services' own formats:
 * - Secrets Manager `GetSecretValue` (AWS JSON 1.1): the secret string it was given;
 * - DynamoDB (AWS JSON 1.0): an empty table (GetItem finds no item, Query and Scan no items) that
 *   takes every write (PutItem, UpdateItem, DeleteItem answer as DynamoDB does when no old values
 *   are asked for, or none exist);
 * - S3, path style: the objects it was given (HEAD, ListObjectVersions, GetObjectTagging), nothing
 *   else (HEAD 404, an empty ListObjectsV2 or ListObjectVersions); PutObject: 200 with an ETag;
 *   anything else: S3's `NoSuchKey` error.
 */
export interface LoopbackAws {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The calls received since the last `take()`, as `<service> <operation>`, and forgets them. */
  take(): string[];
  close(): Promise<void>;
}

/** An object S3 holds, as far as the stand-in answers for it: one version, its headers and tags. */
export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as S3 sends it. */
  etag: string;
  lastModified: Date;
  contentType: string;
  versionId: string;
  tags: Record<string, string>;
}

const XML = { "content-type": "application/xml" };
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const S3_NAMESPACE = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const NO_SUCH_KEY = `${XML_DECLARATION}<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>bench</RequestId></Error>`;

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const emptyListing = (bucket: string) =>
  `${XML_DECLARATION}<ListBucketResult ${S3_NAMESPACE}>` +
  `<Name>${escapeXml(bucket)}</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;

const versionListing = (bucket: string, prefix: string, objects: StoredObject[]) =>
  `${XML_DECLARATION}<ListVersionsResult ${S3_NAMESPACE}><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
  "<KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>" +
  objects
    .map(
      (o) =>
        `<Version><Key>${escapeXml(o.key)}</Key><VersionId>${escapeXml(o.versionId)}</VersionId><IsLatest>true</IsLatest>` +
        `<LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Version>`,
    )
    .join("") +
  "</ListVersionsResult>";

const tagging = (tags: Record<string, string>) =>
  `${XML_DECLARATION}<Tagging ${S3_NAMESPACE}><TagSet>` +
  Object.entries(tags)
    .map(([key, value]) => `<Tag><Key>${escapeXml(key)}</Key><Value>${escapeXml(value)}</Value></Tag>`)
    .join("") +
  "</TagSet></Tagging>";

/** DynamoDB's answers for an empty table that takes every write. */
const DYNAMODB_ANSWERS: Record<string, unknown> = {
  GetItem: {},
  PutItem: {},
  UpdateItem: {},
  DeleteItem: {},
  Query: { Items: [], Count: 0, ScannedCount: 0 },
  Scan: { Items: [], Count: 0, ScannedCount: 0 },
};

function answerJson(response: ServerResponse, contentType: string, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": contentType });
  response.end(JSON.stringify(body));
}

function answer(request: IncomingMessage, response: ServerResponse, secretString: string, stored: readonly StoredObject[]): string {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const target = request.headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith("secretsmanager.")) {
    const operation = target.slice("secretsmanager.".length);
    const json = "application/x-amz-json-1.1";
    if (operation === "GetSecretValue") {
      answerJson(response, json, 200, { ARN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:bench", Name: "bench", SecretString: secretString, VersionId: "v1" });
    } else {
      answerJson(response, json, 400, { __type: "InvalidRequestException", message: `the bench does not answer ${operation}` });
    }
    return `secretsmanager ${operation}`;
  }
  if (typeof target === "string" && target.startsWith("AWSCognitoIdentityProviderService.")) {
    // The admin function's revocation: every user is in tenant acme, the bench's.
    const operation = target.slice("AWSCognitoIdentityProviderService.".length);
    const json = "application/x-amz-json-1.1";
    if (operation === "AdminGetUser") {
      answerJson(response, json, 200, { Username: "bench", Enabled: true, UserAttributes: [{ Name: "custom:tenant", Value: "acme" }] });
    } else if (operation === "AdminUserGlobalSignOut" || operation === "AdminDisableUser") {
      answerJson(response, json, 200, {});
    } else {
      answerJson(response, json, 400, { __type: "InvalidParameterException", message: `the bench does not answer ${operation}` });
    }
    return `cognito-idp ${operation}`;
  }
  if (typeof target === "string" && target.startsWith("DynamoDB_20120810.")) {
    const operation = target.slice("DynamoDB_20120810.".length);
    const json = "application/x-amz-json-1.0";
    if (operation in DYNAMODB_ANSWERS) {
      answerJson(response, json, 200, DYNAMODB_ANSWERS[operation]);
    } else {
      answerJson(response, json, 400, { __type: "com.amazon.coral.service#UnknownOperationException", message: `the bench does not answer ${operation}` });
    }
    return `dynamodb ${operation}`;
  }
  // Path style (S3_ENDPOINT): /<bucket>/<key>.
  const [, bucketSegment = "", ...keySegments] = url.pathname.split("/");
  const bucket = decodeURIComponent(bucketSegment);
  const key = keySegments.map(decodeURIComponent).join("/");
  const object = stored.find((o) => o.bucket === bucket && o.key === key);
  if (request.method === "GET" && url.searchParams.get("list-type") === "2") {
    response.writeHead(200, XML);
    response.end(emptyListing(bucket));
    return "s3 ListObjectsV2";
  }
  if (request.method === "GET" && url.searchParams.has("versions")) {
    const prefix = url.searchParams.get("prefix") ?? "";
    response.writeHead(200, XML);
    response.end(versionListing(bucket, prefix, stored.filter((o) => o.bucket === bucket && o.key.startsWith(prefix))));
    return "s3 ListObjectVersions";
  }
  if (request.method === "GET" && url.searchParams.has("tagging") && object !== undefined) {
    response.writeHead(200, { ...XML, "x-amz-version-id": object.versionId });
    response.end(tagging(object.tags));
    return "s3 GetObjectTagging";
  }
  if (request.method === "PUT" && !url.searchParams.has("tagging")) {
    response.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
    response.end();
    return "s3 PutObject";
  }
  if (request.method === "HEAD") {
    if (object === undefined) {
      response.writeHead(404);
    } else {
      response.writeHead(200, {
        "content-length": String(object.size),
        "content-type": object.contentType,
        etag: object.etag,
        "last-modified": object.lastModified.toUTCString(),
        "x-amz-version-id": object.versionId,
      });
    }
    response.end();
    return "s3 HeadObject";
  }
  response.writeHead(404, XML);
  response.end(NO_SUCH_KEY);
  return `s3 ${request.method} ${url.search === "" ? "object" : url.search.slice(1).split("&")[0]}`;
}

/** Starts the stand-in on a free loopback port, holding `stored` in S3. */
export async function startLoopbackAws(secretString: string, stored: readonly StoredObject[] = []): Promise<LoopbackAws> {
  let calls: string[] = [];
  const server = createServer((request, response) => {
    // The whole body first, as a service reads it, then the answer.
    request.resume();
    request.on("end", () => calls.push(answer(request, response, secretString, stored)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
