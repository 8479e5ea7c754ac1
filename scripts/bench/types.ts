/**
 * The shape every benchmark section shares: machine-readable figures for the JSON file, and rows
 * for the one printed table. Each figure is measured against a reference taken in the same run, so
 * the ratio means something on any machine.
 */

export interface BenchOptions {
  /** Smaller sizes and fewer repetitions, so the whole run stays well under 3 minutes. */
  quick: boolean;
  /** Progress lines for the reader while a section runs (stderr); never part of the table. */
  note(message: string): void;
}

/** One line of the table: what was measured, its value, what it was compared with, and the target. */
export interface BenchRow {
  /** e.g. "presign: part URLs per second (10,000 parts)" */
  measure: string;
  /** The figure, formatted with its unit: "31,250 URLs/s". */
  value: string;
  /** The reference measured in the same run, with its unit: "floor 281,000 HMAC chains/s". */
  reference: string;
  /** value ÷ reference (or the comparison the target states), formatted: "0.11×". */
  ratio: string;
  /** The target as the issue states it: "≥ 20,000 URLs/s and within 10× of the floor". */
  target: string;
  /** Whether the target is met; undefined when the row only informs. */
  met?: boolean;
}

export interface BenchSection<J> {
  /** This section's part of the JSON file (see scripts/bench.ts for the whole shape). */
  json: J;
  rows: BenchRow[];
}

export type Bench<J> = (options: BenchOptions) => Promise<BenchSection<J>>;

export interface ProgramTierJson {
  resourcesPerTenant: number;
  ratio1000to1: number;
  [extra: string]: unknown;
}
export interface PolicyJson {
  overheadRatio: number;
  [extra: string]: unknown;
}
export interface PresignJson {
  urlsPerSecond: number;
  floorRatio: number;
  maxResponseBytes: number;
  [extra: string]: unknown;
}
export interface UploadJson {
  throughputRatio: number;
  resentParts: number;
  [extra: string]: unknown;
}
export interface LambdaJson {
  name: string;
  /** The minified bundle (`index.js`). */
  bytes: number;
  /** Median module init in a fresh process. */
  initMs: number;
  /** Median, per fresh process, of module init plus the handler's first request (the SDK loads in it). */
  firstRequestMs?: number;
  [extra: string]: unknown;
}

export interface IndexJson {
  /** The quota check's median for the large home ÷ the small one's. */
  quotaRatio: number;
  /** The first page's (one both homes fill), the larger of the two variants. */
  firstPageRatio: number;
  /** DynamoDB calls of a listed page, the most any page made (the target: 1, a Query). */
  queriesPerPage: number;
  /** S3 calls of a listed page, the most any page made (the target: 0). */
  s3CallsPerPage: number;
  [extra: string]: unknown;
}

/** The JSON `npm run bench -- --json <file>` writes. */
export interface BenchReport {
  machine: Record<string, unknown>;
  quick: boolean;
  program: Record<string, ProgramTierJson>;
  policy: PolicyJson;
  presign: PresignJson;
  upload: UploadJson;
  lambda: LambdaJson[];
  index: IndexJson;
}
