import { type ProgramRun } from "./run-program";
import { display } from "./wire";

/** The plan as JSON: secrets shown as "[secret]", unknowns as "[unknown]". */
export function planJson(run: ProgramRun): unknown {
  return {
    resources: run.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      id: r.id ?? (run.preview ? "[unknown]" : null),
      inputs: display(r.wire.inputs),
      outputs: display(r.wire.outputs),
    })),
    outputs: display(run.wireOutputs),
  };
}

function parentLabel(run: ProgramRun, urn: string | undefined): string {
  if (!urn) {
    return "";
  }
  const parent = run.resources.find((r) => r.urn === urn);
  return parent ? parent.name : urn.split("::").pop() ?? urn;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function flatten(value: unknown, prefix: string, into: [string, string][]): [string, string][] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, into);
    }
  } else {
    into.push([prefix, typeof value === "string" ? value : JSON.stringify(value)]);
  }
  return into;
}

/** The plan as a readable table of resources (type, name, parent) followed by the stack outputs. */
export function planTable(run: ProgramRun): string {
  const rows = run.resources.map((r) => [r.type, r.name, parentLabel(run, r.parent)]);
  const outputs = flatten(display(run.wireOutputs), "", []);
  return [
    `Plan for stack ${run.stack} of ${run.project} (offline, ${run.preview ? "preview: computed values unknown" : "mock ids"})`,
    "",
    table(["TYPE", "NAME", "PARENT"], rows),
    "",
    `${run.resources.length} resources (${run.resources.filter((r) => r.custom).length} cloud resources)`,
    "",
    "Outputs:",
    ...(outputs.length > 0 ? outputs.map(([k, v]) => `  ${k}: ${v}`) : ["  (none)"]),
  ].join("\n");
}
