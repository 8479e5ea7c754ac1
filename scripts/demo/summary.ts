import { type DemoReport, type DemoStep } from "./flow";

/** One step as the demo prints it: `✔ alice@acme   uploaded …   200`. */
export function formatStep(step: DemoStep): string {
  const mark = step.outcome === "done" ? "✔" : "⛔";
  return `${mark} ${step.actor.padEnd(11)} ${step.text}  → ${step.answer}`;
}

/** The closing lines: what was shown, in numbers. */
export function formatSummary(report: DemoReport): string {
  const multipart = report.uploads.filter((u) => u.mode === "multipart");
  return [
    "",
    `Summary (${report.api}, ${(report.elapsedMs / 1000).toFixed(1)} s):`,
    `  users       ${report.users.map((u) => u.name).join(", ")}`,
    `  uploads     ${report.uploads.length} (${multipart.map((u) => `${u.path} in ${u.parts} parts`).join(", ") || "no multipart"})`,
    `  listings    ${Object.entries(report.listings)
      .map(([user, objects]) => `${user}: ${objects.length}`)
      .join(", ")} — each user sees only their own home`,
    `  downloads   ${report.downloads.length}, byte for byte, each after the scanner passed it`,
    `  refused     ${report.refusals.length} attempts, each as expected:`,
    ...report.refusals.map((r) => `    ${`${r.status}${r.code ? ` ${r.code}` : ""}`.padEnd(20)} ${r.actor}: ${r.attempt}`),
  ].join("\n");
}
