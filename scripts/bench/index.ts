import { count, ms, ratio } from "./format";
import { seedHome, topEntries } from "./index-home";
import { type IndexRig, type Served, startIndexRig, TENANT } from "./index-requests";
import { collectGarbage, interleaved, type Sampled } from "./timing";
import { type Bench, type BenchRow, type IndexJson } from "./types";

/** The issue's targets: a large home costs what a small one does, and a page is one Query. */
export const MAX_HOME_RATIO = 1.2;
export const QUERIES_PER_PAGE = 1;
/** The API's default page, and the page every home fills (the smallest home holds ten at its top). */
export const DEFAULT_PAGE = 100;
export const FULL_PAGE = 10;
/** Pages followed by their cursors when counting calls per page. */
export const PAGES_WALKED = 5;
/** Requests in a row per timed run: a request takes a few milliseconds, and five in a row smooth out one slow round trip. */
export const REQUESTS_PER_RUN = 5;

export interface IndexBenchSizes {
  /** Objects in the small home and the large one. */
  small: number;
  large: number;
  /** Interleaved runs per measurement. */
  runs: number;
  /** The large home's size in a full run, when this one's is smaller (quick): the rows say so. */
  fullLarge?: number;
}

/** The homes, by cognito `sub`: one each, in one table, as a stack's users share its index. */
const homeOf = (objects: number) => ({ tenant: TENANT, home: `5f2d1c3e-0000-4000-8000-${String(objects).padStart(12, "0")}` });

type Variant = "flat" | "delimiter";
const VARIANTS: readonly Variant[] = ["flat", "delimiter"];
const delimiterOf = (variant: Variant) => (variant === "delimiter" ? ("/" as const) : undefined);
const variantName = (variant: Variant) => (variant === "delimiter" ? "delimiter=/" : "no delimiter");

/** A request that failed, or listed the wrong entries, measures a path no user takes: the section refuses to report it. */
function checked(what: string, served: Served, entries?: number): Served {
  if (served.status !== 200) {
    throw new Error(`index: ${what} answered ${served.status}: ${JSON.stringify(served.body).slice(0, 200)}`);
  }
  const listed = ((served.body.objects as unknown[] | undefined) ?? []).length + ((served.body.folders as unknown[] | undefined) ?? []).length;
  if (entries !== undefined && listed !== entries) {
    throw new Error(`index: ${what} listed ${listed} entries, not ${entries}`);
  }
  return served;
}

/** What a home's first page holds at `limit`: a full page, or the whole of the home's top or listing. */
function expectedEntries(objects: number, variant: Variant, limit: number): number {
  return Math.min(limit, variant === "delimiter" ? topEntries(objects) : objects);
}

/** The calls of every page of a listing, following its cursor for up to `PAGES_WALKED` pages. */
async function walkPages(rig: IndexRig, home: ReturnType<typeof homeOf>, variant: Variant): Promise<Served[]> {
  const pages: Served[] = [];
  let cursor: string | undefined;
  do {
    const page = checked(`GET /v1/objects (${variantName(variant)}, page ${pages.length + 1})`, await rig.listPage(home, { limit: DEFAULT_PAGE, delimiter: delimiterOf(variant), cursor }));
    pages.push(page);
    cursor = page.body.nextCursor as string | undefined;
  } while (cursor !== undefined && pages.length < PAGES_WALKED);
  return pages;
}

const homeRatio = (pair: Sampled<Served>[]) => pair[1].medianMs / pair[0].medianMs;
/** The median run's time per request. */
const perRequest = (sample: Sampled<Served>) => sample.medianMs / REQUESTS_PER_RUN;

/** What a request called, kept for every request made. */
type Calls = Pick<Served, "dynamodb" | "s3" | "signed">;

/** `REQUESTS_PER_RUN` requests in a row, the calls of each kept in `calls`; the run answers with the last. */
const inARow = (request: () => Promise<Served>, calls: Calls[]) => async () => {
  let last: Served | undefined;
  for (let i = 0; i < REQUESTS_PER_RUN; i++) {
    last = await request();
    calls.push({ dynamodb: last.dynamodb, s3: last.s3, signed: last.signed });
  }
  return last!;
};

/**
 * The "index" section: what the object index costs a home of 10,000 objects against one of 10, on
 * a real local DynamoDB (dynalite, the sandbox's; every call goes over its HTTP protocol): the quota
 * check and its promise (POST /v1/uploads for a single PUT), and the first page of GET /v1/objects,
 * each through the function as Lambda runs it; and the calls each makes, which are what cost in AWS.
 * The homes are seeded through the index's own writes, as the indexer leaves them (index-home.ts),
 * not through S3 and its events (which would take minutes for 10,000 objects).
 */
export const benchIndex: Bench<IndexJson> = (options) =>
  indexBench(options.quick ? { small: 10, large: 2_000, runs: 41, fullLarge: 10_000 } : { small: 10, large: 10_000, runs: 101 })(options);

