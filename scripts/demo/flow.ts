import { randomUUID } from "node:crypto";
import { type Answer, type ApiClient, describeAnswer, errorCodeOf, type Expected, expectAnswer, send } from "./api-client";
import { type DemoUser, signIn, withTenantEdited } from "./dev-token";
import { type Downloaded, downloadWhenScanned } from "./download";
import { type ProgressFactory, silentProgress } from "./progress";
import { PDF_BLANK, PNG_1PX, videoBytes } from "./sample-files";
import { type LocalFile, planUpload, type Uploaded, uploadFile } from "./upload";

export interface DemoOptions {
  /** The sandbox API, e.g. http://127.0.0.1:8787 */
  api: string;
  /** Called as each step happens; the CLI prints them. */
  onStep?: (step: DemoStep) => void;
  /** Progress of the multipart upload (stderr bar in the CLI). */
  progress?: ProgressFactory;
  /** Size of the multipart video. @default 20 MiB (the dev stack signs one PUT up to 16 MiB) */
  videoBytes?: number;
  /** How long an upload may stay unscanned. @default 120 s */
  scanTimeoutMs?: number;
  /** Leave the uploaded objects in the sandbox instead of deleting them at the end. @default false */
  keep?: boolean;
}

export interface DemoStep {
  actor: string;
  /** `done`: the API served the request; `refused`: it (or S3) refused it, as it must. */
  outcome: "done" | "refused";
  text: string;
  /** Status (and code) of the answer, e.g. `404 ObjectNotFound`. */
  answer: string;
}

export interface ListedObject {
  path: string;
  size: number;
  scanStatus: string;
}

export interface Refusal {
  actor: string;
  attempt: string;
  status: number;
  code?: string;
}

export interface DemoReport {
  api: string;
  users: DemoUser[];
  uploads: (Uploaded & { user: string })[];
  listings: Record<string, ListedObject[]>;
  downloads: (Omit<Downloaded, "url"> & { user: string })[];
  refusals: Refusal[];
  steps: DemoStep[];
  elapsedMs: number;
}

const MIB = 1024 * 1024;

/** One user of the demo: who, signed in, and the files on their phone. */
interface Actor {
  user: DemoUser;
  api: ApiClient;
  files: { file: LocalFile; mode: Uploaded["mode"] }[];
}

/** The report being written, and the two ways a step ends. */
interface Run {
  options: DemoOptions;
  report: DemoReport;
  done(actor: Actor, text: string, answer: string): void;
  /** Makes the call and records the refusal; throws when it was not refused as `expected`. */
  refused(who: Actor | "anonymous", attempt: string, expected: Expected, call: () => Promise<Answer>): Promise<void>;
}

