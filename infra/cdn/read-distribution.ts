import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { type ComponentArgs, LibraryComponent, type Transforms } from "../component";
import { AUTONAME_SUFFIX_LENGTH, NAME_CHARSETS, physicalName } from "../naming";
import { ACCESS_LOG_FIELDS, assertLogRetentionDays, CLOUDFRONT_LOG_REGION } from "./access-logs";
import { assertPriceClass, assertS3RegionalDomainName, CACHING_OPTIMIZED_POLICY_ID, DEFAULT_PRICE_CLASS } from "./distribution-settings";
import { corsConfig, READ_METHODS, securityHeaders } from "./response-headers";
import { assertSigningKeys, DEFAULT_SIGNING_KEYS, legacyChildNames, MAX_PUBLIC_KEYS_PER_KEY_GROUP, signingKeyChildNames } from "./signing-keys";
import { aliases, type CustomDomain, viewerCertificate } from "./viewer-certificate";

export interface ReadDistributionArgs extends ComponentArgs<ReadDistributionTransform> {
  /**
   * The bucket's regional domain name (`bucketRegionalDomainName`), which CloudFront reaches
   * through Origin Access Control. Grant the distribution `s3:GetObject` in the bucket policy with
   * `cloudFrontReadStatement` and `kms:Decrypt` in the bucket key's policy, or every read fails.
   * @example bucket.bucket.bucketRegionalDomainName
   */
  originDomainName: pulumi.Input<string>;
  /**
   * Buckets of bucket-tier tenants: each becomes an origin, served for `tenants/<tenant>/*` by its
   * own cache behaviour with the same signing, key group and headers. CloudFront allows 25 origins
   * and 25 behaviours per distribution; the program checks that before building.
   * @default []
   */
  tenantOrigins?: { tenant: string; originDomainName: pulumi.Input<string> }[];
  /**
   * Exact origins of web apps that read through the CDN with the signed cookies. Native apps send
   * no `Origin` and need none; with an empty list the distribution sends no CORS headers at all.
   * @default (required) pass [] for native apps only
   * @example ["https://app.example.com", "capacitor://localhost"]
   */
  corsOrigins: string[];
  /**
   * Which edge locations serve viewers: `PriceClass_100` (North America, Europe),
   * `PriceClass_200` (adds most of Asia, Middle East, Africa) or `PriceClass_All`.
   * @default "PriceClass_100"
   */
  priceClass?: string;
  /**
   * Serve on your own host name with an ACM certificate from us-east-1; viewers then need TLS 1.2+.
   * Without it the distribution uses its `*.cloudfront.net` name, where AWS fixes the minimum TLS
   * version at TLSv1: set this in production.
   * @default none: the `*.cloudfront.net` name and certificate
   * @example { domainName: "media.example.com", acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/…" }
   */
  customDomain?: CustomDomain;
  /**
   * Days CloudWatch Logs keeps the access logs (one of the periods CloudWatch accepts, e.g. 30, 90, 365).
   * @default (required)
   */
  logRetentionDays: number;
  /**
   * Names of the signing keys, oldest first: each gets its own RSA key and CloudFront public key, all
   * in the key group, and the last one signs (`publicKeyId`, `privateKeyPem`). Rotate by adding a
   * name, waiting out the cookie lifetime, then removing the old one (docs/cdn-key-rotation.md).
   * Each key's children are named after it, so adding or removing one never replaces another.
   * @default ["k1"]
   * @example ["k1", "k2"]
   */
  signingKeys?: string[];
}

/** One signing key's children. */
export interface SigningKey {
  name: string;
  privateKey: tls.PrivateKey;
  publicKey: aws.cloudfront.PublicKey;
}

/** One `Transform` per child of `ReadDistribution`. */
export type ReadDistributionTransform = Transforms<{
  originAccessControl: aws.cloudfront.OriginAccessControlArgs; signingKey: tls.PrivateKeyArgs;
  publicKey: aws.cloudfront.PublicKeyArgs; keyGroup: aws.cloudfront.KeyGroupArgs;
  responseHeadersPolicy: aws.cloudfront.ResponseHeadersPolicyArgs; distribution: aws.cloudfront.DistributionArgs;
  logGroup: aws.cloudwatch.LogGroupArgs; logDeliverySource: aws.cloudwatch.LogDeliverySourceArgs;
  logDeliveryDestination: aws.cloudwatch.LogDeliveryDestinationArgs; logDelivery: aws.cloudwatch.LogDeliveryArgs;
}>;

/**
 * CloudWatch Logs caps delivery source and destination names at 60 characters; theirs are the
 * component's name, the longer of the two suffixes ("-log-dst") and the provider's "-" plus 7 hex
 * digits. Every other child's name may be far longer.
 */
const DELIVERY_NAME_MAX = 60;
const LONGEST_CHILD_SUFFIX = "-log-dst".length + AUTONAME_SUFFIX_LENGTH;

