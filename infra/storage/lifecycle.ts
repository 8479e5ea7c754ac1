export interface LifecycleSettings {
  /** Days after which an unfinished multipart upload is aborted and its parts deleted. */
  abortIncompleteUploadDays: number;
  /** Days a replaced or deleted object version is kept. */
  noncurrentVersionExpirationDays: number;
  /** Days after which current objects move to STANDARD_IA; 0 keeps them in STANDARD. */
  infrequentAccessAfterDays: number;
  /** Days after which current objects expire; 0 keeps them forever. */
  objectExpirationDays: number;
}

/** One lifecycle rule in the shape `aws.s3.BucketLifecycleConfiguration` takes. */
export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: { prefix: string };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  noncurrentVersionExpiration?: { noncurrentDays: number };
  expiration?: { days?: number; expiredObjectDeleteMarker?: boolean };
  transitions?: { days: number; storageClass: string }[];
}

/**
 * Lifecycle hygiene: abort incomplete multipart uploads, expire old versions, optionally tier and
 * expire current objects. The settings are validated where config is parsed; this only shapes them.
 */
export function lifecycleRules(s: LifecycleSettings): LifecycleRule[] {
  const everything = { prefix: "" };
  const rules: LifecycleRule[] = [
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: everything,
      abortIncompleteMultipartUpload: { daysAfterInitiation: s.abortIncompleteUploadDays },
    },
    {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: everything,
      noncurrentVersionExpiration: { noncurrentDays: s.noncurrentVersionExpirationDays },
      // Without this, every delete leaves a marker that outlives the versions it hid.
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
  if (s.infrequentAccessAfterDays > 0 || s.objectExpirationDays > 0) {
    rules.push({
      id: "current-objects",
      status: "Enabled",
      filter: everything,
      ...(s.infrequentAccessAfterDays > 0
        ? { transitions: [{ days: s.infrequentAccessAfterDays, storageClass: "STANDARD_IA" }] }
        : {}),
      ...(s.objectExpirationDays > 0 ? { expiration: { days: s.objectExpirationDays } } : {}),
    });
  }
  return rules;
}
