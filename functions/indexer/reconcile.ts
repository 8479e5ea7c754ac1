import { ancestorFolders, bucketFor, type FunctionRouting, homePrefix, IDENTITY_ID, TENANT_ID, TENANTS_ROOT, USER_SUB } from "@mobile-s3/contract";
import { type HomeRef, isLapsed } from "../shared/object-index";
import { type VersionInfo } from "../shared/store";
import { refreshKey, type RefreshDeps } from "./refresh";

/*
 * The reconciliation (docs/OBJECT-INDEX.md, "Reconciliation"): rebuilds homes from the bucket, every
 * version included, and reports what it had to repair. Scheduled by the program, and run by hand
 * with `npm run admin -- reindex`. Each key goes through the same refresh as an event, so running it
 * while users upload is safe: it only ever writes what S3 holds.
 */

/** A reservation this old whose upload S3 no longer has (aborted, or its creation failed half-way) is released. */
export const ORPHAN_RESERVATION_MS = 10 * 60_000;

export interface ReconcileScope {
  tenant?: string;
  /** With `tenant`: one home. */
  home?: string;
}

/** What the reconciliation found different from the bucket, and set right. */
export interface DriftReport {
  homes: number;
  keys: number;
  versionsAdded: number;
  versionsRemoved: number;
  objectsAdded: number;
  objectsRemoved: number;
  objectsUpdated: number;
  foldersAdded: number;
  foldersRemoved: number;
  reservationsReleased: number;
  /** Differences between the usage counters and the sum of the keys, corrected. */
  usageCorrected: { storedBytes: number; objects: number; reservedBytes: number };
}

export const emptyReport = (): DriftReport => ({
  homes: 0,
  keys: 0,
  versionsAdded: 0,
  versionsRemoved: 0,
  objectsAdded: 0,
  objectsRemoved: 0,
  objectsUpdated: 0,
  foldersAdded: 0,
  foldersRemoved: 0,
  reservationsReleased: 0,
  usageCorrected: { storedBytes: 0, objects: 0, reservedBytes: 0 },
});

/** Whether anything was repaired. */
export const drifted = (r: DriftReport) =>
  r.versionsAdded + r.versionsRemoved + r.objectsAdded + r.objectsRemoved + r.objectsUpdated + r.foldersAdded + r.foldersRemoved + r.reservationsReleased > 0 ||
  Object.values(r.usageCorrected).some((v) => v !== 0);

export interface ReconcileDeps extends RefreshDeps {
  routing: FunctionRouting;
  now: () => number;
}

const isHomeId = (id: string) => USER_SUB.test(id) || IDENTITY_ID.test(id);

/** Every home the scope covers: those with objects in the buckets and those the index knows. */
async function homesIn(scope: ReconcileScope, deps: ReconcileDeps): Promise<HomeRef[]> {
  if (scope.home !== undefined) {
    if (scope.tenant === undefined) {
      throw new Error("a home is reconciled within its tenant: name the tenant too");
    }
    return [{ tenant: scope.tenant, home: scope.home }];
  }
  const { routing } = deps;
  const found = new Map<string, HomeRef>();
  const add = (h: HomeRef) => found.set(`${h.tenant}/${h.home}`, h);
  const tenants = new Set<string>(scope.tenant === undefined ? [] : [scope.tenant]);
  if (scope.tenant === undefined) {
    for (const bucket of new Set([routing.pooledBucket, ...Object.values(routing.dedicatedBuckets)])) {
      for (const prefix of await deps.store.listFolders({ bucket, prefix: TENANTS_ROOT })) {
        tenants.add(prefix.slice(TENANTS_ROOT.length, -1));
      }
    }
  }
  for (const tenant of [...tenants].filter((t) => TENANT_ID.test(t))) {
    const bucket = bucketFor(routing, tenant);
    for (const prefix of await deps.store.listFolders({ bucket, prefix: `${TENANTS_ROOT}${tenant}/home/` })) {
      const home = prefix.slice(`${TENANTS_ROOT}${tenant}/home/`.length, -1);
      if (isHomeId(home)) {
        add({ tenant, home });
      }
    }
  }
  for (const home of await deps.index.homes(scope.tenant)) {
    add(home);
  }
  return [...found.values()];
}