/**
 * The CDN read path (access pattern 3): a CloudFront distribution in front of the private bucket
 * that signs every origin request with SigV4 through Origin Access Control, serves only viewers
 * holding cookies or URLs signed with this component's key (a trusted key group), redirects HTTP
 * to HTTPS, adds security and CORS headers at the edge, and delivers access logs, without
 * credentials in them, to CloudWatch Logs.
 *
 * Legacy CloudFront logging writes to an S3 bucket through ACLs, which this project disables
 * everywhere (`BucketOwnerEnforced`), so logs go through standard logging v2 (CloudWatch vended
 * log delivery) instead.
 */
export class ReadDistribution extends LibraryComponent {
  readonly distributionArn: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  /** The `*.cloudfront.net` name; with `customDomain`, alias that domain to this name in DNS. */
  readonly domainName: pulumi.Output<string>;
  readonly keyGroupId: pulumi.Output<string>;
  /**
   * The newest key's CloudFront public key id, sent as `CloudFront-Key-Pair-Id` with signed cookies
   * and URLs. Known only once the key group holds it, so nothing signs with a key CloudFront does not
   * trust yet.
   */
  readonly publicKeyId: pulumi.Output<string>;
  /**
   * PEM of the newest RSA key, the one that signs cookies and URLs. Secret: it lives in the stack's
   * state encrypted like every secret; hand it to the API through a secret store, never an
   * environment variable. Older keys stay in the key group only to verify what they signed.
   */
  readonly privateKeyPem: pulumi.Output<string>;
  readonly originAccessControl: aws.cloudfront.OriginAccessControl;
  /** Every signing key, oldest first, as `signingKeys` lists them. */
  readonly signingKeys: SigningKey[];
  /** The newest key's children: the ones that sign. */
  readonly signingKey: tls.PrivateKey;
  readonly publicKey: aws.cloudfront.PublicKey;
  readonly keyGroup: aws.cloudfront.KeyGroup;
  readonly responseHeadersPolicy: aws.cloudfront.ResponseHeadersPolicy;
  readonly distribution: aws.cloudfront.Distribution;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly logDelivery: aws.cloudwatch.LogDelivery;

