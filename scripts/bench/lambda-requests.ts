import { ENV, type FunctionName, OWNER_TAG } from "@mobile-s3/contract";
import { scanResultEvent } from "../../sandbox/local-guardduty";
import { randomUUID } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { toHttpApiEvent, type LocalRequest } from "../../sandbox/http-event";
import { LocalIssuer } from "../../sandbox/issuer";
import { BENCH_INDEX_TABLE, BENCH_REGION, POOLED_BUCKET } from "./lambda-environment";
import { type StoredObject } from "./loopback-aws";

/** A caller in a pooled tenant: their objects are in the pooled bucket, whose requests go to S3_ENDPOINT. */
const SUB = "5f2d1c3e-0000-4000-8000-0000000be4c4";
const TENANT = "acme";

/** The smallest thing the proxy's content check takes for a JPEG: its magic bytes, then some data. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from("JFIF\0bench pixel")]);

/** One request a function serves, as its first after a cold start. */
export interface FirstRequest {
  /** The route key (API functions) or the event's kind. */
  route: string;
  event: unknown;
}

interface ApiCall {
  routeKey: string;
  url: string;
  body?: Buffer;
  contentType?: string;
  /** The proxy's body arrives base64-encoded, as API Gateway passes a binary body. */
  binary?: boolean;
  /** The route's path parameters, as API Gateway extracts them. */
  pathParameters?: Record<string, string>;
}

/** What each API function's first request is: a common one that reaches AWS. */
const API_CALLS: Record<Exclude<FunctionName, "scan" | "indexer">, ApiCall> = {
  // A single PUT: its bytes reserved in the object index (one UpdateItem), the URL presigned locally,
  // so the S3 SDK loads for the client's credentials and endpoint rules.
  uploads: {
    routeKey: "POST /v1/uploads",
    url: "/v1/uploads",
    body: Buffer.from(JSON.stringify({ path: "photos/cat.jpg", contentType: "image/jpeg", size: 1024 * 1024 })),
    contentType: "application/json",
  },
  // A listing of the home: one Query of the object index.
  objects: { routeKey: "GET /v1/objects", url: "/v1/objects" },
  // The key from Secrets Manager, then cookies signed with it.
  "cdn-session": { routeKey: "POST /v1/cdn-session", url: "/v1/cdn-session" },
  // Checked, scanned (by a stand-in, see clamscanStandIn), reserved in the index, then one PutObject.
  proxy: { routeKey: "POST /v1/proxy/objects", url: "/v1/proxy/objects?path=photos/pixel.jpg", body: JPEG, contentType: "image/jpeg", binary: true },
  // An administrator revoking a user of their tenant: the revocation item written, then Cognito's
  // AdminGetUser and AdminUserGlobalSignOut, so the Cognito SDK loads.
  admin: { routeKey: "POST /v1/admin/users/{sub}/revoke", url: `/v1/admin/users/${SUB}/revoke`, pathParameters: { sub: SUB } },
};

/**
 * The claims API Gateway's JWT authorizer hands a function for a Cognito ID token: in
 * `requestContext.authorizer.jwt.claims`, every value a string.
 */
function authorizerClaims(issuer: LocalIssuer): Record<string, string> {
  const claims = { ...issuer.claims({ sub: SUB, tenant: TENANT, "cognito:username": SUB, email: "bench@example.com" }), "cognito:groups": "[admins]" };
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, String(value)]));
}

function apiEvent(call: ApiCall, issuer: LocalIssuer, now: Date): unknown {
  const body = call.body ?? Buffer.alloc(0);
  const request: LocalRequest = {
    method: call.routeKey.split(" ")[0],
    url: call.url,
    headers: {
      host: "api.bench.example.com",
      authorization: `Bearer ${issuer.token({ sub: SUB, tenant: TENANT })}`,
      "user-agent": "mobile-s3-bench",
      ...(call.contentType === undefined ? {} : { "content-type": call.contentType }),
      ...(body.byteLength === 0 ? {} : { "content-length": String(body.byteLength) }),
    },
    body,
  };
  const event = toHttpApiEvent(request, { routeKey: call.routeKey, pathParameters: call.pathParameters ?? {} }, call.binary ?? false, now);
  return { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims: authorizerClaims(issuer), scopes: null } } } };
}

const homeKey = (path: string) => `tenants/${TENANT}/home/${SUB}/${path}`;

/** The upload the indexer's first request is about: S3 holds it (the loopback stand-in answers for it). */
export function storedUpload(now: Date = new Date()): StoredObject {
  return {
    bucket: POOLED_BUCKET,
    key: homeKey("photos/2024/dog.jpg"),
    size: 1024 * 1024,
    etag: '"9e107d9d372bb6826bd81d3542a419d6"',
    // S3 keeps LastModified to the second.
    lastModified: new Date(Math.floor(now.getTime() / 1000) * 1000 - 1000),
    contentType: "image/jpeg",
    versionId: "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
    tags: { [OWNER_TAG]: SUB },
  };
}

