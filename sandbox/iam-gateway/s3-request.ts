import { failure, headerValue, type Headers, parseQuery, type S3Failure } from "./sigv4";

/**
 * An S3 request (path-style, as on loopback) → the IAM authorizations S3 makes for it
 * ("Amazon S3 actions", "Required permissions for Amazon S3 API operations"), with the request's
 * condition keys. A request shape not listed here is refused, never forwarded (fail closed).
 */

/** One permission S3 checks: `action` on `bucket` (bucket-level) or on `bucket`/`key`. */
export interface Check {
  action: string;
  /** The bucket segment as addressed: a bucket name or an access point alias. */
  bucket: string;
  key?: string;
  versionId?: string;
  /** Read the object's current tags (`s3:ExistingObjectTag/*`) before deciding. */
  existingTags: boolean;
  context: Record<string, string | string[]>;
  /**
   * CopyObject with the COPY tagging directive: checked only when the source has tags, and then the
   * copy's PutObjectTagging is checked too, with the source's tags as the request's.
   */
  copiesTags?: boolean;
}

export interface ClassifiedRequest {
  /** The S3 API operation, for logs and messages. */
  operation: string;
  bucket: string;
  key?: string;
  checks: Check[];
  /** Tags the request sets: from `x-amz-tagging` now, or from the body (`?tagging` PUT) once read. */
  tagsFromBody: boolean;
  /** The request names an ACL (header or `?acl`): refused on BucketOwnerEnforced buckets unless bucket-owner-full-control. */
  acl?: { cannedAcl?: string; grants: boolean; viaSubresource: boolean };
  /** The body must be checked against x-amz-checksum-* / Content-MD5 (PutObject, UploadPart). */
  checksBody: boolean;
  /**
   * The tag set S3 gives the object this request creates where Ceph 16 does not, so the gateway
   * applies it: a CopyObject's under the REPLACE tagging directive (its x-amz-tagging, possibly
   * none: "CopyObject"), a CreateMultipartUpload's x-amz-tagging once the upload completes
   * ("CreateMultipartUpload").
   */
  tagsToApply?: Record<string, string>;
}

export interface RawS3Request {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Headers;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `k1=v1&k2=v2` (x-amz-tagging) → tags. */
export function parseTagHeader(value: string): Record<string, string> {
  return Object.fromEntries(parseQuery(value).map(([k, v]) => [k, v]));
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** A PutObjectTagging body (`<Tagging><TagSet><Tag><Key>…</Key><Value>…</Value></Tag>…`) → tags. */
export function parseTaggingXml(xml: string): Record<string, string> | undefined {
  if (!/<Tagging[\s>]/.test(xml)) {
    return undefined;
  }
  const tags: Record<string, string> = {};
  for (const m of xml.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)) {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1])?.[1];
    const value = /<Value>([\s\S]*?)<\/Value>/.exec(m[1])?.[1] ?? "";
    if (key === undefined) {
      return undefined;
    }
    tags[unescapeXml(key)] = unescapeXml(value);
  }
  return tags;
}

/** The request-tag condition keys of `tags`. */
export function requestTagContext(tags: Record<string, string>): Record<string, string | string[]> {
  return {
    "s3:RequestObjectTagKeys": Object.keys(tags),
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`s3:RequestObjectTag/${k}`, v])),
  };
}

/** `x-amz-copy-source` (`/bucket/key?versionId=…`, URL-encoded) → its parts. */
export function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } | undefined {
  const [path, query = ""] = value.split("?", 2);
  const decoded = decodeSegment(path.replace(/^\//, ""));
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    return undefined;
  }
  const versionId = parseQuery(query).find(([k]) => k === "versionId")?.[1];
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId ? { versionId } : {}) };
}

const deny = (message: string): S3Failure => failure(403, "AccessDenied", `Access Denied (${message})`);

/** Subresources that do not change the authorization of the operation they modify. */
const OBJECT_GET_PARAMS = new Set([
  "versionId",
  "partNumber",
  "response-content-type",
  "response-content-language",
  "response-expires",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "x-id",
]);
const LIST_PARAMS = new Set(["list-type", "prefix", "delimiter", "max-keys", "marker", "continuation-token", "start-after", "fetch-owner", "encoding-type", "x-id"]);

