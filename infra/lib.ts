// The component library: what another Pulumi program imports as `mobile-s3`. The Pulumi entry point
// of this repository's own stacks is infra/index.ts; docs/COMPONENTS.md describes every component.
export { applyTransform, type ComponentArgs, LibraryComponent, type Transform } from "./component";
export { AUTONAME_SUFFIX_LENGTH, NAME_CHARSETS, physicalName, type PhysicalNameSpec, shortHash, stackResourceName } from "./naming";

export { Identity, type IdentityArgs, type IdentityTransform } from "./identity/identity";
export { BLOCK_ALL_PUBLIC_ACCESS, HardenedBucket, type HardenedBucketArgs, type HardenedBucketTransform } from "./storage/hardened-bucket";
export { type LifecycleSettings, lifecycleRules } from "./storage/lifecycle";
export { type AccessPointInfo, type DedicatedBucketInfo, TenantStorage, type TenantStorageArgs, type TenantStorageTransform, type TenantRoute } from "./tenancy/tenant-storage";
export { type HomeKey, type StorageLayout } from "./tenancy/access-policies";
export { ControlPlane, type ControlPlaneArgs, type ControlPlaneTransform, type DeployedFunction, type FunctionImage, type ScanningSettings, type StorageTarget } from "./api/control-plane";
export { BundleError, bundledFunctions, bundleHandler, FUNCTIONS_DIR, handlerArchive } from "./api/bundle";
export { type ControlPlaneLimits, type Throttling } from "./api/limits";
export { type UserSettings } from "./api/function-environment";
export { ReadDistribution, type ReadDistributionArgs, type ReadDistributionTransform } from "./cdn/read-distribution";
export { type CustomDomain } from "./cdn/viewer-certificate";
export { cloudFrontReadStatement } from "./cdn/read-grant";
export { AuditTrail, type AuditTrailArgs, type AuditTrailTransform } from "./observability/audit-trail";
export { Alarms, type AlarmsArgs, type AlarmsTransform } from "./observability/alarms";
export { type AlarmThresholds } from "./observability/alarm-specs";
export { ClamAvImage, type ClamAvImageArgs, type ClamAvImageTransform } from "./scanning/clamav-image";
export { GuardDutyProtection, type GuardDutyProtectionArgs, type GuardDutyProtectionTransform, type GuardDutyProtectedBucket } from "./scanning/guardduty-protection";
export { ScanTrigger, type ScanTriggerArgs, type ScanTriggerTransform, type ScanTriggerEvents } from "./scanning/scan-trigger";
export { ObjectIndexTable, type ObjectIndexTableArgs, type ObjectIndexTableTransform } from "./object-index/index-table";
export { IndexTrigger, type IndexTriggerArgs, type IndexTriggerTransform } from "./object-index/index-trigger";
export { type PolicyDocument, type PolicyStatement } from "./iam/policy-document";

// The stack profiles, for programs that want this repository's whole assembly from their own config.
export { fullProfile } from "./profiles/full";
export { minimalProfile } from "./profiles/minimal";
export { type AppConfig, type ProgramOutputs } from "./profiles/stack";
