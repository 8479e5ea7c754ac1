import * as assert from "node:assert/strict";
import { auditEventSelectors, MAX_SELECTOR_VALUES } from "../../../infra/observability/event-selectors";

const PHOTOS = "arn:aws:s3:::photos";
const ARCHIVE = "arn:aws:s3:::photos-archive";
const ACCESS_POINT = "arn:aws:s3:eu-west-1:123456789012:accesspoint/tenant-acme";
const buckets = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:s3:::bucket-${String(i).padStart(4, "0")}`);
const valueCount = (selectors: ReturnType<typeof auditEventSelectors>) =>
  selectors.flatMap((s) => s.fieldSelectors).reduce((n, f) => n + (f.equals?.length ?? 0) + (f.startsWiths?.length ?? 0), 0);

describe("infra/observability/event-selectors", () => {
  it("selects management events and S3 object data events, reads and writes, under each bucket's own prefix", () => {
    assert.deepEqual(auditEventSelectors({ bucketArns: [PHOTOS, ARCHIVE] }), [
      { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
      {
        name: "S3 object reads and writes in the app's buckets",
        fieldSelectors: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          // "photos/" does not select photos-archive's objects; each bucket is named for itself.
          { field: "resources.ARN", startsWiths: [`${PHOTOS}/`, `${ARCHIVE}/`] },
        ],
      },
    ]);
  });

  it("adds a selector for access points only when there are some", () => {
    const selectors = auditEventSelectors({ bucketArns: [PHOTOS], accessPointArns: [ACCESS_POINT] });
    assert.deepEqual(selectors[2], {
      name: "S3 data events through the app's access points",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::AccessPoint"] },
        { field: "resources.ARN", startsWiths: [ACCESS_POINT] },
      ],
    });
    assert.equal(auditEventSelectors({ bucketArns: [PHOTOS], accessPointArns: [] }).length, 2);
  });

  it("lists each ARN once, in a stable order, so reordering inputs changes nothing", () => {
    assert.deepEqual(auditEventSelectors({ bucketArns: [ARCHIVE, PHOTOS, ARCHIVE] }), auditEventSelectors({ bucketArns: [PHOTOS, ARCHIVE] }));
  });

  const refused: [string, Parameters<typeof auditEventSelectors>[0], RegExp][] = [
    ["no bucket", { bucketArns: [] }, /\[dataBucketArns\] must name at least one bucket/],
    ["an object ARN as a bucket", { bucketArns: [`${PHOTOS}/tenants/*`] }, /\[dataBucketArns\] must hold S3 bucket .* got "arn:aws:s3:::photos\/tenants\/\*"/],
    ["an access point ARN as a bucket", { bucketArns: [ACCESS_POINT] }, /\[dataBucketArns\] must hold S3 bucket/],
    ["a CloudFront ARN as a bucket (a common mistake)", { bucketArns: ["arn:aws:cloudfront::123456789012:distribution/E1"] }, /\[dataBucketArns\]/],
    ["a bucket ARN as an access point", { bucketArns: [PHOTOS], accessPointArns: [ARCHIVE] }, /\[accessPointArns\] must hold S3 access point/],
  ];
  for (const [label, targets, message] of refused) {
    it(`refuses ${label}, naming the argument`, () => {
      assert.throws(() => auditEventSelectors(targets), message);
    });
  }

  it(`fits the ${MAX_SELECTOR_VALUES}-value limit of one trail exactly, and refuses one ARN more`, () => {
    assert.equal(valueCount(auditEventSelectors({ bucketArns: buckets(497) })), MAX_SELECTOR_VALUES);
    assert.throws(() => auditEventSelectors({ bucketArns: buckets(498) }), /name 498 resources.*at most 500 values, so at most 497 ARNs.*\[mobile-s3:tenants\]/);

    const accessPoints = [ACCESS_POINT, ACCESS_POINT.replace("acme", "globex")];
    assert.equal(valueCount(auditEventSelectors({ bucketArns: buckets(493), accessPointArns: accessPoints })), MAX_SELECTOR_VALUES);
    assert.throws(() => auditEventSelectors({ bucketArns: buckets(494), accessPointArns: accessPoints }), /name 496 resources.*at most 495 ARNs/);
  });
});
