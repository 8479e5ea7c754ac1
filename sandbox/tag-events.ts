import { HeadObjectCommand, PutObjectTaggingCommand, type S3Client } from "@aws-sdk/client-s3";
import { type ObjectStore } from "../functions/shared/store";
import { s3ObjectEvent, type S3ObjectEvent } from "./s3-events";

export interface TagEventOptions {
  /** The engine owner's client: what the store writes with. */
  owner: S3Client;
  /** The bucket owner's account and region (the event's `account`, `region` and `requester`). */
  account: string;
  region: string;
  /** Buckets that send their events to EventBridge. */
  buckets: string[];
  onS3Event: (event: S3ObjectEvent) => void;
}

/**
 * `store` whose `putTags` also emits the "Object Tags Added" event S3 sends for a PutObjectTagging,
 * for what stands in for an AWS service and writes to the engine directly, not through the IAM
 * gateway (local GuardDuty writing its verdict tag): the tagged version from the engine's answer
 * (read back with the ETag where Ceph 16 leaves it out, as the gateway does).
 */
export function storeWithTagEvents(store: ObjectStore, options: TagEventOptions): ObjectStore {
  const buckets = new Set(options.buckets);
  return {
    ...store,
    async putTags({ bucket, key, tags }) {
      const answer = await options.owner.send(
        new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }),
      );
      if (!buckets.has(bucket)) {
        return;
      }
      const version = (v: string | undefined) => (v !== undefined && v !== "" && v !== "null" ? v : undefined);
      const answered = version(answer.VersionId);
      const head = await options.owner.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(answered ? { VersionId: answered } : {}) })).catch(() => undefined);
      const versionId = answered ?? version(head?.VersionId);
      options.onS3Event(
        s3ObjectEvent({
          kind: "tagsAdded",
          bucket,
          key,
          account: options.account,
          region: options.region,
          requester: options.account,
          sourceIp: "127.0.0.1",
          requestId: answer.$metadata.requestId ?? "",
          ...(versionId ? { versionId } : {}),
          ...(head?.ETag ? { etag: head.ETag } : {}),
        }),
      );
    },
  };
}