export async function reconcile(scope: ReconcileScope, deps: ReconcileDeps): Promise<DriftReport> {
  const report = emptyReport();
  for (const home of await homesIn(scope, deps)) {
    await reconcileHome(home, deps, report);
  }
  return report;
}

async function reconcileHome(home: HomeRef, deps: ReconcileDeps, report: DriftReport): Promise<void> {
  const { index, store } = deps;
  const bucket = bucketFor(deps.routing, home.tenant);
  const prefix = homePrefix(home.tenant, home.home);
  report.homes += 1;

  // 1. Every key S3 or the index knows, refreshed from one listing of the home's versions.
  const listed = await store.listVersions({ bucket, prefix });
  const byKey = new Map<string, VersionInfo[]>();
  for (const v of listed) {
    byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
  }
  const paths = new Set([...byKey.keys()].map((k) => k.slice(prefix.length)));
  for (const key of await index.keysOf(home)) {
    paths.add(key.path);
  }
  for (const path of paths) {
    const key = `${prefix}${path}`;
    const result = await refreshKey({ home, bucket, key, path }, deps, { versions: byKey.get(key) ?? [] });
    report.keys += 1;
    report.versionsAdded += result.versionsAdded;
    report.versionsRemoved += result.versionsRemoved;
    if (result.object === "added") report.objectsAdded += 1;
    if (result.object === "removed") report.objectsRemoved += 1;
    if (result.object === "updated") report.objectsUpdated += 1;
  }

  // 2. Object items and folder entries nothing stands behind any more.
  const keys = await index.keysOf(home);
  const presentPaths = new Set(keys.filter((k) => k.present).map((k) => k.path));
  for (const object of await index.objectsOf(home)) {
    if (!presentPaths.has(object.path)) {
      await index.deleteObject(home, object.path, Number.MAX_SAFE_INTEGER);
      report.objectsRemoved += 1;
    }
  }
  const expected = new Set([...presentPaths].flatMap((p) => ancestorFolders(p)));
  const actual = new Set(await index.foldersOf(home));
  const missing = [...expected].filter((f) => !actual.has(f));
  if (missing.length > 0) {
    await index.touchFolders(home, missing);
    report.foldersAdded += missing.length;
  }
  const extra = [...actual].filter((f) => !expected.has(f));
  report.foldersRemoved += await index.pruneFolders(home, extra);

  // 3. Promises nothing will fulfil: expired URLs, uploads S3 no longer has, completions whose object never came.
  const now = deps.now();
  const open = new Set((await store.listMultipartUploads({ bucket, prefix })).map((u) => u.uploadId));
  for (const r of (await index.usage(home)).reservations) {
    const old = now - r.createdAt > ORPHAN_RESERVATION_MS;
    // A completed upload whose object never arrived (its event lost and the object deleted since) is not open any more either.
    const lapsed = isLapsed(r, now) || (r.kind === "multipart" && old && (r.uploadId === undefined || !open.has(r.uploadId)));
    if (lapsed && (await index.release(home, r))) {
      report.reservationsReleased += 1;
    }
  }

  // 4. The counters against the sum of the keys.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [usage, keyStates] = await Promise.all([index.usage(home), index.keysOf(home)]);
    const stored = keyStates.reduce((sum, k) => sum + Object.values(k.versions).reduce((s, v) => s + v.size, 0), 0);
    const objects = keyStates.filter((k) => k.present).length;
    const reserved = usage.reservations.reduce((sum, r) => sum + r.bytes, 0);
    const delta = { storedBytes: stored - usage.storedBytes, objects: objects - usage.objects, reservedBytes: reserved - usage.reservedBytes };
    if (Object.values(delta).every((d) => d === 0)) {
      return;
    }
    if (await index.correctUsage(home, usage, { storedBytes: stored, objects, reservedBytes: reserved })) {
      report.usageCorrected.storedBytes += delta.storedBytes;
      report.usageCorrected.objects += delta.objects;
      report.usageCorrected.reservedBytes += delta.reservedBytes;
      return;
    }
  }
}