/** The section for homes of any two sizes (the tests use small ones and one run). */
export const indexBench = (sizes: IndexBenchSizes): Bench<IndexJson> => async ({ note }) => {
  const rig = await startIndexRig();
  try {
    const small = homeOf(sizes.small);
    const large = homeOf(sizes.large);
    const homes = [small, large];
    const start = process.hrtime.bigint();
    const seeded = [await seedHome(rig.index, small, sizes.small), await seedHome(rig.index, large, sizes.large)];
    note(`seeded homes of ${count(sizes.small)} and ${count(sizes.large)} objects through the index's writes in ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s`);
    const objectsIn = new Map([
      [small, sizes.small],
      [large, sizes.large],
    ]);

    // The quota check: each run meets the usage item as seeded (the promise it made is withdrawn after, untimed).
    const quotaCalls: Calls[] = [];
    const quotaWorks = homes.map((h) => inARow(async () => checked("POST /v1/uploads", await rig.quotaCheck(h)), quotaCalls));
    const release = async () => {
      await Promise.all(homes.map((h) => rig.releaseReservations(h)));
    };
    const fullPage = Math.min(FULL_PAGE, sizes.small);
    const pageCalls: Calls[] = [];
    // The flat full page also runs the small home a second time: that pair's ratio is this run's noise.
    const pageWorks = (limit: number, variant: Variant) =>
      (limit === fullPage && variant === "flat" ? [...homes, small] : homes).map((h) => {
        // Worked out before the timing starts: the check is not part of the request.
        const entries = expectedEntries(objectsIn.get(h)!, variant, limit);
        return inARow(async () => checked(`GET /v1/objects (${variantName(variant)}, limit ${limit})`, await rig.listPage(h, { limit, delimiter: delimiterOf(variant) }), entries), pageCalls);
      });
    const pageSets = VARIANTS.flatMap((variant) => [fullPage, DEFAULT_PAGE].map((limit) => ({ variant, limit, works: pageWorks(limit, variant) })));

    // Warm every path (JIT, the clients' connections), then alternate small and large run by run.
    for (let i = 0; i < 3; i++) {
      for (const work of [...quotaWorks, ...pageSets.flatMap((s) => s.works)]) {
        await work();
      }
      await release();
    }
    // Requests of a few milliseconds: one full collection before each measurement, none before each run (see `interleaved`).
    collectGarbage();
    const quota = await interleaved(sizes.runs, quotaWorks, { after: release, collect: false });
    const pages: ((typeof pageSets)[number] & { samples: Sampled<Served>[] })[] = [];
    for (const set of pageSets) {
      collectGarbage();
      pages.push({ ...set, samples: await interleaved(sizes.runs, set.works, { collect: false }) });
    }
    note(`${sizes.runs} interleaved runs of ${REQUESTS_PER_RUN} requests each, small home then large`);

    // Calls per page: both homes, both variants, cursors followed, one request at a time (the calls are counted per request).
    const walked: Served[] = [];
    for (const home of homes) {
      for (const variant of VARIANTS) {
        walked.push(...(await walkPages(rig, home, variant)));
      }
    }
    const perPage = [...pageCalls, ...walked].map((p) => ({ dynamodb: p.dynamodb, s3: p.s3 }));
    const maxDynamoDb = Math.max(...perPage.map((p) => p.dynamodb.length));
    const maxS3 = Math.max(...perPage.map((p) => p.s3.length));
    const pagesMet = perPage.every((p) => p.dynamodb.length === QUERIES_PER_PAGE && p.dynamodb[0] === "Query" && p.s3.length === 0);
    const quotaMet = quotaCalls.every((q) => q.dynamodb.length === 1 && q.dynamodb[0] === "UpdateItem" && q.s3.length === 0);
    note(`calls per page: ${[...new Set(perPage.map((p) => `${p.dynamodb.join("+") || "none"}, S3 ${p.s3.join("+") || "none"}`))].join("; ")} (${perPage.length} pages)`);

    const quotaRatio = homeRatio(quota);
    const full = pages.filter((p) => p.limit === fullPage);
    const ofPage = (variant: Variant, limit: number) => pages.find((p) => p.variant === variant && p.limit === limit)!;
    const firstPageRatio = Math.max(...full.map((p) => homeRatio(p.samples)));
    const noise = ofPage("flat", fullPage).samples;
    const noiseRatio = noise[2].medianMs / noise[0].medianMs;
    const entriesOf = (served: Served) => (served.body.objects as unknown[]).length + (served.body.folders as unknown[]).length;
    const pageJson = (variant: Variant) =>
      [fullPage, DEFAULT_PAGE].map((limit) => {
        const { samples } = ofPage(variant, limit);
        return { limit, smallMs: perRequest(samples[0]), largeMs: perRequest(samples[1]), ratio: homeRatio(samples), entries: samples.slice(0, 2).map((s) => entriesOf(s.last)) };
      });
    const json: IndexJson = {
      quotaRatio: round(quotaRatio),
      firstPageRatio: round(firstPageRatio),
      queriesPerPage: maxDynamoDb,
      s3CallsPerPage: maxS3,
      objects: { small: sizes.small, large: sizes.large },
      seededThrough: "the index's own writes (putKey, putObject, touchFolders, applyPending), as the indexer leaves a home",
      storedBytes: { small: seeded[0].storedBytes, large: seeded[1].storedBytes },
      noiseRatio: round(noiseRatio),
      runs: sizes.runs,
      requestsPerRun: REQUESTS_PER_RUN,
      quotaCheck: {
        smallMs: perRequest(quota[0]),
        largeMs: perRequest(quota[1]),
        ratio: quotaRatio,
        dynamodbCalls: [...new Set(quotaCalls.map((q) => q.dynamodb.join("+")))],
        maxDynamoDbCalls: Math.max(...quotaCalls.map((q) => q.dynamodb.length)),
        maxS3Calls: Math.max(...quotaCalls.map((q) => q.s3.length)),
        checks: quotaCalls.length,
      },
      firstPage: { flat: pageJson("flat"), delimiter: pageJson("delimiter") },
      pagesListed: perPage.length,
      pagesFollowed: walked.length,
      callsPerPage: [...new Set(perPage.map((p) => `${p.dynamodb.join("+")} / S3 ${p.s3.join("+") || "none"}`))],
    };

    const quick = sizes.fullLarge === undefined ? "" : ` (quick: ${count(sizes.fullLarge)} in a full run)`;
    const versus = `${count(sizes.large)}-object home${quick} vs ${count(sizes.small)}`;
    const smallRef = (samples: Sampled<Served>[]) => `${ms(perRequest(samples[0]))} for ${count(sizes.small)} objects`;
    const rows: BenchRow[] = [
      {
        measure: `index: quota check, ${versus} (POST /v1/uploads, single PUT; median of ${sizes.runs} runs of ${REQUESTS_PER_RUN})`,
        value: ms(perRequest(quota[1])),
        reference: smallRef(quota),
        ratio: ratio(quotaRatio),
        target: `≤ ${MAX_HOME_RATIO.toFixed(2)}×`,
        met: quotaRatio <= MAX_HOME_RATIO,
      },
      ...VARIANTS.map((variant): BenchRow => {
        const { samples } = ofPage(variant, fullPage);
        return {
          measure: `index: first list page, ${versus} (GET /v1/objects, ${variantName(variant)}, limit ${fullPage}: both pages full)`,
          value: ms(perRequest(samples[1])),
          reference: smallRef(samples),
          ratio: ratio(homeRatio(samples)),
          target: `≤ ${MAX_HOME_RATIO.toFixed(2)}×`,
          met: homeRatio(samples) <= MAX_HOME_RATIO,
        };
      }),
      {
        measure: `index: the same first page of the ${count(sizes.small)}-object home, timed twice in each run (this run's noise)`,
        value: ms(perRequest(noise[2])),
        reference: `${ms(perRequest(noise[0]))} the first time`,
        ratio: ratio(noiseRatio),
        target: "informs: a ratio above shows a difference only beyond this",
      },
      ...VARIANTS.map((variant): BenchRow => {
        const { samples } = ofPage(variant, DEFAULT_PAGE);
        const [smallEntries, largeEntries] = samples.map((s) => entriesOf(s.last));
        return {
          measure: `index: first list page, ${versus} (GET /v1/objects, ${variantName(variant)}, limit ${DEFAULT_PAGE})`,
          value: ms(perRequest(samples[1])),
          reference: smallRef(samples),
          ratio: ratio(homeRatio(samples)),
          target: `informs: ${count(largeEntries)} entries against ${count(smallEntries)}`,
        };
      }),
      {
        measure: `index: calls per listed page (${count(perPage.length)} pages: every one above, and ${walked.length} of both homes' listings followed by cursor)`,
        value: `${maxDynamoDb} DynamoDB, ${maxS3} S3 at most`,
        reference: `${[...new Set(perPage.flatMap((p) => p.dynamodb))].join(", ") || "none"} only`,
        ratio: ratio(maxDynamoDb / QUERIES_PER_PAGE),
        target: `${QUERIES_PER_PAGE} Query, 0 S3 calls per page`,
        met: pagesMet,
      },
      {
        measure: `index: calls per quota check (POST /v1/uploads, single PUT: ${count(quotaCalls.length)} checks, both homes)`,
        value: `${Math.max(...quotaCalls.map((q) => q.dynamodb.length))} DynamoDB, ${Math.max(...quotaCalls.map((q) => q.s3.length))} S3`,
        reference: `${[...new Set(quotaCalls.flatMap((q) => q.dynamodb))].join(", ") || "none"}; URL signed locally`,
        ratio: ratio(Math.max(...quotaCalls.map((q) => q.dynamodb.length))),
        target: "1 conditional UpdateItem, 0 S3 calls",
        met: quotaMet,
      },
    ];
    return { json, rows };
  } finally {
    await rig.close();
  }
};

const round = (value: number) => Math.round(value * 100) / 100;