/**
 * A complete mobile-style session against a running sandbox, through HTTP only: two users in two
 * tenants sign in, upload (one multipart), list, download once the scanner has passed their files,
 * then try what the design forbids — another user's path, another tenant's home, an edited token, a
 * foreign upload id, presigned URLs pointed at other keys — and are refused each time. Throws on
 * the first answer that is not the expected one; otherwise returns what happened.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = Date.now();
  const run = startRun(options);
  const [alice, bob] = await signInUsers(run);
  await uploadFiles(run, [alice, bob]);
  await listHomes(run, [alice, bob]);
  const urls = await downloadWhenClean(run, [alice, bob]);
  await tryAnotherUsersPath(run, alice, bob);
  await tryAnotherTenant(run, alice, bob);
  await tryForeignUploadId(run, alice, bob);
  await tryTamperedUrls(run, alice, bob, urls);
  if (!options.keep) {
    await deleteFiles(run, [alice, bob]);
  }
  run.report.elapsedMs = Date.now() - started;
  return run.report;
}

function startRun(options: DemoOptions): Run {
  const report: DemoReport = { api: options.api, users: [], uploads: [], listings: {}, downloads: [], refusals: [], steps: [], elapsedMs: 0 };
  const record = (step: DemoStep) => {
    report.steps.push(step);
    options.onStep?.(step);
  };
  return {
    options,
    report,
    done: (actor, text, answer) => record({ actor: actor.user.name, outcome: "done", text, answer }),
    async refused(who, attempt, expected, call) {
      const actor = who === "anonymous" ? who : who.user.name;
      const answer = await call();
      expectAnswer(answer, expected, `${actor}: ${attempt}`);
      const code = errorCodeOf(answer);
      report.refusals.push({ actor, attempt, status: answer.status, ...(code === undefined ? {} : { code }) });
      record({ actor, outcome: "refused", text: attempt, answer: describeAnswer(answer) });
    },
  };
}

async function signInUsers(run: Run): Promise<[Actor, Actor]> {
  // Fresh subjects every run: the demo never meets files of an earlier run in a long-lived sandbox.
  const alice: DemoUser = { name: "alice@acme", sub: randomUUID(), tenant: "acme" };
  const bob: DemoUser = { name: "bob@globex", sub: randomUUID(), tenant: "globex" };
  const video = videoBytes(run.options.videoBytes ?? 20 * MIB);
  const actors: [Actor, Actor] = [
    {
      user: alice,
      api: await signIn(run.options.api, alice),
      files: [
        { file: { path: "photos/dot.png", contentType: "image/png", bytes: PNG_1PX }, mode: "single" },
        { file: { path: "videos/clip.mp4", contentType: "video/mp4", bytes: video }, mode: "multipart" },
      ],
    },
    {
      user: bob,
      api: await signIn(run.options.api, bob),
      files: [{ file: { path: "docs/blank.pdf", contentType: "application/pdf", bytes: PDF_BLANK }, mode: "single" }],
    },
  ];
  for (const actor of actors) {
    run.report.users.push(actor.user);
    run.done(actor, `signed in (sub ${actor.user.sub}, tenant ${actor.user.tenant})`, "200");
  }
  return actors;
}

async function uploadFiles(run: Run, actors: Actor[]): Promise<void> {
  const progress = run.options.progress ?? silentProgress;
  for (const actor of actors) {
    for (const { file, mode } of actor.files) {
      // A bar for multipart uploads only: a single PUT of a few bytes has no progress to show.
      const bar = mode === "multipart" ? progress(`${actor.user.name} ${file.path}`, file.bytes.byteLength) : undefined;
      const uploaded = await uploadFile(actor.api, file, bar);
      if (uploaded.mode !== mode) {
        throw new Error(`${actor.user.name} ${file.path}: the API chose a ${uploaded.mode} upload for ${size(uploaded.size)}, expected ${mode}`);
      }
      run.report.uploads.push({ ...uploaded, user: actor.user.name });
      run.done(actor, `uploaded ${file.path} (${size(uploaded.size)}, ${mode === "single" ? "one presigned PUT" : `multipart, ${uploaded.parts} parts`})`, "200");
    }
  }
}

/** Each user lists exactly their own files, whatever else the bucket holds. */
/** How long a listing may lag the uploads: the object index follows S3's events (docs/OBJECT-INDEX.md). */
const INDEX_LAG_MS = 15_000;

async function listHomes(run: Run, actors: Actor[]): Promise<void> {
  for (const actor of actors) {
    const expected = actor.files.map(({ file }) => file.path).sort();
    const deadline = Date.now() + INDEX_LAG_MS;
    let objects = await listAll(actor.api, actor.user.name);
    let got = objects.map((o) => o.path).sort();
    while (JSON.stringify(got) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      objects = await listAll(actor.api, actor.user.name);
      got = objects.map((o) => o.path).sort();
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`${actor.user.name} lists [${got.join(", ")}], expected exactly [${expected.join(", ")}]`);
    }
    run.report.listings[actor.user.name] = objects;
    run.done(actor, `lists own home: ${objects.map((o) => `${o.path} (${size(o.size)}, ${o.scanStatus})`).join(", ")}`, "200");
  }
}

/** Downloads every file once the scanner passed it; returns the presigned URLs by `user:path`. */
async function downloadWhenClean(run: Run, actors: Actor[]): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const actor of actors) {
    for (const { file } of actor.files) {
      const { url, ...downloaded } = await downloadWhenScanned(actor.api, file.path, file.bytes, run.options.scanTimeoutMs ?? 120_000);
      urls.set(`${actor.user.name}:${file.path}`, url);
      run.report.downloads.push({ ...downloaded, user: actor.user.name });
      const waited =
        downloaded.notScannedAnswers === 0
          ? "already scanned"
          : `scanned after ${downloaded.notScannedAnswers} × 409 NotScanned (${(downloaded.waitedForScanMs / 1000).toFixed(1)} s)`;
      run.done(actor, `downloaded ${file.path} via presigned URL, ${waited}, bytes identical`, "200");
    }
  }
  return urls;
}

/** Paths are relative to the caller's home: alice's path, asked by bob, is looked up in bob's home. */
async function tryAnotherUsersPath(run: Run, alice: Actor, bob: Actor): Promise<void> {
  const path = alice.files[0].file.path;
  await run.refused(bob, `asks for alice's path ${path}: it resolves in bob's own home`, { status: 404, code: "ObjectNotFound" }, () =>
    bob.api.call("GET", "/v1/objects/url", { query: { path } }),
  );
}

