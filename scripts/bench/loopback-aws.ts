import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

/**
 * A stand-in for the AWS endpoints a function's first request calls, on 127.0.0.1 only, so the
 * benchmark's first requests go through the SDK's whole path (load, client, credentials, endpoint
 * rules, signing, an HTTP round trip, parsing the answer) and never reach the network. It answers
 * at once with canned bodies in the services' own formats:
 * - Secrets Manager `GetSecretValue` (AWS JSON 1.1): the secret string it was given;
 * - S3 ListObjectsV2: an empty listing; PutObject: 200 with an ETag; HEAD: 404 (the object is gone);
 * - anything else: S3's `NoSuchKey` error.
 */
export interface LoopbackAws {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The calls received since the last `take()`, as `<service> <operation>`, and forgets them. */
  take(): string[];
  close(): Promise<void>;
}

const XML = { "content-type": "application/xml" };
const NO_SUCH_KEY =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>bench</RequestId></Error>';
const emptyListing = (bucket: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  `<Name>${bucket}</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;

function answer(request: IncomingMessage, response: ServerResponse, secretString: string): string {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const target = request.headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith("secretsmanager.")) {
    const operation = target.slice("secretsmanager.".length);
    if (operation === "GetSecretValue") {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ ARN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:bench", Name: "bench", SecretString: secretString, VersionId: "v1" }));
    } else {
      response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ __type: "InvalidRequestException", message: `the bench does not answer ${operation}` }));
    }
    return `secretsmanager ${operation}`;
  }
  // Path style (S3_ENDPOINT): /<bucket>/<key>.
  const bucket = decodeURIComponent(url.pathname.split("/")[1] ?? "");
  if (request.method === "GET" && url.searchParams.get("list-type") === "2") {
    response.writeHead(200, XML);
    response.end(emptyListing(bucket));
    return "s3 ListObjectsV2";
  }
  if (request.method === "PUT" && !url.searchParams.has("tagging")) {
    response.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
    response.end();
    return "s3 PutObject";
  }
  if (request.method === "HEAD") {
    response.writeHead(404);
    response.end();
    return "s3 HeadObject";
  }
  response.writeHead(404, XML);
  response.end(NO_SUCH_KEY);
  return `s3 ${request.method} ${url.search === "" ? "object" : url.search.slice(1).split("&")[0]}`;
}

/** Starts the stand-in on a free loopback port. */
export async function startLoopbackAws(secretString: string): Promise<LoopbackAws> {
  let calls: string[] = [];
  const server = createServer((request, response) => {
    // The whole body first, as a service reads it, then the answer.
    request.resume();
    request.on("end", () => calls.push(answer(request, response, secretString)));
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
