import type * as aws from "@pulumi/aws";

type ViewerCertificate = aws.types.input.cloudfront.DistributionViewerCertificate;

/** CloudFront's security policy for viewers on a custom domain: TLS 1.2 or later, modern ciphers only. */
export const MIN_VIEWER_TLS_POLICY = "TLSv1.2_2021";

/** A custom domain for the CDN and the certificate that covers it. */
export interface CustomDomain {
  /** The host name viewers use, e.g. `media.example.com`. It must be covered by the certificate. */
  domainName: string;
  /** An ACM certificate in us-east-1, the only region CloudFront takes certificates from. */
  acmCertificateArn: string;
}

// Lowercase DNS name of at least two labels; CloudFront also accepts one leading "*." wildcard.
const DOMAIN_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const US_EAST_1_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/;

/** Checks a custom domain; errors name the field to fix. */
export function assertCustomDomain(customDomain: CustomDomain): void {
  if (customDomain.domainName.length > 253 || !DOMAIN_NAME.test(customDomain.domainName)) {
    throw new Error(`[customDomain.domainName] must be a lowercase DNS name such as "media.example.com", got "${customDomain.domainName}"`);
  }
  if (!US_EAST_1_CERTIFICATE.test(customDomain.acmCertificateArn)) {
    throw new Error(
      `[customDomain.acmCertificateArn] must be an ACM certificate ARN in us-east-1 (CloudFront takes certificates from ` +
        `no other region), got "${customDomain.acmCertificateArn}"`,
    );
  }
}

/**
 * How viewers' TLS is terminated. With a custom domain: its ACM certificate, SNI only (no
 * dedicated-IP charge) and TLS 1.2+ (TLS only). Without one the distribution answers on
 * its `*.cloudfront.net` name with CloudFront's own certificate, and AWS then pins the minimum
 * protocol to TLSv1 whatever is asked for; HTTPS is still enforced (viewers are redirected), but
 * production stacks should set `customDomain` to get the TLS 1.2 floor.
 */
export function viewerCertificate(customDomain?: CustomDomain): ViewerCertificate {
  if (!customDomain) {
    return { cloudfrontDefaultCertificate: true };
  }
  assertCustomDomain(customDomain);
  return {
    acmCertificateArn: customDomain.acmCertificateArn,
    sslSupportMethod: "sni-only",
    minimumProtocolVersion: MIN_VIEWER_TLS_POLICY,
  };
}

/** Alternate domain names (CNAMEs) the distribution answers to. */
export function aliases(customDomain?: CustomDomain): string[] {
  return customDomain ? [customDomain.domainName] : [];
}
