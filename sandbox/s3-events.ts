import { randomUUID } from "node:crypto";

/*
 * The events S3 sends EventBridge for object changes ("Using EventBridge" and "EventBridge event
 * message structure", Amazon S3 User Guide), as the sandbox emits them: the IAM gateway for every
 * request it forwards, local GuardDuty for the tags it writes. Pure: no I/O.
 */

export const S3_EVENT_SOURCE = "aws.s3";

/** The detail types of the object events the object index follows. */
export const S3_OBJECT_EVENTS = {
  created: "Object Created",
  deleted: "Object Deleted",
  tagsAdded: "Object Tags Added",
  tagsDeleted: "Object Tags Deleted",
} as const;
export type S3ObjectEventKind = keyof typeof S3_OBJECT_EVENTS;

/** `deletion-type` of "Object Deleted": a version (or an unversioned object) gone, or a delete marker on top. */
export const DELETION_TYPE = { permanent: "Permanently Deleted", marker: "Delete Marker Created" } as const;

/** The ETag S3's "Object Deleted" example carries for a delete marker: the MD5 of no bytes. */
export const EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e";

/** An S3 object event as EventBridge delivers it to a target (a type, so it is a bus event as it is). */
export type S3ObjectEvent = {
  version: "0";
  id: string;
  "detail-type": (typeof S3_OBJECT_EVENTS)[S3ObjectEventKind];
  source: typeof S3_EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: "0";
    bucket: { name: string };
    object: { key: string; size?: number; etag?: string; "version-id"?: string; sequencer?: string };
    "request-id": string;
    requester: string;
    "source-ip-address": string;
    reason?: string;
    "deletion-type"?: string;
  };
};

export interface S3ObjectEventInput {
  kind: S3ObjectEventKind;
  bucket: string;
  key: string;
  /** The bucket owner's account and region. */
  account: string;
  region: string;
  /** The account of whoever made the request. */
  requester: string;
  sourceIp: string;
  requestId: string;
  size?: number;
  etag?: string;
  versionId?: string;
  /** Object Created and Object Deleted only. */
  sequencer?: string;
  /** Object Created: PutObject, CopyObject, CompleteMultipartUpload; Object Deleted: DeleteObject. */
  reason?: string;
  /** Object Deleted only. */
  deletionType?: (typeof DELETION_TYPE)[keyof typeof DELETION_TYPE];
  /** @default now */
  time?: Date;
}

/** EventBridge's `time`: seconds precision, UTC. */
const eventTime = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

/** The event S3 sends; fields S3 leaves out for a kind (a tag event's size, sequencer and reason) are left out. */
export function s3ObjectEvent(input: S3ObjectEventInput): S3ObjectEvent {
  const object: S3ObjectEvent["detail"]["object"] = { key: input.key };
  if (input.kind === "created" && input.size !== undefined) {
    object.size = input.size;
  }
  if (input.etag !== undefined) {
    object.etag = input.etag.replace(/"/g, "");
  }
  if (input.versionId !== undefined) {
    object["version-id"] = input.versionId;
  }
  const ordered = input.kind === "created" || input.kind === "deleted";
  if (ordered && input.sequencer !== undefined) {
    object.sequencer = input.sequencer;
  }
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": S3_OBJECT_EVENTS[input.kind],
    source: S3_EVENT_SOURCE,
    account: input.account,
    time: eventTime(input.time ?? new Date()),
    region: input.region,
    resources: [`arn:aws:s3:::${input.bucket}`],
    detail: {
      version: "0",
      bucket: { name: input.bucket },
      object,
      "request-id": input.requestId,
      requester: input.requester,
      "source-ip-address": input.sourceIp,
      ...(ordered && input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.kind === "deleted" && input.deletionType !== undefined ? { "deletion-type": input.deletionType } : {}),
    },
  };
}

/** What each object-changing S3 operation emits when it succeeds; the others emit nothing. */
export const EMITTING_OPERATIONS: Readonly<Record<string, { kind: S3ObjectEventKind; reason?: string }>> = {
  PutObject: { kind: "created", reason: "PutObject" },
  CopyObject: { kind: "created", reason: "CopyObject" },
  CompleteMultipartUpload: { kind: "created", reason: "CompleteMultipartUpload" },
  DeleteObject: { kind: "deleted", reason: "DeleteObject" },
  PutObjectTagging: { kind: "tagsAdded" },
  DeleteObjectTagging: { kind: "tagsDeleted" },
};

/**
 * S3's `sequencer`: for one key, a later event has the greater value. Here one counter per bucket,
 * never below the clock (so a restart still counts up), as 16 hex digits, so comparing the strings
 * compares the values.
 */
export class Sequencer {
  private readonly last = new Map<string, bigint>();

  constructor(private readonly now: () => number = Date.now) {}

  next(bucket: string): string {
    const clock = BigInt(this.now()) << 16n;
    const previous = this.last.get(bucket) ?? 0n;
    const value = clock > previous ? clock : previous + 1n;
    this.last.set(bucket, value);
    return value.toString(16).padStart(16, "0");
  }
}

/** The first `<ETag>` of an S3 XML answer (CopyObjectResult, CompleteMultipartUploadResult), unquoted. */
export function etagOfXml(xml: string): string | undefined {
  const m = /<ETag>([\s\S]*?)<\/ETag>/.exec(xml);
  return m === null ? undefined : m[1].replace(/&quot;|"/g, "").trim();
}

/** S3 can answer CopyObject and CompleteMultipartUpload with 200 and an error in the body. */
export const isErrorXml = (xml: string) => /<Error[\s>]/.test(xml);
