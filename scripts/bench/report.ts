import { type MachineInfo } from "./machine";
import { type SectionOutcome } from "./run";
import { SECTION_NAMES, type SectionName } from "./sections";
import { type BenchReport, type BenchRow } from "./types";

/**
 * The JSON file: `BenchReport`'s figures for every section that finished (a section skipped with
 * --only, or one that failed, is absent and listed instead), plus the table and timings.
 */
export type WrittenReport = Pick<BenchReport, "quick"> &
  Partial<Omit<BenchReport, "machine" | "quick">> & {
    machine: MachineInfo & Record<string, unknown>;
    table: BenchRow[];
    durationsMs: Partial<Record<SectionName, number>>;
    failed: { section: SectionName; error: string }[];
    skipped: SectionName[];
  };

export function buildReport(machine: MachineInfo, quick: boolean, outcomes: SectionOutcome[]): WrittenReport {
  const report: WrittenReport = {
    machine: { ...machine },
    quick,
    table: outcomes.flatMap((o) => o.rows),
    durationsMs: {},
    failed: [],
    skipped: SECTION_NAMES.filter((name) => !outcomes.some((o) => o.name === name)),
  };
  for (const outcome of outcomes) {
    report.durationsMs[outcome.name] = Math.round(outcome.durationMs);
    if (outcome.error !== undefined) {
      report.failed.push({ section: outcome.name, error: outcome.error });
    } else {
      (report as Record<string, unknown>)[outcome.name] = outcome.json;
    }
  }
  return report;
}