/** The EventBridge event S3 sends for a new upload in the pooled bucket. */
function objectCreated(now: Date, key = homeKey("photos/cat.jpg"), size = 1024 * 1024, etag = "d41d8cd98f00b204e9800998ecf8427e"): unknown {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "123456789012",
    time: now.toISOString(),
    region: BENCH_REGION,
    resources: [`arn:aws:s3:::${POOLED_BUCKET}`],
    detail: {
      version: "0",
      bucket: { name: POOLED_BUCKET },
      object: { key, size, etag, sequencer: "0062E99A88DC407460" },
      "request-id": "BENCH0000000000",
      requester: "123456789012",
      "source-ip-address": "192.0.2.1",
      reason: "PutObject",
    },
  };
}

/** S3's "Object Created" for the upload `storedUpload` describes. */
function indexerEvent(now: Date): unknown {
  const upload = storedUpload(now);
  return objectCreated(now, upload.key, upload.size, upload.etag.replace(/"/g, ""));
}

/** GuardDuty's scan result for an infected upload in the pooled bucket. */
export function guardDutyThreat(now: Date): Record<string, unknown> {
  const created = objectCreated(now) as { detail: { object: { key: string; etag: string } } };
  return {
    ...scanResultEvent({
      bucket: POOLED_BUCKET,
      key: created.detail.object.key,
      etag: created.detail.object.etag,
      result: "THREATS_FOUND",
      threat: "EICAR-Test-File",
      region: BENCH_REGION,
      accountId: "123456789012",
    }),
    time: now.toISOString(),
  };
}

/** Each function's first request, with tokens from one throwaway issuer (no one verifies them: the authorizer did). */
export function firstRequests(now: Date = new Date()): Record<FunctionName, FirstRequest> {
  const issuer = new LocalIssuer(`https://cognito-idp.${BENCH_REGION}.amazonaws.com/${BENCH_REGION}_BENCH`, "bench-app-client");
  const api = (fn: keyof typeof API_CALLS): FirstRequest => ({ route: API_CALLS[fn].routeKey, event: apiEvent(API_CALLS[fn], issuer, now) });
  return {
    uploads: api("uploads"),
    objects: api("objects"),
    "cdn-session": api("cdn-session"),
    proxy: api("proxy"),
    admin: api("admin"),
    // The deployed default scanner is GuardDuty: the function's event is its scan result. Answered
    // 404 by the stand-in: the function's first S3 call, then "object gone".
    scan: { route: "GuardDuty scan result, threats found (EventBridge)", event: guardDutyThreat(now) },
    // A new upload S3 holds: its versions, headers and tags read from S3, then the key, usage, object
    // and folder items written (the stand-in's DynamoDB takes every write).
    indexer: { route: "S3 Object Created (EventBridge)", event: indexerEvent(now) },
  };
}

/**
 * A `clamscan` that calls every file clean at once, written into `dir`. The real one loads its
 * signature database on every scan (seconds with the public one): that would swamp what this
 * benchmark is after, where the SDK loads; functions/scan/README.md gives the scan's own cost.
 */
export function clamscanStandIn(dir: string): string {
  const file = path.join(dir, "clamscan");
  writeFileSync(file, '#!/bin/sh\n# The file is the last argument; answer as clamscan --stdout --no-summary does.\nfor file; do :; done\necho "$file: OK"\n');
  chmodSync(file, 0o755);
  return file;
}

/**
 * What a first request needs beyond the program's settings (`programEnv`): every AWS endpoint on the
 * loopback stand-in (S3 through S3_ENDPOINT and DynamoDB through DYNAMODB_ENDPOINT, as in the sandbox;
 * Secrets Manager through AWS_ENDPOINT_URL), credentials in the environment as Lambda gives a function
 * its role's (fake ones: nothing here reaches AWS, and with them the SDK never asks an instance
 * metadata service), and the clamscan stand-in. INDEX_TABLE only where the program's settings have
 * none, so a function that reads the index still starts (one that does not ignores it).
 */
export function firstRequestEnvironment(endpoint: string, clamscan: string, programEnv: Record<string, string> = {}): Record<string, string> {
  return {
    ...(programEnv[ENV.indexTable] === undefined ? { [ENV.indexTable]: BENCH_INDEX_TABLE } : {}),
    S3_ENDPOINT: endpoint,
    [ENV.dynamodbEndpoint]: endpoint,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "ASIABENCHEXAMPLE0000",
    AWS_SECRET_ACCESS_KEY: "bench+secret+key+that+signs+nothing+real",
    AWS_SESSION_TOKEN: "bench-session-token",
    AWS_EC2_METADATA_DISABLED: "true",
    CLAMSCAN_PATH: clamscan,
  };
}