/** The tenant comes from the verified token only: not from a path, a body field or an edited claim. */
async function tryAnotherTenant(run: Run, alice: Actor, bob: Actor): Promise<void> {
  const { tenant, sub } = alice.user;
  await run.refused(bob, "lists outside his home (prefix ../)", { status: 400, code: "InvalidPath" }, () =>
    bob.api.call("GET", "/v1/objects", { query: { prefix: "../" } }),
  );
  const walkUp = `../../../${tenant}/home/${sub}/${alice.files[0].file.path}`;
  await run.refused(bob, `walks up into tenant ${tenant} (${walkUp})`, { status: 400, code: "InvalidPath" }, () =>
    bob.api.call("GET", "/v1/objects/url", { query: { path: walkUp } }),
  );
  await run.refused(bob, `names tenant ${tenant} in an upload's body`, { status: 400, code: "UnknownField" }, () =>
    bob.api.call("POST", "/v1/uploads", { body: { path: "docs/mine.pdf", contentType: "application/pdf", size: 10, tenant } }),
  );
  await run.refused(bob, `edits his token's tenant claim to ${tenant}`, { status: 401 }, () =>
    bob.api.as(withTenantEdited(bob.api.token!, bob.user.tenant, tenant)).call("GET", "/v1/objects"),
  );
  await run.refused("anonymous", "lists without a token", { status: 401 }, () => bob.api.as(undefined).call("GET", "/v1/objects"));
}

/** An upload id is only good with its owner's key: bob's key holds no such upload. */
async function tryForeignUploadId(run: Run, alice: Actor, bob: Actor): Promise<void> {
  const video = alice.files.find(({ mode }) => mode === "multipart")!.file;
  const pending = await planUpload(alice.api, { ...video, path: "videos/next.mp4" });
  if (pending.mode !== "multipart") {
    throw new Error(`alice's second video got a ${pending.mode} upload, expected multipart`);
  }
  const route = `/v1/uploads/${encodeURIComponent(pending.uploadId)}`;
  await run.refused(bob, "asks for part URLs of alice's multipart upload id", { status: 404, code: "NoSuchUpload" }, () =>
    bob.api.call("POST", `${route}/parts`, { body: { path: pending.path, partNumbers: [1] } }),
  );
  expectAnswer(await alice.api.call("DELETE", route, { query: { path: pending.path } }), { status: 204 }, "alice aborts her second upload");
}

/** A presigned URL signs its key: pointed at any other, S3 itself refuses it. */
async function tryTamperedUrls(run: Run, alice: Actor, bob: Actor, urls: Map<string, string>): Promise<void> {
  const [photo, video] = alice.files.map(({ file }) => file);
  const photoUrl = urls.get(`${alice.user.name}:${photo.path}`)!;
  await run.refused(alice, `points her download URL of ${photo.path} at ${video.path} (S3)`, { status: 403 }, () =>
    send(retarget(photoUrl, photo.path, video.path)),
  );
  const pdf = bob.files[0].file;
  const plan = await planUpload(bob.api, { ...pdf, path: "docs/other.pdf" });
  if (plan.mode !== "single") {
    throw new Error(`bob's second document got a ${plan.mode} upload, expected single`);
  }
  await run.refused(bob, `points his upload URL at alice's ${photo.path} in tenant ${alice.user.tenant} (S3)`, { status: 403 }, () => {
    const target = new URL(photoUrl);
    target.search = new URL(plan.url).search;
    return send(target, { method: plan.method, headers: plan.headers, body: pdf.bytes });
  });
}

async function deleteFiles(run: Run, actors: Actor[]): Promise<void> {
  for (const actor of actors) {
    for (const { file } of actor.files) {
      const answer = await actor.api.call("DELETE", "/v1/objects", { query: { path: file.path } });
      expectAnswer(answer, { status: 204 }, `${actor.user.name} deletes ${file.path}`);
    }
    run.done(actor, `deleted ${actor.files.map(({ file }) => file.path).join(", ")}`, "204");
  }
}

/** Every page of the caller's listing, following `nextCursor`. */
async function listAll(client: ApiClient, who: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let cursor: string | undefined;
  do {
    const page = expectAnswer<{ objects: ListedObject[]; nextCursor?: string }>(
      await client.call("GET", "/v1/objects", { query: { prefix: "", limit: 100, cursor } }),
      { status: 200 },
      `${who}: GET /v1/objects`,
    );
    objects.push(...page.objects.map(({ path, size, scanStatus }) => ({ path, size, scanStatus })));
    cursor = page.nextCursor;
  } while (cursor);
  return objects;
}

/** The same signed URL, its key's ending `from` replaced by `to`. */
function retarget(url: string, from: string, to: string): string {
  const target = new URL(url);
  if (!target.pathname.endsWith(`/${from}`)) {
    throw new Error(`the presigned URL ${target.origin}${target.pathname} does not end in ${from}`);
  }
  target.pathname = `${target.pathname.slice(0, -from.length)}${to}`;
  return target.toString();
}

export function size(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}