  constructor(name: string, args: ReadDistributionArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every argument is checked before anything is registered, so a bad one leaves no trace.
    const { priceClass, cors, certificate, signingKeys } = checkArgs(name, args);
    super("mobile-s3:cdn:ReadDistribution", name, args.tags, opts);
    const t = args.transform ?? {};

    this.originAccessControl = this.child(
      aws.cloudfront.OriginAccessControl,
      `${name}-oac`,
      {
        description: `CloudFront ${name} reads the bucket with SigV4`,
        originAccessControlOriginType: "s3",
        // "always": every origin request is signed, even if a viewer sent its own Authorization header.
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      t.originAccessControl,
    );
    // CloudFront verifies signed cookies and URLs with RSA 2048 public keys. Every key listed is
    // trusted; removing one from the list deletes it, and cookies signed with it stop working at
    // once, which is also how a leaked key is revoked.
    this.signingKeys = signingKeys.map((key) => {
      const names = signingKeyChildNames(name, key);
      const legacy = legacyChildNames(name, key);
      const privateKey = this.child(tls.PrivateKey, names.privateKey, { algorithm: "RSA", rsaBits: 2048 }, t.signingKey, legacy ? { aliases: [{ name: legacy.privateKey }] } : {});
      const publicKey = this.child(
        aws.cloudfront.PublicKey,
        names.publicKey,
        // Left auto-named: with a fixed name, replacing the key fails while the key group still
        // holds the old one (the provider's documentation warns of it).
        { comment: `Verifies ${name} signed cookies and URLs`, encodedKey: privateKey.publicKeyPem },
        t.publicKey,
        legacy ? { aliases: [{ name: legacy.publicKey }] } : {},
      );
      return { name: key, privateKey, publicKey };
    });
    const newest = this.signingKeys[this.signingKeys.length - 1];
    this.signingKey = newest.privateKey;
    this.publicKey = newest.publicKey;
    this.keyGroup = this.child(
      aws.cloudfront.KeyGroup,
      `${name}-key-group`,
      { comment: `Signers trusted by ${name}`, items: this.signingKeys.map((k) => k.publicKey.id) },
      t.keyGroup,
    );
    this.responseHeadersPolicy = this.child(
      aws.cloudfront.ResponseHeadersPolicy,
      `${name}-headers`,
      { comment: `Security${cors ? " and CORS" : ""} headers for ${name}`, securityHeadersConfig: securityHeaders(), corsConfig: cors },
      t.responseHeadersPolicy,
    );

    const originId = "s3";
    // Every behaviour reads the same way; only the origin differs.
    const signedReads = {
      viewerProtocolPolicy: "redirect-to-https",
      // OPTIONS for CORS preflights, which only signed URLs can pass (see ALLOWED_REQUEST_HEADERS).
      allowedMethods: [...READ_METHODS],
      cachedMethods: [...READ_METHODS],
      // Without a valid signed cookie or URL from this key group, CloudFront answers 403.
      trustedKeyGroups: [this.keyGroup.id],
      cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
      // No origin request policy: S3 behind OAC needs nothing from the viewer's request, and
      // forwarding cookies or Authorization would hand the viewer's credentials to the origin.
      responseHeadersPolicyId: this.responseHeadersPolicy.id,
      compress: true,
    };
    const tenants = args.tenantOrigins ?? [];
    this.distribution = this.child(
      aws.cloudfront.Distribution,
      name,
      {
        comment: `Signed reads of ${name}'s bucket`,
        enabled: true,
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass,
        aliases: aliases(args.customDomain),
        origins: [
          { originId, domainName: args.originDomainName, originAccessControlId: this.originAccessControl.id },
          ...tenants.map((o) => ({ originId: `tenant-${o.tenant}`, domainName: o.originDomainName, originAccessControlId: this.originAccessControl.id })),
        ],
        defaultCacheBehavior: { targetOriginId: originId, ...signedReads },
        orderedCacheBehaviors: tenants.map((o) => ({ pathPattern: `/tenants/${o.tenant}/*`, targetOriginId: `tenant-${o.tenant}`, ...signedReads })),
        viewerCertificate: certificate,
        restrictions: { geoRestriction: { restrictionType: "none" } },
      },
      t.distribution,
    );

    const inLogRegion = { region: CLOUDFRONT_LOG_REGION };
    this.logGroup = this.child(
      aws.cloudwatch.LogGroup,
      `${name}-logs`,
      {
        // CloudWatch adds one resource-policy entry per vended-log group unless the name sits under
        // /aws/vendedlogs/, which a single account-wide entry covers (resource policies are capped).
        namePrefix: `/aws/vendedlogs/cloudfront/${name}-`,
        retentionInDays: args.logRetentionDays,
        ...inLogRegion,
      },
      t.logGroup,
    );
    const source = this.child(
      aws.cloudwatch.LogDeliverySource,
      `${name}-log-src`,
      { logType: "ACCESS_LOGS", resourceArn: this.distribution.arn, ...inLogRegion },
      t.logDeliverySource,
    );
    const destination = this.child(
      aws.cloudwatch.LogDeliveryDestination,
      `${name}-log-dst`,
      { outputFormat: "json", deliveryDestinationConfiguration: { destinationResourceArn: this.logGroup.arn }, ...inLogRegion },
      t.logDeliveryDestination,
    );
    this.logDelivery = this.child(
      aws.cloudwatch.LogDelivery,
      `${name}-log-delivery`,
      { deliverySourceName: source.name, deliveryDestinationArn: destination.arn, recordFields: [...ACCESS_LOG_FIELDS], ...inLogRegion },
      t.logDelivery,
    );

    this.distributionArn = this.distribution.arn;
    this.distributionId = this.distribution.id;
    this.domainName = this.distribution.domainName;
    this.keyGroupId = this.keyGroup.id;
    // Through the key group: whatever signs with this id waits until the group trusts it.
    this.publicKeyId = pulumi.all([this.keyGroup.id, this.publicKey.id]).apply(([, id]) => id);
    // The tls provider marks the PEM secret in its schema; say so here too, so the secrecy does not
    // depend on the engine honouring that schema (mocks, for one, do not).
    this.privateKeyPem = pulumi.secret(this.signingKey.privateKeyPem);
    this.registerOutputs({
      distributionArn: this.distributionArn,
      distributionId: this.distributionId,
      domainName: this.domainName,
      keyGroupId: this.keyGroupId,
      publicKeyId: this.publicKeyId,
      privateKeyPem: this.privateKeyPem,
    });
  }
}

function checkArgs(name: string, args: ReadDistributionArgs) {
  assertComponentName(name);
  assertLogRetentionDays(args.logRetentionDays);
  // A plain string is checked now; an Output (the usual case, a bucket's attribute) is known only
  // at deploy time, when CloudFront itself refuses an origin that is not an S3 REST endpoint.
  if (typeof args.originDomainName === "string") {
    assertS3RegionalDomainName(args.originDomainName);
  }
  const signingKeys = args.signingKeys ?? [...DEFAULT_SIGNING_KEYS];
  assertSigningKeys(signingKeys, "signingKeys", MAX_PUBLIC_KEYS_PER_KEY_GROUP);
  return {
    signingKeys,
    priceClass: assertPriceClass(args.priceClass ?? DEFAULT_PRICE_CLASS),
    cors: corsConfig(args.corsOrigins),
    certificate: viewerCertificate(args.customDomain),
  };
}

function assertComponentName(name: string): void {
  physicalName({
    parts: [name],
    maxLength: DELIVERY_NAME_MAX,
    charset: NAME_CHARSETS.lowerHyphen,
    reserve: LONGEST_CHILD_SUFFIX,
    message: () =>
      `ReadDistribution name "${name}" must be lowercase letters, digits and hyphens, at most ` +
      `${DELIVERY_NAME_MAX - LONGEST_CHILD_SUFFIX} characters (its log delivery names are capped at ${DELIVERY_NAME_MAX}): shorten [app] or [environment]`,
  });
}
