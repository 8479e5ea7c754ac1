import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { uriEscape } from "../../functions/shared/presigner";
import { checkChecksums, statedChecksums } from "./checksums";
import { combine, decide } from "./evaluate";
import { type IdentityPoolStandIn } from "./identity-pool";
import { accountOf, type Principal, type PrincipalRegistry, roleArnOfSession } from "./principals";
import { type Check, classify, type ClassifiedRequest, gatesOf, parseTaggingXml, requestTagContext, type Target } from "./s3-request";
import { checkSignedPayload, decodeAwsChunked, failure, headerValue, parseQuery, type S3Failure, signRequest, type VerifiedRequest, verifySignature } from "./sigv4";
import { PendingUploadTags, taggingXml, uploadIdOfXml } from "./tagging";
import { readBoundedBody } from "../read-body";
import { DELETION_TYPE, EMITTING_OPERATIONS, EMPTY_ETAG, etagOfXml, isErrorXml, s3ObjectEvent, type S3ObjectEvent, type S3ObjectEventKind, Sequencer } from "../s3-events";

/**
 * An S3 endpoint on 127.0.0.1 in front of the engine (Ceph RGW) that decides every request the way
 * AWS would: it verifies SigV4 against its own principals (function roles, identity-pool sessions),
 * maps the request to the IAM authorizations S3 makes (s3-request.ts), decides them with the
 * caller's identity policies and the bucket's (or access point's) policy in the IAM simulator
 * (evaluate.ts), checks what Ceph 16 does not (unsigned x-amz-* headers, checksums, ACLs on
 * BucketOwnerEnforced buckets), and forwards what is allowed re-signed with the engine owner's keys.
 *
 * Transport: the gateway listens on plain HTTP on loopback and tells the policies
 * `aws:SecureTransport` = "true" and `s3:TlsVersion` = "1.3": loopback stands in for TLS, so the
 * buckets' DenyInsecureTransport / DenyOutdatedTls guards are evaluated but never fire.
 *
 * Events: since every request passes here, the gateway is also where S3's EventBridge events come
 * from (`onS3Event`): one per object change the engine carried out, built from its answer.
 *
 * Tags: what Ceph 16 leaves out, the gateway applies before it answers and before the event
 * (tagging.ts): a REPLACE copy's tags, a multipart upload's tags at its completion. So no reader
 * ever sees a copy with its source's tags (a scan verdict among them).
 */

export interface GatewayBucket {
  name: string;
  /** The bucket policy (a document or its JSON, as in sandbox/bucket-plan.ts). */
  policy?: unknown;
  /** `BucketOwnerEnforced` refuses ACLs other than bucket-owner-full-control. @default BucketOwnerEnforced */
  objectOwnership?: string;
}

export interface GatewayAccessPoint {
  /** The name S3's `Bucket` parameter carries (the alias, or the access point's name in the sandbox). */
  alias: string;
  /** `arn:aws:s3:<region>:<account>:accesspoint/<name>` */
  arn: string;
  /** The bucket behind it (one of `buckets`). */
  bucket: string;
  policy?: unknown;
}

export interface IamGatewayOptions {
  engine: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  buckets: GatewayBucket[];
  accessPoints?: GatewayAccessPoint[];
  principals: PrincipalRegistry;
  /** Served on the same port: requests carrying `X-Amz-Target: AWSCognitoIdentityService.*`. */
  identityPool?: IdentityPoolStandIn;
  accountId: string;
  /** Bodies the gateway must check are held in memory up to this size. @default 512 MiB */
  maxBufferedBytes?: number;
  /** One line per decided request. */
  onDecision?: (line: string) => void;
  /**
   * The event S3 sends EventBridge for each object change the engine carried out (sandbox/s3-events.ts):
   * PutObject, CopyObject and CompleteMultipartUpload → "Object Created", DeleteObject → "Object
   * Deleted", PutObjectTagging / DeleteObjectTagging → "Object Tags Added" / "Deleted", whatever the
   * key. Called after the answer went to the caller, never holding it up.
   */
  onS3Event?: (event: S3ObjectEvent) => void;
  /** The buckets that send their events to EventBridge. @default every bucket */
  eventBuckets?: string[];
}

