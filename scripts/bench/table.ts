import { type BenchRow } from "./types";

const HEADERS = ["measure", "value", "reference", "ratio", "target", "met"] as const;

/** ✓ met, ✗ missed, blank when the row only informs. */
export function metMark(met: boolean | undefined): string {
  return met === undefined ? "" : met ? "✓" : "✗";
}

function cells(row: BenchRow): string[] {
  return [row.measure, row.value, row.reference, row.ratio, row.target, metMark(row.met)];
}

/** A pipe would end the cell early in Markdown. */
function escape(cell: string): string {
  return cell.replace(/\|/g, "\\|");
}

/**
 * The one table, as Markdown with padded columns: it reads in a terminal and pastes into the README
 * unchanged. Values are right-aligned, as numbers are compared by their last digits.
 */
export function formatTable(rows: BenchRow[]): string {
  const body = rows.map((row) => cells(row).map(escape));
  const widths = HEADERS.map((header, i) => Math.max(header.length, ...body.map((r) => r[i].length)));
  const rightAligned = new Set([1, 3]);
  const line = (values: readonly string[]) =>
    `| ${values.map((v, i) => (rightAligned.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (rightAligned.has(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(HEADERS), rule, ...body.map(line)].join("\n");
}
