/**
 * Uploads land `pending`; the scanner tags them `clean` or `infected` (DESIGN invariant 7). Readers
 * (CloudFront OAC, presigned GETs) are granted objects only under `s3:ExistingObjectTag/scan-status`
 * = `clean`, so an unscanned or infected object is unreadable whoever asks.
 */
export const SCAN_STATUS_TAG = "scan-status";

export const ScanStatus = {
  pending: "pending",
  clean: "clean",
  infected: "infected",
} as const;
export type ScanStatus = (typeof ScanStatus)[keyof typeof ScanStatus];

/** Where infected objects are moved, inside the same bucket, out of every user's reach. */
export const QUARANTINE_PREFIX = "quarantine/";
