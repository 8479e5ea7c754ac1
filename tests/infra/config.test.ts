import * as assert from "node:assert/strict";
import { CONFIG_SCHEMA, type ConfigKeyName, ConfigError, parseStackConfig, PROJECT } from "../../infra/config";
import { projectConfigSection } from "../../infra/config-schema";
import { readProjectFile } from "../../offline/stack-config";

type Values = Partial<Record<ConfigKeyName, string>>;
const parse = (values: Values, stack = "dev") => parseStackConfig((k) => values[k], stack);
const json = (v: unknown) => JSON.stringify(v);

describe("infra/config", () => {
  it("declares in Pulumi.yaml exactly the keys, types, defaults and descriptions of CONFIG_SCHEMA", () => {
    const project = readProjectFile();
    assert.equal(project.name, PROJECT);
    assert.deepEqual(Object.keys(project.config), Object.keys(CONFIG_SCHEMA));
    assert.deepEqual(project.config, projectConfigSection());
  });

  it("applies the defaults, with the stack name as environment", () => {
    const config = parse({}, "staging");
    assert.deepEqual(config, {
      app: "mobile-s3",
      environment: "staging",
      owner: "platform-team",
      profile: "full",
      identity: {
        homeKey: "userSub",
        tenantClaim: "custom:tenant",
        mfa: "OPTIONAL",
        tokenMinutes: 15,
        refreshTokenDays: 7,
        callbackUrls: ["mobile-s3://auth/callback"],
        logoutUrls: ["mobile-s3://auth/signout"],
      },
      tenants: [],
      corsOrigins: [],
      limits: {
        presignTtlSeconds: 300,
        maxObjectBytes: 5368709120,
        singlePutMaxBytes: 16777216,
        proxyMaxBytes: 1048576,
        allowedContentTypes: ["image/jpeg", "image/png", "image/heic", "video/mp4", "application/pdf"],
        partUrlBatchMax: 20,
        cdnSessionTtlSeconds: 3600,
      },
      userQuotaBytes: 0,
      scanning: { scanner: "guardduty", memoryMb: 3008 },
      objectIndex: { reconcileSchedule: "rate(1 day)" },
      cdn: { signingKeys: ["k1"] },
      observability: { logRetentionDays: 30, alarmEmail: undefined, auditTrail: true },
      lifecycle: {
        abortIncompleteUploadDays: 3,
        noncurrentVersionExpirationDays: 30,
        infrequentAccessAfterDays: 0,
        objectExpirationDays: 0,
      },
      forceDestroy: false,
    });
  });

  it("reads every key", () => {
    const config = parse({
      app: "photos",
      environment: "eu1",
      owner: "team@example.com",
      profile: "minimal",
      homeKey: "identityId",
      tenantClaim: "custom:org",
      tenants: json(["acme", "globex:accessPoint", "initech:bucket+dedicatedKey"]),
      defaultTier: "accessPoint",
      corsOrigins: json(["https://app.example.com", "http://localhost:5173"]),
      mfa: "ON",
      tokenMinutes: "5",
      refreshTokenDays: "30",
      callbackUrls: json(["photos://cb", "https://app.example.com/cb"]),
      logoutUrls: json(["photos://bye"]),
      authDomainPrefix: "photos-login",
      authEmailFrom: "Photos <no-reply@example.com>",
      authEmailSourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
      scanner: "clamav",
      scanMemoryMb: "4096",
      indexReconcileSchedule: "cron(30 3 * * ? *)",
      presignTtlSeconds: "900",
      maxObjectBytes: "1000",
      singlePutMaxBytes: "1000",
      proxyMaxBytes: "4194304",
      allowedContentTypes: json(["text/plain"]),
      partUrlBatchMax: "100",
      cdnSessionTtlSeconds: "60",
      cdnDomainName: "media.example.com",
      cdnCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
      logRetentionDays: "365",
      alarmEmail: "ops@example.com",
      auditTrail: "false",
      abortIncompleteUploadDays: "7",
      noncurrentVersionExpirationDays: "90",
      infrequentAccessAfterDays: "30",
      objectExpirationDays: "365",
      forceDestroy: "true",
    });
    assert.equal(config.profile, "minimal");
    assert.equal(config.identity.homeKey, "identityId");
    assert.equal(config.identity.tenantClaim, "custom:org");
    assert.deepEqual(config.tenants, [
      { id: "acme", tier: "accessPoint", dedicatedKey: false },
      { id: "globex", tier: "accessPoint", dedicatedKey: false },
      { id: "initech", tier: "bucket", dedicatedKey: true },
    ]);
    assert.deepEqual(config.corsOrigins, ["https://app.example.com", "http://localhost:5173"]);
    assert.equal(config.identity.mfa, "ON");
    assert.deepEqual(config.identity.callbackUrls, ["photos://cb", "https://app.example.com/cb"]);
    assert.equal(config.identity.authDomainPrefix, "photos-login");
    assert.deepEqual(config.identity.email, { from: "Photos <no-reply@example.com>", sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com" });
    assert.deepEqual(config.scanning, { scanner: "clamav", memoryMb: 4096 });
    assert.deepEqual(config.objectIndex, { reconcileSchedule: "cron(30 3 * * ? *)" });
    assert.equal(config.limits.presignTtlSeconds, 900);
    assert.deepEqual(config.limits.allowedContentTypes, ["text/plain"]);
    assert.deepEqual(config.cdn.customDomain?.domainName, "media.example.com");
    assert.deepEqual(config.observability, { logRetentionDays: 365, alarmEmail: "ops@example.com", auditTrail: false });
    assert.deepEqual(config.lifecycle, {
      abortIncompleteUploadDays: 7,
      noncurrentVersionExpirationDays: 90,
      infrequentAccessAfterDays: 30,
      objectExpirationDays: 365,
    });
    assert.equal(config.forceDestroy, true);
  });

  it("takes a past ISO 8601 UTC instant as revokeSessionsIssuedBefore, and none by default", () => {
    assert.equal(parse({}).identity.revokeSessionsIssuedBefore, undefined);
    for (const instant of ["2026-05-01T12:00:00Z", "2026-05-01T12:00:00.250Z"]) {
      assert.equal(parse({ revokeSessionsIssuedBefore: ` ${instant} ` }).identity.revokeSessionsIssuedBefore, instant);
    }
    // The operator read the instant off another clock: a few seconds ahead of this one is taken.
    const soon = new Date(Date.now() + 60_000).toISOString();
    assert.equal(parse({ revokeSessionsIssuedBefore: soon }).identity.revokeSessionsIssuedBefore, soon);
  });

  it("takes the reconciliation schedules EventBridge takes, at most every 15 minutes", () => {
    for (const schedule of ["rate(1 day)", "rate(12 hours)", "rate(15 minutes)", "rate(1 hour)", "cron(0 4 ? * MON *)"]) {
      assert.equal(parse({ indexReconcileSchedule: schedule }).objectIndex.reconcileSchedule, schedule);
    }
  });

  const bad: [string, Values, ConfigKeyName][] = [
    ["uppercase app", { app: "Photos" }, "app"],
    ["app with underscore", { app: "my_app" }, "app"],
    ["app too long", { app: "a".repeat(21) }, "app"],
    ["app ending in a hyphen", { app: "photos-" }, "app"],
    ["environment with a dot", { environment: "dev.1" }, "environment"],
    ["stack name unusable as environment", {}, "environment"],
    ["empty owner", { owner: " " }, "owner"],
    ["an unknown profile", { profile: "medium" }, "profile"],
    ["an unknown home key", { homeKey: "email" }, "homeKey"],
    ["a standard claim as tenant claim (users could write it)", { tenantClaim: "email" }, "tenantClaim"],
    ["tenants that are not a list", { tenants: '"acme"' }, "tenants"],
    ["a tenant id with uppercase", { tenants: json(["Acme"]) }, "tenants"],
    ["an unknown tier", { tenants: json(["acme:silo"]) }, "tenants"],
    ["a dedicated key outside the bucket tier", { tenants: json(["acme:pooled+dedicatedKey"]) }, "tenants"],
    ["a tenant listed twice", { tenants: json(["acme", "acme:bucket"]) }, "tenants"],
    ["an unknown default tier", { defaultTier: "silo" }, "defaultTier"],
    ["a CORS origin over http", { corsOrigins: json(["http://app.example.com"]) }, "corsOrigins"],
    ["a CORS wildcard", { corsOrigins: json(["*"]) }, "corsOrigins"],
    ["MFA 'sometimes'", { mfa: "sometimes" }, "mfa"],
    ["tokens living 2 hours", { tokenMinutes: "120" }, "tokenMinutes"],
    ["refresh tokens living 90 days", { refreshTokenDays: "90" }, "refreshTokenDays"],
    ["a revocation instant with an offset (IAM compares the text)", { revokeSessionsIssuedBefore: "2026-05-01T12:00:00+02:00" }, "revokeSessionsIssuedBefore"],
    ["a revocation instant without time", { revokeSessionsIssuedBefore: "2026-05-01" }, "revokeSessionsIssuedBefore"],
    ["a revocation instant on no real day", { revokeSessionsIssuedBefore: "2026-02-30T12:00:00Z" }, "revokeSessionsIssuedBefore"],
    ["a revocation instant in the future (it would refuse new sign-ins)", { revokeSessionsIssuedBefore: "2999-01-01T00:00:00Z" }, "revokeSessionsIssuedBefore"],
    ["an http callback", { callbackUrls: json(["http://app.example.com/cb"]) }, "callbackUrls"],
    ["a callback with a fragment", { callbackUrls: json(["https://app.example.com/cb#x"]) }, "callbackUrls"],
    ["an auth domain naming cognito", { authDomainPrefix: "my-cognito" }, "authDomainPrefix"],
    ["an app name that puts a reserved word in the default auth domain", { app: "paws" }, "authDomainPrefix"],
    ["an SES sender without its identity", { authEmailFrom: "no-reply@example.com" }, "authEmailSourceArn"],
    ["an SES identity without a sender", { authEmailSourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com" }, "authEmailFrom"],
    ["an SES identity that is not an ARN", { authEmailFrom: "no-reply@example.com", authEmailSourceArn: "example.com" }, "authEmailSourceArn"],
    ["an SES sender that is not an address", { authEmailFrom: "Photos", authEmailSourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com" }, "authEmailFrom"],
    ["an unknown scanner", { scanner: "clamd" }, "scanner"],
    ["a scan function of 512 MB (ClamAV's database alone needs more)", { scanMemoryMb: "512" }, "scanMemoryMb"],
    ["a scan function over Lambda's 10,240 MB", { scanMemoryMb: "10241" }, "scanMemoryMb"],
    ["a reconciliation schedule that is no expression", { indexReconcileSchedule: "daily" }, "indexReconcileSchedule"],
    ["a reconciliation every 5 minutes (a reconciliation may run 15)", { indexReconcileSchedule: "rate(5 minutes)" }, "indexReconcileSchedule"],
    ["a rate of 1 with a plural unit (EventBridge refuses it)", { indexReconcileSchedule: "rate(1 days)" }, "indexReconcileSchedule"],
    ["a rate of 2 with a singular unit", { indexReconcileSchedule: "rate(2 hour)" }, "indexReconcileSchedule"],
    ["a cron expression of 5 fields", { indexReconcileSchedule: "cron(30 3 * * ?)" }, "indexReconcileSchedule"],
    ["presigned URLs living 16 minutes", { presignTtlSeconds: "960" }, "presignTtlSeconds"],
    ["single PUTs larger than objects", { maxObjectBytes: "10", singlePutMaxBytes: "11" }, "singlePutMaxBytes"],
    ["a proxy body of 5 MiB", { proxyMaxBytes: "5242880" }, "proxyMaxBytes"],
    ["no content types", { allowedContentTypes: "[]" }, "allowedContentTypes"],
    ["a content type without subtype", { allowedContentTypes: json(["image"]) }, "allowedContentTypes"],
    ["a content type the uploads extension table has no row for", { allowedContentTypes: json(["image/jpeg", "image/x-icon"]) }, "allowedContentTypes"],
    ["batches of 500 part URLs", { partUrlBatchMax: "500" }, "partUrlBatchMax"],
    ["CDN sessions of a day", { cdnSessionTtlSeconds: "86400" }, "cdnSessionTtlSeconds"],
    ["a CDN domain without certificate", { cdnDomainName: "media.example.com" }, "cdnCertificateArn"],
    [
      "a CDN certificate outside us-east-1",
      { cdnDomainName: "m.example.com", cdnCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b" },
      "cdnCertificateArn",
    ],
    ["a log retention CloudWatch refuses", { logRetentionDays: "10" }, "logRetentionDays"],
    ["an alarm e-mail without domain", { alarmEmail: "ops@" }, "alarmEmail"],
    ["auditTrail 'yes'", { auditTrail: "yes" }, "auditTrail"],
    ["abort after 0 days", { abortIncompleteUploadDays: "0" }, "abortIncompleteUploadDays"],
    ["abort after 1.5 days", { abortIncompleteUploadDays: "1.5" }, "abortIncompleteUploadDays"],
    ["abort after 'soon'", { abortIncompleteUploadDays: "soon" }, "abortIncompleteUploadDays"],
    ["noncurrent versions kept 0 days", { noncurrentVersionExpirationDays: "0" }, "noncurrentVersionExpirationDays"],
    ["STANDARD_IA after 10 days", { infrequentAccessAfterDays: "10" }, "infrequentAccessAfterDays"],
    ["expiry before tiering", { infrequentAccessAfterDays: "60", objectExpirationDays: "60" }, "objectExpirationDays"],
    ["negative expiry", { objectExpirationDays: "-1" }, "objectExpirationDays"],
    ["forceDestroy 'yes'", { forceDestroy: "yes" }, "forceDestroy"],
  ];
  for (const [label, values, key] of bad) {
    it(`refuses ${label}, naming ${key}`, () => {
      const stack = label.startsWith("stack name") ? "Prod_EU" : "dev";
      assert.throws(
        () => parse(values, stack),
        (err: unknown) =>
          err instanceof ConfigError && err.key === key && err.message.startsWith(`[${PROJECT}:${key}] `) && !err.message.includes("\n"),
      );
    });
  }
});