export interface IamGateway {
  /** `http://127.0.0.1:<port>`: the S3 endpoint, and the identity pool's. */
  endpoint: string;
  /** Resolves once every event of a request already answered has been handed to `onS3Event`. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The engine's answer to a forwarded request, once complete. */
interface EngineAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the gateway does with a successful answer before the caller sees it: the answer it then gives. */
type Settle = (answer: EngineAnswer) => Promise<EngineAnswer>;

/** An object change forwarded to the engine, waiting for its answer to become an event. */
interface PendingChange {
  kind: S3ObjectEventKind;
  reason?: string;
  /** The bucket itself (an access point's requests change the bucket behind it). */
  bucket: string;
  key: string;
  requestVersionId?: string;
  /** PutObject: the bytes stored, when the gateway knows them. */
  storedBytes?: number;
  requester: string;
  sourceIp: string;
}

const asDocument = (policy: unknown) => (typeof policy === "string" ? JSON.parse(policy) : policy);

/** Headers of the caller's request forwarded to the engine as they are (unsigned there). */
const PASSED_HEADERS = new Set([
  "content-type",
  // S3 stores it unsigned on a presigned PUT, as it does the other Content-* headers: so must the sandbox.
  "content-encoding",
  // The engine answers with the bucket's CORS rules only when it sees the page's Origin, as S3 does.
  "origin",
  "content-md5",
  "content-disposition",
  "content-language",
  "cache-control",
  "expires",
  "range",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
]);
/** x-amz-* headers of the caller's signature, or that the gateway has already checked and Ceph 16 ignores. */
const DROPPED_AMZ = /^x-amz-(date|content-sha256|security-token|decoded-content-length|trailer|sdk-checksum-algorithm|checksum-[a-z0-9]+)$/;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function sendError(req: IncomingMessage, res: ServerResponse, f: S3Failure, resource: string): void {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  const extra = Object.entries(f.extra ?? {})
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join("");
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${f.code}</Code><Message>${escapeXml(f.message)}</Message>${extra}<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
  req.resume();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(f.status, { "content-type": "application/xml", "x-amz-request-id": requestId, "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(req.method === "HEAD" ? undefined : body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | S3Failure> {
  return (await readBoundedBody(req, limit)) ?? failure(400, "EntityTooLarge", `The gateway holds bodies it checks in memory, up to ${limit} bytes`);
}

export async function startIamGateway(options: IamGatewayOptions): Promise<IamGateway> {
  const engineUrl = new URL(options.engine.endpoint);
  const limit = options.maxBufferedBytes ?? 512 * 1024 * 1024;
  const buckets = new Map(options.buckets.map((b) => [b.name, { ...b, policy: asDocument(b.policy) }]));
  const accessPoints = new Map((options.accessPoints ?? []).map((a) => [a.alias, { ...a, policy: asDocument(a.policy) }]));
  const log = options.onDecision ?? (() => undefined);

  function targetOf(name: string): Target | undefined {
    const bucket = buckets.get(name);
    if (bucket) {
      return { kind: "bucket", bucket: bucket.name, policy: bucket.policy, objectOwnership: bucket.objectOwnership ?? "BucketOwnerEnforced" };
    }
    const ap = accessPoints.get(name);
    if (ap) {
      const behind = buckets.get(ap.bucket);
      return { kind: "accessPoint", alias: ap.alias, arn: ap.arn, bucket: ap.bucket, policy: ap.policy, bucketPolicy: behind?.policy, objectOwnership: behind?.objectOwnership ?? "BucketOwnerEnforced" };
    }
    return undefined;
  }

  /** A request to the engine with the owner's keys; resolves with status, headers and the whole body. */
  function engineCall(method: string, path: string, query: [string, string][], body?: string): Promise<EngineAnswer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body, "utf8");
      const headers = {
        ...signRequest({ method, path, query, host: engineUrl.host, headers: {}, ...options.engine }),
        ...(payload ? { "content-length": String(payload.length), "content-md5": createHash("md5").update(payload).digest("base64") } : {}),
      };
      const qs = query.map(([k, v]) => `${uriEscape(k)}=${uriEscape(v)}`).join("&");
      const r = httpRequest({ host: engineUrl.hostname, port: engineUrl.port, method, path: qs ? `${path}?${qs}` : path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      r.on("error", reject);
      r.end(payload);
    });
  }

  const encodePath = (bucket: string, key: string) => `/${uriEscape(bucket)}/${key.split("/").map(uriEscape).join("/")}`;

  /** The object's current tags, read with the owner's keys; none when it does not exist. */
  async function existingTags(bucket: string, key: string, versionId?: string): Promise<Record<string, string>> {
    const answer = await engineCall("GET", encodePath(bucket, key), [["tagging", ""], ...(versionId ? [["versionId", versionId] as [string, string]] : [])]);
    if (answer.status === 404) {
      return {};
    }
    if (answer.status !== 200) {
      throw new Error(`the engine answered ${answer.status} reading the tags of ${bucket}/${key}`);
    }
    return parseTaggingXml(answer.body) ?? {};
  }

  async function authorize(principal: Principal, verified: VerifiedRequest, classified: ClassifiedRequest, bodyTags: Record<string, string> | undefined): Promise<S3Failure | undefined> {
    const common = {
      principal: principal.principalArn,
      accountId: options.accountId,
      identityPolicies: principal.identityPolicies,
      context: {
        ...principal.context,
        "aws:SecureTransport": "true",
        "s3:TlsVersion": "1.3",
        "aws:PrincipalArn": roleArnOfSession(principal.principalArn),
        "aws:PrincipalAccount": accountOf(principal.principalArn) ?? options.accountId,
        "aws:ResourceAccount": options.accountId,
        "s3:authType": verified.authType,
        "s3:signatureversion": "AWS4-HMAC-SHA256",
      } as Record<string, string | string[]>,
    };
    const checks: Check[] = [];
    for (const check of classified.checks) {
      let c = check;
      if (classified.tagsFromBody && /PutObject(Version)?Tagging$/.test(check.action)) {
        c = { ...c, context: { ...c.context, ...requestTagContext(bodyTags ?? {}) } };
      }
      checks.push(c);
    }
    const lines: string[] = [];
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i];
      const target = targetOf(check.bucket);
      if (!target) {
        return failure(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: check.bucket });
      }
      let context = check.context;
      if (check.existingTags && check.key !== undefined) {
        const tags = await existingTags(target.bucket, check.key, check.versionId);
        if (check.copiesTags) {
          if (Object.keys(tags).length === 0) {
            continue;
          }
          checks.push({ bucket: classified.bucket, key: classified.key, action: "s3:PutObjectTagging", existingTags: false, context: requestTagContext(tags) });
        }
        context = { ...context, ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`s3:ExistingObjectTag/${k}`, v])) };
      }
      const gates = gatesOf({ ...check, context }, target, common);
      const decision = combine(await Promise.all(gates.map((g) => decide(g.policies, g.request))));
      lines.push(`${check.action} ${gates[0].request.resource}: ${decision}`);
      if (decision !== "Allowed") {
        log(`${principal.principalArn} ${classified.operation} DENIED (${lines.join("; ")})`);
        return failure(403, "AccessDenied", `User: ${principal.principalArn} is not authorized to perform: ${check.action} on resource: "${gates[0].request.resource}" because ${decision === "ExplicitlyDenied" ? "of an explicit deny" : "no policy allows it"}`);
      }
    }
    log(`${principal.principalArn} ${classified.operation} allowed (${lines.join("; ")})`);
    return undefined;
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    input: { method: string; path: string; query: [string, string][]; headers: Record<string, string>; body?: Buffer; onAnswer?: (answer: EngineAnswer) => void; settle?: Settle },
  ): void {
    const amz = Object.fromEntries(Object.entries(input.headers).filter(([k]) => k.startsWith("x-amz-")));
    const rest = Object.fromEntries(Object.entries(input.headers).filter(([k]) => !k.startsWith("x-amz-")));
    const signed = signRequest({ method: input.method, path: input.path, query: input.query, host: engineUrl.host, headers: amz, ...options.engine });
    const qs = input.query.map(([k, v]) => (v === "" && !["prefix", "marker", "delimiter"].includes(k) ? uriEscape(k) : `${uriEscape(k)}=${uriEscape(v)}`)).join("&");
    const upstream = httpRequest(
      { host: engineUrl.hostname, port: engineUrl.port, method: input.method, path: qs ? `${input.path}?${qs}` : input.path, headers: { ...rest, ...signed } },
      (answer) => {
        const headers = { ...answer.headers };
        delete headers.connection;
        delete headers["keep-alive"];
        delete headers["transfer-encoding"];
        const status = answer.statusCode ?? 502;
        if (input.settle) {
          // The whole (small XML) answer is held until the gateway has done its part, then given.
          const settle = input.settle;
          const chunks: Buffer[] = [];
          answer.on("data", (c: Buffer) => chunks.push(c));
          answer.on("error", (err) => sendError(req, res, failure(502, "InternalError", `the engine failed: ${err.message}`), input.path));
          answer.on("end", () => {
            const received: EngineAnswer = { status, headers, body: Buffer.concat(chunks).toString("utf8") };
            const settled = status >= 200 && status < 300 && !isErrorXml(received.body) ? settle(received) : Promise.resolve(received);
            settled.then(
              (given) => {
                const body = Buffer.from(given.body, "utf8");
                res.writeHead(given.status, { ...given.headers, "content-length": String(body.length) });
                res.end(input.method === "HEAD" ? undefined : body);
                if (input.onAnswer && given.status >= 200 && given.status < 300) {
                  input.onAnswer(given);
                }
              },
              (err: unknown) => sendError(req, res, failure(500, "InternalError", `the gateway failed: ${(err as Error)?.message ?? String(err)}`), input.path),
            );
          });
          return;
        }
        res.writeHead(status, headers);
        if (input.onAnswer && status >= 200 && status < 300) {
          // The answers events are built from are small XML documents or empty (no GET is observed).
          const chunks: Buffer[] = [];
          answer.on("data", (c: Buffer) => chunks.push(c));
          answer.on("end", () => input.onAnswer?.({ status, headers: answer.headers, body: Buffer.concat(chunks).toString("utf8") }));
        }
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => sendError(req, res, failure(502, "InternalError", `the engine failed: ${err.message}`), input.path));
    if (input.body !== undefined) {
      upstream.end(input.body);
    } else {
      req.pipe(upstream);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? "" : url.slice(q + 1);
    const method = (req.method ?? "GET").toUpperCase();
    const headers = req.headers;
    const pairs = parseQuery(rawQuery);

    if (options.identityPool && String(headers["x-amz-target"] ?? "").startsWith("AWSCognitoIdentityService.")) {
      options.identityPool.handle(req, res);
      return;
    }
    if (method === "OPTIONS") {
      // CORS preflights are unauthenticated in S3 too: the engine answers them from the bucket's CORS rules.
      const pass: Record<string, string> = {};
      for (const name of ["origin", "access-control-request-method", "access-control-request-headers"]) {
        const v = headerValue(headers, name);
        if (v !== undefined) {
          pass[name] = v;
        }
      }
      forward(req, res, { method, path: rawPath, query: pairs, headers: pass, body: Buffer.alloc(0) });
      return;
    }

    const verified = verifySignature({ method, rawPath, rawQuery, headers }, (id) => options.principals.lookup(id), { region: options.engine.region });
    if ("status" in verified) {
      return sendError(req, res, verified, rawPath);
    }
    const principal = options.principals.lookup(verified.accessKeyId)!;
    const classified = classify({ method, rawPath, rawQuery, headers });
    if ("status" in classified) {
      return sendError(req, res, classified, rawPath);
    }
    const target = targetOf(classified.bucket);
    if (!target) {
      return sendError(req, res, failure(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: classified.bucket }), rawPath);
    }
    if (classified.acl && target.objectOwnership === "BucketOwnerEnforced") {
      const { acl } = classified;
      if (acl.viaSubresource || acl.grants || acl.cannedAcl !== "bucket-owner-full-control") {
        return sendError(req, res, failure(400, "AccessControlListNotSupported", "The bucket does not allow ACLs"), rawPath);
      }
    }

    const stated = statedChecksums(headers);
    const contentMd5 = headerValue(headers, "content-md5");
    const streaming = verified.payload.kind === "streaming-signed" || verified.payload.kind === "streaming-unsigned-trailer";
    const mustBuffer = verified.payload.kind !== "unsigned" || classified.tagsFromBody || (classified.checksBody && (Object.keys(stated).length > 0 || contentMd5 !== undefined));
    let body: Buffer | undefined;
    const outHeaders: Record<string, string> = {};
    if (mustBuffer) {
      const raw = await readBody(req, limit);
      if (!Buffer.isBuffer(raw)) {
        return sendError(req, res, raw, rawPath);
      }
      const payloadFailure = checkSignedPayload(verified, raw);
      if (payloadFailure) {
        return sendError(req, res, payloadFailure, rawPath);
      }
      body = raw;
      let trailers: Record<string, string> = {};
      if (streaming) {
        const decoded = decodeAwsChunked(verified, raw);
        if ("status" in decoded) {
          return sendError(req, res, decoded, rawPath);
        }
        const declared = headerValue(headers, "x-amz-decoded-content-length");
        if (declared === undefined || Number(declared) !== decoded.body.length) {
          return sendError(req, res, failure(400, "IncompleteBody", "The request body does not match x-amz-decoded-content-length"), rawPath);
        }
        const trailerNames = (headerValue(headers, "x-amz-trailer") ?? "").split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
        if (trailerNames.some((t) => decoded.trailers[t] === undefined)) {
          return sendError(req, res, failure(400, "MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema."), rawPath);
        }
        body = decoded.body;
        trailers = decoded.trailers;
      }
      if (classified.checksBody) {
        const bad = checkChecksums(body, { ...stated, ...statedChecksums({}, trailers) }, contentMd5);
        if (bad) {
          return sendError(req, res, bad, rawPath);
        }
      }
      outHeaders["content-length"] = String(body.length);
    } else if (headers["content-length"] !== undefined) {
      outHeaders["content-length"] = String(headers["content-length"]);
    }
    let bodyTags: Record<string, string> | undefined;
    if (classified.tagsFromBody) {
      bodyTags = parseTaggingXml((body ?? Buffer.alloc(0)).toString("utf8"));
      if (bodyTags === undefined) {
        return sendError(req, res, failure(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"), rawPath);
      }
    }

    const refused = await authorize(principal, verified, classified, bodyTags);
    if (refused) {
      return sendError(req, res, refused, rawPath);
    }

    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) {
        continue;
      }
      const v = Array.isArray(value) ? value.join(",") : value;
      if (PASSED_HEADERS.has(name) || (name.startsWith("x-amz-") && !DROPPED_AMZ.test(name))) {
        outHeaders[name] = v;
      }
    }
    const encoding = headerValue(headers, "content-encoding");
    if (encoding !== undefined) {
      const kept = encoding.split(",").map((e) => e.trim()).filter((e) => e !== "" && e !== "aws-chunked");
      if (kept.length > 0) {
        outHeaders["content-encoding"] = kept.join(",");
      }
    }
    // An access point alias addresses the bucket behind it; so may the copy source.
    const key = rawPath
      .replace(/^\/[^/]*/, "")
      .split("/")
      .map((segment) => uriEscape(safeDecode(segment)))
      .join("/");
    const copySource = outHeaders["x-amz-copy-source"];
    if (copySource !== undefined) {
      const source = copySource.replace(/^\//, "");
      const [segment] = source.split("/", 1);
      const sourceTarget = targetOf(safeDecode(segment));
      if (sourceTarget) {
        outHeaders["x-amz-copy-source"] = `/${uriEscape(sourceTarget.bucket)}${source.slice(segment.length)}`;
      }
    }
    const emits = EMITTING_OPERATIONS[classified.operation];
    const onAnswer =
      emits && options.onS3Event && classified.key !== undefined && (eventBuckets === undefined || eventBuckets.has(target.bucket))
        ? answered({
            ...emits,
            bucket: target.bucket,
            key: classified.key,
            requestVersionId: pairs.find(([k]) => k === "versionId")?.[1],
            storedBytes: classified.operation === "PutObject" ? Number(outHeaders["content-length"]) : undefined,
            requester: accountOf(principal.principalArn) ?? options.accountId,
            sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
          })
        : undefined;
    const settle = classified.key === undefined ? undefined : settleTags(classified.operation, target.bucket, classified.key, pairs.find(([k]) => k === "uploadId")?.[1], classified.tagsToApply);
    forward(req, res, {
      method,
      path: `/${uriEscape(target.bucket)}${key}`,
      query: pairs.filter(([k]) => !/^x-amz-/i.test(k)),
      headers: outHeaders,
      ...(body !== undefined || method === "GET" || method === "HEAD" || method === "DELETE" ? { body: body ?? Buffer.alloc(0) } : {}),
      ...(onAnswer ? { onAnswer } : {}),
      ...(settle ? { settle } : {}),
    });
  }

  const uploadTags = new PendingUploadTags(undefined, (uploadId, upload) => log(`forgot the tags of multipart upload ${uploadId} of ${upload.bucket}/${upload.key}: too many open uploads`));

  /** What the gateway must do with the tags of an operation's successful answer, before giving it: see tagging.ts. */
  function settleTags(operation: string, bucket: string, key: string, uploadId: string | undefined, tags: Record<string, string> | undefined): Settle | undefined {
    if (operation === "CopyObject" && tags !== undefined) {
      return (answer) => applyTags(bucket, key, tags, answer);
    }
    if (operation === "CreateMultipartUpload" && tags !== undefined) {
      return async (answer) => {
        const created = uploadIdOfXml(answer.body);
        if (created !== undefined) {
          uploadTags.remember(created, { bucket, key, tags });
        }
        return answer;
      };
    }
    const pending = uploadId === undefined ? undefined : uploadTags.of(uploadId, bucket, key);
    if (operation === "CompleteMultipartUpload" && uploadId !== undefined && pending !== undefined) {
      return async (answer) => {
        uploadTags.forget(uploadId);
        return applyTags(bucket, key, pending, answer);
      };
    }
    if (operation === "AbortMultipartUpload" && uploadId !== undefined && pending !== undefined) {
      return async (answer) => {
        uploadTags.forget(uploadId);
        return answer;
      };
    }
    return undefined;
  }

  /**
   * Gives the object the engine just created exactly `tags` (none: no tags), with the owner's keys,
   * on the version it answered with, or else (Ceph leaves a copy's out) the current one, which
   * names a newer version if the key changed in between; the caller's answer then names that
   * version. If the engine refuses the tags (S3 refuses such a request whole, InvalidTag), the new
   * version is removed again and the refusal answered: a copy never stays with its source's tags.
   */
  async function applyTags(bucket: string, key: string, tags: Record<string, string>, answer: EngineAnswer): Promise<EngineAnswer> {
    const answered = answer.headers["x-amz-version-id"];
    const versionId = typeof answered === "string" && answered !== "" ? answered : (await headObject(bucket, key))?.versionId;
    const path = encodePath(bucket, key);
    const version: [string, string][] = versionId !== undefined && versionId !== "null" ? [["versionId", versionId]] : [];
    const undo = async (why: string) => {
      log(`removed ${bucket}/${key}${version.length > 0 ? ` version ${version[0][1]}` : ""}: ${why}`);
      await engineCall("DELETE", path, version).catch((err: unknown) => log(`could not remove ${bucket}/${key}: ${(err as Error)?.message ?? String(err)}`));
    };
    let tagged: EngineAnswer;
    try {
      tagged = Object.keys(tags).length === 0 ? await engineCall("DELETE", path, [["tagging", ""], ...version]) : await engineCall("PUT", path, [["tagging", ""], ...version], taggingXml(tags));
    } catch (err) {
      await undo(`its tags could not be set (${(err as Error)?.message ?? String(err)})`);
      throw err;
    }
    if (tagged.status < 200 || tagged.status >= 300) {
      await undo(`the engine refused its tags (HTTP ${tagged.status})`);
      const requestId = tagged.headers["x-amz-request-id"];
      return { status: tagged.status, headers: { "content-type": "application/xml", ...(typeof requestId === "string" ? { "x-amz-request-id": requestId } : {}) }, body: tagged.body };
    }
    return version.length > 0 && answered === undefined ? { ...answer, headers: { ...answer.headers, "x-amz-version-id": version[0][1] } } : answer;
  }

  const eventBuckets = options.eventBuckets === undefined ? undefined : new Set(options.eventBuckets);
  const sequencer = new Sequencer();
  const building = new Set<Promise<void>>();

  /** What a HEAD of the object (that version, if named) tells, with the owner's keys; undefined once it is gone. */
  async function headObject(bucket: string, key: string, versionId?: string): Promise<{ size: number; etag: string; versionId?: string } | undefined> {
    const answer = await engineCall("HEAD", encodePath(bucket, key), versionId ? [["versionId", versionId]] : []);
    if (answer.status !== 200) {
      return undefined;
    }
    const version = answer.headers["x-amz-version-id"];
    return {
      size: Number(answer.headers["content-length"]),
      etag: String(answer.headers.etag ?? ""),
      ...(typeof version === "string" && version !== "" && version !== "null" ? { versionId: version } : {}),
    };
  }

  /**
   * The handler of the engine's answer to an object change: the sequencer is taken as the answer
   * arrives (the engine's order), then what the answer lacks (a size, a tagged version's ETag) is
   * read back, and the event handed over.
   */
  function answered(change: PendingChange): (answer: EngineAnswer) => void {
    return (answer) => {
      if (change.kind === "created" && change.reason !== "PutObject" && isErrorXml(answer.body)) {
        return;
      }
      const ordered = change.kind === "created" || change.kind === "deleted" ? sequencer.next(change.bucket) : undefined;
      const job = buildEvent(change, answer, ordered).then(
        (event) => options.onS3Event?.(event),
        (err: unknown) => log(`no event for ${change.bucket}/${change.key}: ${(err as Error)?.message ?? String(err)}`),
      );
      building.add(job);
      void job.finally(() => building.delete(job));
    };
  }

  /*
   * S3 answers a change of a versioned object with its version (x-amz-version-id); Ceph 16 leaves it
   * out of CopyObject's and PutObjectTagging's answers, and CompleteMultipartUpload's ETag, so they
   * are read back from the current version.
   */
  async function buildEvent(change: PendingChange, answer: EngineAnswer, sequencerValue: string | undefined): Promise<S3ObjectEvent> {
    const header = (name: string) => {
      const v = answer.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const answeredVersion = header("x-amz-version-id");
    const versionId = answeredVersion !== undefined && answeredVersion !== "" ? answeredVersion : change.requestVersionId;
    const base = {
      kind: change.kind,
      bucket: change.bucket,
      key: change.key,
      account: options.accountId,
      region: options.engine.region,
      requester: change.requester,
      sourceIp: change.sourceIp,
      requestId: header("x-amz-request-id") ?? randomBytes(8).toString("hex").toUpperCase(),
      ...(versionId !== undefined && versionId !== "null" ? { versionId } : {}),
      ...(sequencerValue !== undefined ? { sequencer: sequencerValue } : {}),
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
    };
    if (change.kind === "created") {
      let etag = change.reason === "PutObject" ? header("etag") : etagOfXml(answer.body);
      let size = change.storedBytes !== undefined && Number.isFinite(change.storedBytes) ? change.storedBytes : undefined;
      let version = base.versionId;
      if (!etag || size === undefined || version === undefined) {
        const head = await headObject(change.bucket, change.key, version);
        etag = etag || head?.etag;
        size ??= head?.size;
        version ??= head?.versionId;
      }
      return s3ObjectEvent({ ...base, ...(version ? { versionId: version } : {}), ...(etag ? { etag } : {}), ...(size !== undefined ? { size } : {}) });
    }
    if (change.kind === "deleted") {
      // A DeleteObject naming no version puts a delete marker on a versioned object; naming one removes it for good.
      const marker = change.requestVersionId === undefined && header("x-amz-delete-marker") === "true";
      return s3ObjectEvent({ ...base, deletionType: marker ? DELETION_TYPE.marker : DELETION_TYPE.permanent, ...(marker ? { etag: EMPTY_ETAG } : {}) });
    }
    const head = await headObject(change.bucket, change.key, base.versionId);
    const version = base.versionId ?? head?.versionId;
    return s3ObjectEvent({ ...base, ...(version ? { versionId: version } : {}), ...(head?.etag ? { etag: head.etag } : {}) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(req, res, failure(500, "InternalError", `the gateway failed: ${(err as Error)?.message ?? String(err)}`), req.url ?? "/"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async settled() {
      while (building.size > 0) {
        await Promise.all([...building]);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
