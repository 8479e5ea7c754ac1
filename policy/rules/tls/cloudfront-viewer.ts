import { type ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { cacheBehavioursOf, DISTRIBUTION_TYPES, known, knownString, UNKNOWN } from "../../lib/cloudfront";

const HTTPS_VIEWER_POLICIES = ["redirect-to-https", "https-only"];

export const awsCloudfrontDistributionEnforceViewerHttps: ResourceValidationPolicy = {
  name: "aws-cloudfront-distribution-enforce-viewer-https",
  description: "Checks that no cache behaviour of a CloudFront distribution serves viewers over plain HTTP.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    onlyFor(args, DISTRIBUTION_TYPES, "Only CloudFront distributions have viewer protocol policies.");
    for (const { label, props } of cacheBehavioursOf(args.props)) {
      const policy = knownString(() => props.viewerProtocolPolicy);
      // Absent is refused by CloudFront itself; unknown is checked again by `pulumi up`.
      if (typeof policy === "string" && !HTTPS_VIEWER_POLICIES.includes(policy)) {
        reportViolation(
          `Distribution "${args.name}" serves its ${label} over plain HTTP (viewerProtocolPolicy "${policy}"): ` +
            `set viewerProtocolPolicy to "redirect-to-https" or "https-only".`,
        );
      }
    }
  },
};

/**
 * CloudFront's viewer security policies, weakest first. Names AWS adds later rank by the same rule
 * (`securityPolicyRank`): protocol version first, then the year of the cipher suite list.
 */
export const SECURITY_POLICIES = [
  "SSLv3",
  "TLSv1",
  "TLSv1_2016",
  "TLSv1.1_2016",
  "TLSv1.2_2018",
  "TLSv1.2_2019",
  "TLSv1.2_2021",
  "TLSv1.2_2025",
  "TLSv1.3_2025",
] as const;
export type SecurityPolicy = (typeof SECURITY_POLICIES)[number];

/** What CloudFront applies when no minimum is set, and always on its `*.cloudfront.net` certificate. */
const CLOUDFRONT_DEFAULT_POLICY = "TLSv1";

/** [protocol version, cipher-list year] of a security policy name, or undefined if it is not one. */
export function securityPolicyRank(name: string): [number, number] | undefined {
  if (name === "SSLv3") {
    return [0, 0];
  }
  const match = /^TLSv(\d+(?:\.\d+)?)(?:_(\d{4}))?$/.exec(name);
  return match ? [Number(match[1]), Number(match[2] ?? 0)] : undefined;
}

function atLeast(name: string, floor: string): boolean | undefined {
  const [rank, min] = [securityPolicyRank(name), securityPolicyRank(floor)];
  if (!rank || !min) {
    return undefined;
  }
  return rank[0] !== min[0] ? rank[0] > min[0] : rank[1] >= min[1];
}

interface MinimumTlsConfig {
  minimumProtocolVersion: SecurityPolicy;
  allowDefaultCertificate: boolean;
}

/**
 * On the `*.cloudfront.net` default certificate AWS pins the security policy to TLSv1 and ignores
 * any other value, so no setting of the distribution can comply; only a custom domain can. By
 * default such a distribution is reported not applicable, with that reason, rather than failing
 * every stack without a domain (HTTPS itself is still enforced by the viewer-https policy); set
 * `allowDefaultCertificate: false` (e.g. in production's policy config) to make it a violation.
 */
export const awsCloudfrontDistributionEnforceMinimumTls: ResourceValidationPolicy = {
  name: "aws-cloudfront-distribution-enforce-minimum-tls",
  description: "Checks that a CloudFront distribution's viewer certificate sets a minimum protocol version at or above the configured security policy.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minimumProtocolVersion: {
        type: "string",
        enum: [...SECURITY_POLICIES],
        default: "TLSv1.2_2021",
        description: `Weakest CloudFront security policy accepted, in CloudFront's order: ${SECURITY_POLICIES.join(" < ")}.`,
      },
      allowDefaultCertificate: {
        type: "boolean",
        default: true,
        description:
          "Whether a distribution may use the *.cloudfront.net default certificate, where AWS fixes the minimum at TLSv1 " +
          "whatever is set. true: such a distribution is reported not applicable (viewers still need HTTPS); false: it is " +
          "a violation, so production stacks must serve a custom domain with an ACM certificate.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    onlyFor(args, DISTRIBUTION_TYPES, "Only CloudFront distributions have a viewer certificate.");
    const { minimumProtocolVersion: floor, allowDefaultCertificate } = args.getConfig<MinimumTlsConfig>();
    const given = known(() => args.props.viewerCertificate as Record<string, unknown> | undefined | null);
    if (given === UNKNOWN) {
      return;
    }
    const certificate = given ?? {};
    // Without a viewer certificate CloudFront serves its default one.
    const usesDefault = given === undefined || given === null ? true : known(() => certificate.cloudfrontDefaultCertificate);
    if (usesDefault === UNKNOWN) {
      return;
    }
    if (usesDefault === true) {
      if (allowDefaultCertificate) {
        args.notApplicable(
          "The distribution uses the *.cloudfront.net default certificate, whose TLSv1 floor AWS fixes; " +
            "set allowDefaultCertificate to false to require a custom certificate.",
        );
      }
      reportViolation(
        `Distribution "${args.name}" uses the *.cloudfront.net default certificate, where AWS fixes the minimum protocol at ` +
          `${CLOUDFRONT_DEFAULT_POLICY}: serve it on a custom domain with an ACM certificate (us-east-1) and set ` +
          `viewerCertificate.minimumProtocolVersion to "${floor}" or later.`,
      );
      return;
    }
    const version = knownString(() => certificate.minimumProtocolVersion);
    if (version === UNKNOWN) {
      return;
    }
    const fix = `set viewerCertificate.minimumProtocolVersion to "${floor}" or later.`;
    if (version === undefined) {
      reportViolation(`Distribution "${args.name}" leaves minimumProtocolVersion unset, so CloudFront accepts ${CLOUDFRONT_DEFAULT_POLICY}: ${fix}`);
      return;
    }
    const ok = atLeast(version, floor);
    if (ok === undefined) {
      reportViolation(`Distribution "${args.name}" sets minimumProtocolVersion "${version}", which is not a CloudFront security policy: ${fix}`);
    } else if (!ok) {
      reportViolation(`Distribution "${args.name}" accepts viewers on security policy "${version}", below "${floor}": ${fix}`);
    }
  },
};
