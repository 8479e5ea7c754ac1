import { type ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { flagsOffProblem, known } from "../../lib/public-access-block";

export const ACCESS_POINT_TYPE = "aws:s3/accessPoint:AccessPoint";

/**
 * AWS turns all four flags on when an access point is created without a block, and the provider
 * documents the same default. This rule still asks for them to be declared: the pack sees what the
 * program declares, not what a provider version fills in, and a review of the program should show
 * that no access point is public. The program always sets all four. There is no remediation: the
 * block cannot be changed on an existing access point, so a fix replaces it.
 */
export const awsS3AccessPointEnforcePublicAccessBlock: ResourceValidationPolicy = {
  name: "aws-s3-accesspoint-enforce-public-access-block",
  description: "Checks that every S3 access point declares a public access block configuration that turns on all four flags.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    onlyFor(args, ACCESS_POINT_TYPE, "Only S3 access points have an access point public access block.");
    const block = known(() => args.props.publicAccessBlockConfiguration as unknown);
    if (block !== undefined && (block.value === undefined || block.value === null)) {
      reportViolation(
        `Access point "${args.name}" declares no publicAccessBlockConfiguration: add one with all four flags true (changing it replaces the access point).`,
      );
      return;
    }
    const found = flagsOffProblem(() => args.props.publicAccessBlockConfiguration, `Access point "${args.name}"`, {
      where: "in its publicAccessBlockConfiguration",
      note: "changing it replaces the access point",
    });
    if (found !== undefined) {
      reportViolation(found);
    }
  },
};
