/**
 * The malware-scan vocabulary, once for every scanner: uploads land unscanned, a scanner tags each
 * object's version with its verdict, and every read gate (bucket and access point policies,
 * CloudFront's bucket statement, the app role, the objects and proxy functions) grants objects only
 * under `s3:ExistingObjectTag/<tag key>` = the scanner's clean value. An unscanned, unscannable or
 * infected object is unreadable whoever asks. Pure data: no Node or SDK imports.
 */

/** What the API reports for an object (`scanStatus` of `GET /v1/objects`). */
export const ScanStatus = {
  pending: "pending",
  clean: "clean",
  infected: "infected",
  /** The scanner gave up on it for good (too large, unsupported, failed): it stays unreadable. */
  unscannable: "unscannable",
} as const;
export type ScanStatus = (typeof ScanStatus)[keyof typeof ScanStatus];

/** The scanners a stack can use (`mobile-s3:scanner`). */
export const SCANNERS = ["guardduty", "clamav"] as const;
export type ScannerName = (typeof SCANNERS)[number];

export interface ScanVocabulary {
  scanner: ScannerName;
  /** The object tag carrying the verdict. */
  tagKey: string;
  /** The value that makes an object readable. */
  clean: string;
  /** The value of an object found infected (it is then moved to `QUARANTINE_PREFIX`). */
  infected: string;
  /** Values meaning the scanner will not give a verdict for this version as it is. */
  unscannable: readonly string[];
  /**
   * ClamAV only: the tag naming the ETag the verdict was given for. A clean verdict whose ETag is
   * not the object's (a tag that landed on a newer upload while it was scanned) is not clean.
   * GuardDuty tags the very version it scanned, and writes no such tag.
   */
  verdictEtagTag?: string;
}

/**
 * Amazon GuardDuty Malware Protection for S3 tags each scanned object `GuardDutyMalwareScanStatus`
 * with its result: `NO_THREATS_FOUND`, `THREATS_FOUND`, `UNSUPPORTED`, `ACCESS_DENIED` or `FAILED`
 * ("Monitoring S3 object scans with GuardDuty managed tags", GuardDuty User Guide).
 */
export const GUARDDUTY_VOCABULARY: ScanVocabulary = {
  scanner: "guardduty",
  tagKey: "GuardDutyMalwareScanStatus",
  clean: "NO_THREATS_FOUND",
  infected: "THREATS_FOUND",
  unscannable: ["UNSUPPORTED", "ACCESS_DENIED", "FAILED"],
};

/** The self-hosted ClamAV scanner (functions/scan) writes the same kind of tag under its own key. */
export const CLAMAV_VOCABULARY: ScanVocabulary = {
  scanner: "clamav",
  tagKey: "scan-status",
  clean: "clean",
  infected: "infected",
  unscannable: ["unscannable"],
  verdictEtagTag: "scan-etag",
};

export const SCAN_VOCABULARIES: Readonly<Record<ScannerName, ScanVocabulary>> = {
  guardduty: GUARDDUTY_VOCABULARY,
  clamav: CLAMAV_VOCABULARY,
};

export function scanVocabulary(scanner: ScannerName): ScanVocabulary {
  return SCAN_VOCABULARIES[scanner];
}

/** S3 quotes ETags in some answers and not in others. */
export const bareEtag = (etag: string) => etag.replace(/"/g, "");

/**
 * The API's status of an object from its tags, in the given scanner's vocabulary. Given the
 * object's current `etag`, a clean verdict recorded for another ETag (`verdictEtagTag`) is pending.
 */
export function scanStatusFromTags(tags: Readonly<Record<string, string>>, vocabulary: ScanVocabulary, etag?: string): ScanStatus {
  const value = tags[vocabulary.tagKey];
  if (value === vocabulary.clean) {
    const verdictFor = vocabulary.verdictEtagTag === undefined ? undefined : tags[vocabulary.verdictEtagTag];
    return etag !== undefined && verdictFor !== undefined && verdictFor !== bareEtag(etag) ? ScanStatus.pending : ScanStatus.clean;
  }
  if (value === vocabulary.infected) {
    return ScanStatus.infected;
  }
  return value !== undefined && vocabulary.unscannable.includes(value) ? ScanStatus.unscannable : ScanStatus.pending;
}

/** The condition every read gate puts on `s3:GetObject`: the object's version carries the clean verdict. */
export function cleanObjectCondition(vocabulary: ScanVocabulary): Record<string, string> {
  return { [`s3:ExistingObjectTag/${vocabulary.tagKey}`]: vocabulary.clean };
}

/** Where infected objects are moved, inside the same bucket, out of every user's reach. */
export const QUARANTINE_PREFIX = "quarantine/";

/** The scanner receives S3 "Object Created" events through EventBridge. */
export const OBJECT_CREATED = { source: "aws.s3", detailType: "Object Created" } as const;

/**
 * GuardDuty Malware Protection for S3 publishes one event per scanned object to the account's
 * default event bus ("Monitoring S3 object scans with Amazon EventBridge", GuardDuty User Guide).
 */
export const GUARDDUTY_SCAN_RESULT = { source: "aws.guardduty", detailType: "GuardDuty Malware Protection Object Scan Result" } as const;

/** Where things live in the definitions bucket. The manifest is written last, after the files it names. */
export const DEFINITIONS_LAYOUT = {
  manifestKey: "manifest.json",
  signaturesPrefix: "signatures/",
  /**
   * freshclam's own state (`freshclam.dat`: its client id and any cool-down the ClamAV CDN
   * imposed), kept so a new execution environment honours a cool-down instead of retrying at once.
   */
  freshclamStateKey: "state/freshclam.dat",
} as const;

/** freshclam gets this long; the function's timeout must be longer (infra/scanning/clamav-image.ts). */
export const FRESHCLAM_TIMEOUT_MS = 8 * 60_000;
