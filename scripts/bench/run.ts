import { type SectionName } from "./sections";
import { elapsedMs } from "./timing";
import { type Bench, type BenchOptions, type BenchRow } from "./types";

export interface RunnableSection {
  name: SectionName;
  load: () => Promise<Bench<unknown>>;
}

export interface SectionOutcome {
  name: SectionName;
  durationMs: number;
  rows: BenchRow[];
  /** Present when the section finished. */
  json?: unknown;
  /** Present when it threw: the first line of the error. */
  error?: string;
}

/** The row a section that threw leaves in the table, so the reader sees the gap rather than no row at all. */
export function failedRow(name: SectionName, error: string): BenchRow {
  return { measure: `${name}: section failed`, value: error, reference: "—", ratio: "—", target: "runs to completion", met: false };
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0].trim() || (err instanceof Error ? err.name : "error");
}

/**
 * Runs the sections one after another (they measure time, so never side by side). A section that
 * throws, on loading or while measuring, becomes a failed row and the others still run.
 */
export async function runSections(sections: RunnableSection[], options: BenchOptions): Promise<SectionOutcome[]> {
  const outcomes: SectionOutcome[] = [];
  for (const section of sections) {
    const start = process.hrtime.bigint();
    const note = (message: string) => options.note(`${section.name}: ${message}`);
    note("started");
    try {
      const bench = await section.load();
      const { json, rows } = await bench({ ...options, note });
      outcomes.push({ name: section.name, durationMs: elapsedMs(start), rows, json });
      note(`done in ${(elapsedMs(start) / 1000).toFixed(1)} s`);
    } catch (err) {
      const error = firstLine(err);
      outcomes.push({ name: section.name, durationMs: elapsedMs(start), rows: [failedRow(section.name, error)], error });
      note(`failed: ${error}`);
    }
  }
  return outcomes;
}
