// `npm run config:write [-- --check]`
// Writes Pulumi.yaml's `config:` section and the reference table of docs/CONFIGURATION.md from the
// config schema (infra/config-schema.ts). Everything else in both files is left as it is. With
// `--check`, writes nothing and exits 1 if either file differs from what the schema produces.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import {
  binarySize,
  boundsText,
  type ConfigKeySpec,
  configEntries,
  PROJECT,
  projectConfigSection,
} from "../infra/config-schema";

const ROOT = path.resolve(__dirname, "..");
export const PROJECT_FILE = path.join(ROOT, "Pulumi.yaml");
export const REFERENCE_DOC = path.join(ROOT, "docs", "CONFIGURATION.md");

/** The generated table sits between these two lines of docs/CONFIGURATION.md. */
export const TABLE_START = "<!-- config-reference:start (generated from infra/config-schema.ts by `npm run config:write`; edit the schema, not this table) -->";
export const TABLE_END = "<!-- config-reference:end -->";

/** Pulumi.yaml's `config:` block, as YAML text ending in a newline. */
export function renderConfigSection(): string {
  // lineWidth 0: one line per description, so a changed word changes one line of the diff.
  return stringify({ config: projectConfigSection() }, { lineWidth: 0 });
}

/**
 * The project file with its top-level `config:` block replaced by the schema's (appended if it has
 * none). The block runs from the `config:` line to the next line that starts in column 0.
 */
export function withConfigSection(projectFile: string): string {
  const lines = projectFile.split("\n");
  const start = lines.findIndex((line) => /^config:\s*$/.test(line));
  const section = renderConfigSection().replace(/\n$/, "").split("\n");
  if (start === -1) {
    const body = projectFile.endsWith("\n") ? projectFile : `${projectFile}\n`;
    return `${body}${section.join("\n")}\n`;
  }
  let end = start + 1;
  while (end < lines.length && !/^\S/.test(lines[end])) {
    end++;
  }
  // Trailing blank lines belong to what follows (or to the end of the file), not to the block.
  while (end > start + 1 && lines[end - 1].trim() === "") {
    end--;
  }
  return [...lines.slice(0, start), ...section, ...lines.slice(end)].join("\n");
}

/** Table-cell text: Markdown would read `<name>` outside a code span as HTML, and `|` as a column. */
function cell(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("")
    .replace(/\|/g, "\\|");
}

function typeText(spec: ConfigKeySpec): string {
  return spec.type === "array" ? `list of ${spec.items.type}s` : spec.type;
}

function defaultText(spec: ConfigKeySpec): string {
  switch (spec.type) {
    case "string":
      return spec.default === "" ? '`""`' : `\`${spec.default}\``;
    case "array":
      return spec.default.length === 0 ? "`[]`" : spec.default.map((v) => `\`${v}\``).join(", ");
    case "integer": {
      const size = spec.unit === "bytes" ? binarySize(spec.default) : undefined;
      return size === undefined ? `\`${spec.default}\`` : `\`${spec.default}\` (${size})`;
    }
    case "boolean":
      return `\`${spec.default}\``;
  }
}

/** The reference table: one row per key, in the schema's order. */
export function renderReferenceTable(): string {
  const rows = configEntries().map(([key, spec]) => {
    const bounds = boundsText(spec) ?? "—";
    const description = spec.secret ? `${spec.description} **Secret**: set it with \`--secret\`.` : spec.description;
    return `| \`${PROJECT}:${key}\` | ${typeText(spec)} | ${cell(defaultText(spec))} | ${cell(bounds)} | ${cell(description)} |`;
  });
  return ["| key | type | default | bounds | description |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** docs/CONFIGURATION.md with the text between its two markers replaced by the schema's table. */
export function withReferenceTable(doc: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`docs/CONFIGURATION.md needs the lines\n${TABLE_START}\n${TABLE_END}\nwhere the reference table goes`);
  }
  return `${doc.slice(0, start)}${TABLE_START}\n${renderReferenceTable()}\n${doc.slice(end)}`;
}

interface Target {
  file: string;
  render: (current: string) => string;
}

const TARGETS: Target[] = [
  { file: PROJECT_FILE, render: withConfigSection },
  { file: REFERENCE_DOC, render: withReferenceTable },
];

function main(argv: string[]): number {
  const check = argv.includes("--check");
  const unknown = argv.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    process.stderr.write(`config:write: unknown argument ${unknown[0]}\nusage: npm run config:write [-- --check]\n`);
    return 2;
  }
  let stale = 0;
  for (const { file, render } of TARGETS) {
    const current = readFileSync(file, "utf8");
    const wanted = render(current);
    const name = path.relative(ROOT, file);
    if (wanted === current) {
      process.stdout.write(`${name}: up to date\n`);
    } else if (check) {
      stale++;
      process.stdout.write(`${name}: differs from infra/config-schema.ts; run npm run config:write\n`);
    } else {
      writeFileSync(file, wanted);
      process.stdout.write(`${name}: written\n`);
    }
  }
  return stale > 0 ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
