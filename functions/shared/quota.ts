import { MAX_RESERVATIONS } from "@mobile-s3/contract";
import { conflict, forbidden } from "./errors";
import { type HomeRef, isLapsed, type ObjectIndex, type Reservation } from "./object-index";

/*
 * The quota, from the object index (docs/OBJECT-INDEX.md, "Quota"): a home may hold `userQuotaBytes`
 * counting every stored version (noncurrent ones until the lifecycle expires them), every open
 * multipart upload at its declared size and every unexpired upload URL. The check and the promise
 * are one conditional update of the home's usage item, whatever the home's size (O(1)), and two
 * uploads racing for the last bytes cannot both win: DynamoDB applies conditional writes to one item
 * one at a time ("Condition expressions").
 */

/** Multipart uploads one user may have open at once; past it, finish or abort one first. */
export const MAX_OPEN_UPLOADS = 10;

/**
 * A single PUT may still be running when its URL expires (S3 checks the expiry when the request
 * starts): its promise is kept this much longer.
 */
export const PUT_GRACE_MS = 5 * 60_000;

/**
 * Records the promise, or throws the answer: 403 QuotaExceeded, 409 TooManyOpenUploads or 409
 * TooManyPendingUploads. A refusal first releases the home's lapsed promises (expired URLs, uploads
 * the lifecycle has aborted) and tries once more, so only a home really at its limit is refused.
 */
export async function reserveOrRefuse(index: ObjectIndex, home: HomeRef, reservation: Reservation, limits: { quotaBytes?: number; maxOpenUploads?: number }, now: number): Promise<void> {
  let refusal = await index.reserve(home, reservation, limits);
  if (refusal === undefined) {
    return;
  }
  const lapsed = refusal.usage.reservations.filter((r) => isLapsed(r, now));
  if (lapsed.length > 0) {
    await Promise.all(lapsed.map((r) => index.release(home, r)));
    refusal = await index.reserve(home, reservation, limits);
    if (refusal === undefined) {
      return;
    }
  }
  const { usage } = refusal;
  switch (refusal.refused) {
    case "quota": {
      const quota = limits.quotaBytes ?? 0;
      throw forbidden(
        "QuotaExceeded",
        `Writing ${reservation.bytes} bytes to ${reservation.path} would bring your storage to ${usage.storedBytes + usage.reservedBytes + reservation.bytes} bytes, over your quota of ${quota}: ` +
          `${usage.storedBytes} bytes are stored (older versions of replaced and deleted files count until the bucket's lifecycle removes them) ` +
          `and ${usage.reservedBytes} are promised to uploads in progress. Delete files or finish or abort uploads to make room.`,
      );
    }
    case "openUploads":
      throw conflict(
        "TooManyOpenUploads",
        `You have ${usage.openUploads} multipart uploads in progress, the most allowed at once; complete or abort one (DELETE /v1/uploads/{uploadId}) first.`,
      );
    case "reservations":
      throw conflict(
        "TooManyPendingUploads",
        `You have ${MAX_RESERVATIONS} uploads signed and not yet finished, the most allowed at once; upload those files (or let their URLs expire) first.`,
      );
  }
}
