import { ConfigurationError, type Env, ENV, extensionsFor, type FunctionRouting, type IntegerBounds, isMediaType, LIMIT_BOUNDS, parseRouting, requireInteger, requireJson, requireStringList } from "@mobile-s3/contract";
import { readIndexTable, readTenantClaim, readUserQuota } from "../shared/settings";

/**
 * The uploads function's settings. Encryption is none of them: the function names none, in a
 * presigned PUT or a CreateMultipartUpload, so S3 applies the bucket's default, SSE-KMS with the
 * bucket's own key ("Setting default server-side encryption behavior for Amazon S3 buckets"). Naming
 * `aws:kms` without a key id would pick the AWS managed key aws/s3 instead, which the bucket policy
 * refuses; and a presigned URL signs every x-amz-* header the uploader may send ("Authenticating
 * Requests: Using Query Parameters (AWS Signature Version 4)"), so the uploader cannot add one.
 */
export interface UploadsConfig {
  /** Where each tenant's objects live (TENANT_ROUTING). */
  routing: FunctionRouting;
  /** The verified claim naming the caller's tenant (TENANT_CLAIM, default `custom:tenant`). */
  tenantClaim: string;
  presignTtlSeconds: number;
  maxObjectBytes: number;
  /** Uploads up to this size get one presigned PUT; larger ones go multipart. */
  singlePutMaxBytes: number;
  allowedContentTypes: string[];
  partUrlBatchMax: number;
  /** The object index's table (INDEX_TABLE): the quota's reservations and each upload's declared size. */
  table: string;
  /**
   * Bytes one user may keep under their home (USER_QUOTA_BYTES); undefined: no quota. The check
   * (functions/uploads/quota.ts) counts every version, open upload and outstanding URL with one
   * conditional update of the home's usage item in the object index.
   */
  userQuotaBytes?: number;
  /**
   * Days the bucket's lifecycle keeps an unfinished multipart upload (ABORT_INCOMPLETE_UPLOAD_DAYS,
   * the program's `abortIncompleteUploadDays`). Unset, the function promises 1 day, the shortest
   * rule the program allows, so a client is never told it has more time than it does.
   */
  abortIncompleteUploadDays: number;
}

const ABORT_DAYS_BOUNDS: IntegerBounds = { min: 1, max: 365 };

function optionalInteger(env: Env, name: string, bounds: IntegerBounds): number | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : requireInteger(env, name, bounds);
}

export function loadUploadsConfig(env: Env): UploadsConfig {
  const allowedContentTypes = requireStringList(env, ENV.allowedContentTypes, isMediaType);
  const unruled = allowedContentTypes.find((type) => extensionsFor(type) === undefined);
  if (unruled !== undefined) {
    throw new ConfigurationError(
      ENV.allowedContentTypes,
      `lists "${unruled}", which has no extension rule; add it to EXTENSIONS in functions/uploads/media-types.ts or remove it`,
    );
  }
  return {
    routing: parseRouting(requireJson(env, ENV.tenantRouting)),
    table: readIndexTable(env),
    tenantClaim: readTenantClaim(env),
    presignTtlSeconds: requireInteger(env, ENV.presignTtlSeconds, LIMIT_BOUNDS.presignTtlSeconds),
    maxObjectBytes: requireInteger(env, ENV.maxObjectBytes, LIMIT_BOUNDS.maxObjectBytes),
    singlePutMaxBytes: requireInteger(env, ENV.singlePutMaxBytes, LIMIT_BOUNDS.singlePutMaxBytes),
    allowedContentTypes,
    partUrlBatchMax: requireInteger(env, ENV.partUrlBatchMax, LIMIT_BOUNDS.partUrlBatchMax),
    userQuotaBytes: readUserQuota(env),
    abortIncompleteUploadDays: optionalInteger(env, ENV.abortIncompleteUploadDays, ABORT_DAYS_BOUNDS) ?? 1,
  };
}