export function classify(req: RawS3Request): ClassifiedRequest | S3Failure {
  const method = req.method.toUpperCase();
  const segments = req.rawPath.replace(/^\//, "").split("/");
  const bucket = decodeSegment(segments[0] ?? "");
  const key = segments.length > 1 ? segments.slice(1).map(decodeSegment).join("/") : "";
  // Signature parameters are not subresources.
  const params = new Map(parseQuery(req.rawQuery).filter(([k]) => !/^x-amz-/i.test(k)));
  const names = [...params.keys()];
  const only = (allowed: Set<string> | string[]) => names.every((n) => (Array.isArray(allowed) ? allowed.includes(n) : allowed.has(n)));
  const h = (name: string) => headerValue(req.headers, name);
  if (bucket === "") {
    return deny("ListBuckets (s3:ListAllMyBuckets) is not granted to any role of this stack");
  }

  const sse: Record<string, string> = {};
  for (const name of ["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"]) {
    const v = h(name);
    if (v !== undefined) {
      sse[`s3:${name}`] = v;
    }
  }
  const aclHeaders = Object.keys(req.headers).filter((n) => n === "x-amz-acl" || n.startsWith("x-amz-grant-"));
  const acl = aclHeaders.length > 0 ? { cannedAcl: h("x-amz-acl"), grants: aclHeaders.some((n) => n !== "x-amz-acl"), viaSubresource: false } : undefined;
  const aclContext: Record<string, string> = acl?.cannedAcl !== undefined ? { "s3:x-amz-acl": acl.cannedAcl } : {};
  const tagHeader = h("x-amz-tagging");
  const headerTags = tagHeader === undefined ? undefined : parseTagHeader(tagHeader);
  const tagContext = headerTags ? requestTagContext(headerTags) : {};
  const versionId = params.get("versionId");
  const base = { bucket, existingTags: false, context: {} };
  const objectCheck = (action: string, extra: Partial<Check> = {}): Check => ({ ...base, key, ...(versionId ? { versionId } : {}), action, ...extra });

  /** The checks every write of an object adds: tags (PutObjectTagging) and ACLs (PutObjectAcl). */
  const writeExtras = (writeContext: Record<string, string | string[]>): Check[] => [
    ...(headerTags ? [objectCheck("s3:PutObjectTagging", { context: { ...writeContext } })] : []),
    ...(acl ? [objectCheck("s3:PutObjectAcl", { context: { ...writeContext } })] : []),
  ];

  if (method === "OPTIONS") {
    return deny("preflights are answered before classification");
  }

  if (key === "") {
    // Bucket-level operations.
    if ((method === "GET" || method === "HEAD") && only(LIST_PARAMS)) {
      const prefix = params.get("prefix");
      const context: Record<string, string> = {
        ...(prefix !== undefined ? { "s3:prefix": prefix } : {}),
        ...(params.has("delimiter") ? { "s3:delimiter": params.get("delimiter")! } : {}),
        ...(params.has("max-keys") ? { "s3:max-keys": params.get("max-keys")! } : {}),
      };
      const operation = method === "HEAD" ? "HeadBucket" : params.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
      return { operation, bucket, checks: [{ ...base, action: "s3:ListBucket", context }], tagsFromBody: false, checksBody: false };
    }
    if (method === "GET" && params.has("versions") && only(["versions", "prefix", "delimiter", "max-keys", "key-marker", "version-id-marker", "encoding-type"])) {
      const prefix = params.get("prefix");
      return { operation: "ListObjectVersions", bucket, checks: [{ ...base, action: "s3:ListBucketVersions", context: prefix !== undefined ? { "s3:prefix": prefix } : {} }], tagsFromBody: false, checksBody: false };
    }
    if (method === "GET" && params.has("uploads") && only(["uploads", "prefix", "delimiter", "max-uploads", "key-marker", "upload-id-marker", "encoding-type"])) {
      return { operation: "ListMultipartUploads", bucket, checks: [{ ...base, action: "s3:ListBucketMultipartUploads" }], tagsFromBody: false, checksBody: false };
    }
    if (method === "GET" && names.length === 1 && params.has("location")) {
      return { operation: "GetBucketLocation", bucket, checks: [{ ...base, action: "s3:GetBucketLocation" }], tagsFromBody: false, checksBody: false };
    }
    return deny(`the gateway does not know the bucket request ${method} ?${names.join("&")}; refused`);
  }

  // Object-level operations.
  if (method === "GET" || method === "HEAD") {
    if (params.has("uploadId") && method === "GET" && only(["uploadId", "max-parts", "part-number-marker", "encoding-type", "x-id"])) {
      return { operation: "ListParts", bucket, key, checks: [objectCheck("s3:ListMultipartUploadParts")], tagsFromBody: false, checksBody: false };
    }
    if (params.has("tagging") && method === "GET" && only(["tagging", "versionId"])) {
      return { operation: "GetObjectTagging", bucket, key, checks: [objectCheck(versionId ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging", { existingTags: true })], tagsFromBody: false, checksBody: false };
    }
    if (params.has("acl") && method === "GET" && only(["acl", "versionId"])) {
      return { operation: "GetObjectAcl", bucket, key, checks: [objectCheck(versionId ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl")], tagsFromBody: false, checksBody: false };
    }
    if (only(OBJECT_GET_PARAMS)) {
      return {
        operation: method === "HEAD" ? "HeadObject" : "GetObject",
        bucket,
        key,
        checks: [objectCheck(versionId ? "s3:GetObjectVersion" : "s3:GetObject", { existingTags: true })],
        tagsFromBody: false,
        checksBody: false,
      };
    }
    return deny(`the gateway does not know the object request ${method} ?${names.join("&")}; refused`);
  }

  if (method === "PUT") {
    const copySource = h("x-amz-copy-source");
    if (params.has("tagging") && only(["tagging", "versionId"])) {
      return {
        operation: "PutObjectTagging",
        bucket,
        key,
        checks: [objectCheck(versionId ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging", { existingTags: true })],
        tagsFromBody: true,
        checksBody: false,
      };
    }
    if (params.has("acl") && only(["acl", "versionId"])) {
      return {
        operation: "PutObjectAcl",
        bucket,
        key,
        checks: [objectCheck(versionId ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl", { context: aclContext })],
        tagsFromBody: false,
        acl: { cannedAcl: acl?.cannedAcl, grants: acl?.grants ?? false, viaSubresource: true },
        checksBody: false,
      };
    }
    const isPart = params.has("uploadId") || params.has("partNumber");
    if (isPart && !(params.has("uploadId") && params.has("partNumber") && only(["uploadId", "partNumber", "x-id"]))) {
      return deny("an UploadPart needs both uploadId and partNumber");
    }
    if (!isPart && !only(["x-id"])) {
      return deny(`the gateway does not know the object request PUT ?${names.join("&")}; refused`);
    }
    const writeContext = { ...sse, ...aclContext, ...tagContext };
    const checks: Check[] = [objectCheck("s3:PutObject", { context: writeContext, versionId: undefined })];
    let operation = isPart ? "UploadPart" : "PutObject";
    let tagsToApply: Record<string, string> | undefined;
    if (copySource !== undefined) {
      const source = parseCopySource(copySource);
      if (!source) {
        return failure(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
      }
      operation = isPart ? "UploadPartCopy" : "CopyObject";
      checks.push({
        bucket: source.bucket,
        key: source.key,
        ...(source.versionId ? { versionId: source.versionId } : {}),
        action: source.versionId ? "s3:GetObjectVersion" : "s3:GetObject",
        existingTags: true,
        context: {},
      });
      const directive = h("x-amz-tagging-directive")?.toUpperCase() ?? "COPY";
      if (!isPart && directive !== "COPY" && directive !== "REPLACE") {
        return failure(400, "InvalidArgument", "Unknown tagging directive.");
      }
      if (!isPart && directive === "REPLACE") {
        tagsToApply = headerTags ?? {};
      }
      if (!isPart && directive === "COPY") {
        // Copying the source's tags reads them (GetObjectTagging) and writes them (PutObjectTagging,
        // with the source's tags as the request's): the gateway adds both once it knows the tags.
        checks.push({ bucket: source.bucket, key: source.key, ...(source.versionId ? { versionId: source.versionId } : {}), action: source.versionId ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging", existingTags: true, context: {}, copiesTags: true });
      }
    }
    if (!isPart) {
      checks.push(...writeExtras(writeContext));
    }
    return { operation, bucket, key, checks, tagsFromBody: false, ...(acl && !isPart ? { acl } : {}), checksBody: copySource === undefined, ...(tagsToApply ? { tagsToApply } : {}) };
  }

  if (method === "POST") {
    if (params.has("uploads") && only(["uploads", "x-id"])) {
      const writeContext = { ...sse, ...aclContext, ...tagContext };
      return {
        operation: "CreateMultipartUpload",
        bucket,
        key,
        checks: [objectCheck("s3:PutObject", { context: writeContext }), ...writeExtras(writeContext)],
        tagsFromBody: false,
        ...(acl ? { acl } : {}),
        checksBody: false,
        ...(headerTags ? { tagsToApply: headerTags } : {}),
      };
    }
    if (params.has("uploadId") && only(["uploadId", "x-id"])) {
      return { operation: "CompleteMultipartUpload", bucket, key, checks: [objectCheck("s3:PutObject")], tagsFromBody: false, checksBody: false };
    }
    return deny(`the gateway does not know the object request POST ?${names.join("&")}; refused`);
  }

  if (method === "DELETE") {
    if (params.has("uploadId") && only(["uploadId", "x-id"])) {
      return { operation: "AbortMultipartUpload", bucket, key, checks: [objectCheck("s3:AbortMultipartUpload")], tagsFromBody: false, checksBody: false };
    }
    if (params.has("tagging") && only(["tagging", "versionId"])) {
      return { operation: "DeleteObjectTagging", bucket, key, checks: [objectCheck(versionId ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging", { existingTags: true })], tagsFromBody: false, checksBody: false };
    }
    if (only(["versionId", "x-id"])) {
      return { operation: "DeleteObject", bucket, key, checks: [objectCheck(versionId ? "s3:DeleteObjectVersion" : "s3:DeleteObject")], tagsFromBody: false, checksBody: false };
    }
  }
  return deny(`the gateway does not know the request ${method} ?${names.join("&")}; refused`);
}

/** Where a bucket segment leads: a bucket, or an access point (by alias) in front of one. */
export type Target =
  | { kind: "bucket"; bucket: string; policy?: unknown; objectOwnership?: string }
  | { kind: "accessPoint"; alias: string; arn: string; bucket: string; policy?: unknown; bucketPolicy?: unknown; objectOwnership?: string };

/**
 * The authorization gates of one check: the bucket (resource `arn:aws:s3:::b[/key]`) or, through an
 * access point, the access point (`…:accesspoint/n[/object/key]`, with the caller's identity
 * policies) and the bucket behind it (its policy alone, with `s3:DataAccessPoint*` in the context).
 */
export function gatesOf(
  check: Check,
  target: Target,
  common: { principal: string; accountId: string; identityPolicies: unknown[]; context: Record<string, string | string[]> },
): { policies: { identityPolicies: unknown[]; resourcePolicy?: unknown }; request: { principal: string; action: string; resource: string; resourceAccount: string; context: Record<string, string | string[]>; droppedBySimulator?: Record<string, string> } }[] {
  const context = { ...common.context, ...check.context };
  const bucketResource = `arn:aws:s3:::${target.bucket}${check.key !== undefined ? `/${check.key}` : ""}`;
  const request = { principal: common.principal, action: check.action, resourceAccount: common.accountId };
  if (target.kind === "bucket") {
    return [{ policies: { identityPolicies: common.identityPolicies, resourcePolicy: target.policy }, request: { ...request, resource: bucketResource, context } }];
  }
  const accessPointKeys = { "s3:DataAccessPointArn": target.arn, "s3:DataAccessPointAccount": target.arn.split(":")[4] };
  return [
    {
      policies: { identityPolicies: common.identityPolicies, resourcePolicy: target.policy },
      request: { ...request, resource: `${target.arn}${check.key !== undefined ? `/object/${check.key}` : ""}`, context: { ...context, ...accessPointKeys, "s3:AccessPointNetworkOrigin": "Internet" } },
    },
    {
      policies: { identityPolicies: [], resourcePolicy: target.bucketPolicy },
      request: { ...request, resource: bucketResource, context, droppedBySimulator: accessPointKeys },
    },
  ];
}
