import { CLAMAV_VOCABULARY, cleanObjectCondition, GUARDDUTY_VOCABULARY, SCANNERS, scanStatusFromTags, scanVocabulary } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";

describe("infra/storage/scan-status (one vocabulary for both scanners)", () => {
  describe("GuardDuty Malware Protection for S3 (tag GuardDutyMalwareScanStatus, per 'Monitoring S3 object scans with GuardDuty managed tags')", () => {
    const cases: [Record<string, string>, string][] = [
      [{ GuardDutyMalwareScanStatus: "NO_THREATS_FOUND" }, "clean"],
      [{ GuardDutyMalwareScanStatus: "THREATS_FOUND" }, "infected"],
      [{ GuardDutyMalwareScanStatus: "UNSUPPORTED" }, "unscannable"],
      [{ GuardDutyMalwareScanStatus: "ACCESS_DENIED" }, "unscannable"],
      [{ GuardDutyMalwareScanStatus: "FAILED" }, "unscannable"],
      [{}, "pending"],
      [{ GuardDutyMalwareScanStatus: "no_threats_found" }, "pending"],
      // ClamAV's verdict means nothing to a GuardDuty stack: a writer who could set it gains nothing.
      [{ "scan-status": "clean" }, "pending"],
    ];
    for (const [tags, status] of cases) {
      it(`reads ${JSON.stringify(tags)} as ${status}`, () => {
        assert.equal(scanStatusFromTags(tags, GUARDDUTY_VOCABULARY), status);
      });
    }
  });

  describe("ClamAV (tag scan-status)", () => {
    const cases: [Record<string, string>, string][] = [
      [{ "scan-status": "clean" }, "clean"],
      [{ "scan-status": "infected" }, "infected"],
      [{ "scan-status": "pending" }, "pending"],
      [{ "scan-status": "unscannable" }, "unscannable"],
      [{}, "pending"],
      [{ "scan-status": "CLEAN" }, "pending"],
      [{ "scan-status": "clean ", other: "clean" }, "pending"],
      [{ GuardDutyMalwareScanStatus: "NO_THREATS_FOUND" }, "pending"],
    ];
    for (const [tags, status] of cases) {
      it(`reads ${JSON.stringify(tags)} as ${status}`, () => {
        assert.equal(scanStatusFromTags(tags, CLAMAV_VOCABULARY), status);
      });
    }
  });

  it("names each scanner's vocabulary, and the read gate's condition is its clean verdict", () => {
    assert.deepEqual([...SCANNERS].sort(), ["clamav", "guardduty"]);
    assert.deepEqual(cleanObjectCondition(scanVocabulary("guardduty")), { "s3:ExistingObjectTag/GuardDutyMalwareScanStatus": "NO_THREATS_FOUND" });
    assert.deepEqual(cleanObjectCondition(scanVocabulary("clamav")), { "s3:ExistingObjectTag/scan-status": "clean" });
  });
});
