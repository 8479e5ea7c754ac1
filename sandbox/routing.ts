import { type FunctionRouting } from "@mobile-s3/contract";
import { type ProgramRun } from "../offline/run-program";
import { type AppConfig } from "../infra/program";

export interface SandboxRouting {
  /** TENANT_ROUTING of every API function. */
  routing: FunctionRouting;
  /** SCAN_BUCKETS: where user uploads land (the pooled bucket and each dedicated one), as the program wires the scanner. */
  scanBuckets: string[];
  /** Tenants whose access point the engine cannot have: they are served from the bucket behind it. */
  accessPointTenants: string[];
}

/**
 * Where each tenant's objects live, from the stack outputs the program exports for apps
 * (`appConfig.storage`). Tenants on the accessPoint tier go straight to the pooled bucket their
 * access point fronts, under the same keys: Ceph has no access points.
 */
export function sandboxRouting(run: ProgramRun): SandboxRouting {
  const storage = (run.outputs.appConfig as AppConfig | undefined)?.storage;
  if (!storage?.pooledBucket) {
    throw new Error("the program exported no appConfig.storage.pooledBucket; run it with preview: false");
  }
  const tenants = Object.entries(storage.tenants ?? {});
  const dedicatedBuckets = Object.fromEntries(tenants.filter(([, t]) => t.tier === "bucket").map(([id, t]) => [id, t.bucket]));
  return {
    routing: { pooledBucket: storage.pooledBucket, accessPointArnPrefix: "", accessPointTenants: [], dedicatedBuckets },
    scanBuckets: [...new Set([storage.pooledBucket, ...Object.values(dedicatedBuckets)])],
    accessPointTenants: tenants.filter(([, t]) => t.tier === "accessPoint").map(([id]) => id),
  };
}
