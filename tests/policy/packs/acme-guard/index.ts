// An organisation's pack of every mobile-s3 policy, in AWSGuard's style: advisory by default, the
// public-ACL policy mandatory and KMS rotation disabled.
import { MobileS3Guard } from "mobile-s3-policy/library";

new MobileS3Guard("acme-guard", {
  all: "advisory",
  awsS3BucketDisallowPublicAcl: "mandatory",
  awsKmsKeyEnableRotation: "disabled",
  awsS3BucketEnforceAbortIncompleteUploads: { maxDaysAfterInitiation: 3 },
});
