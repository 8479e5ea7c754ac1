import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy/policies";
import { codeSpans, headings, proseLines, REPO_ROOT } from "./markdown";

/*
 * Code comments cite docs/ARCHITECTURE.md's headings ("Security invariants: Least privilege"), and
 * the docs cite code by path: both must keep existing. The policy pack's table in
 * docs/POLICY-PACK.md lists exactly the pack's policies.
 */

/** The invariants, in order, by the names code comments cite. */
export const INVARIANTS = [
  "No long-lived credentials",
  "Private buckets",
  "TLS only",
  "Least privilege",
  "Short lifetimes",
  "Customer-managed encryption",
  "Scan before read",
  "Lifecycle hygiene",
  "No secrets in logs",
  "Observability",
  "Limits checked at plan time",
] as const;

/** The pages this suite holds to citing only paths that exist. */
const CITING_PAGES = ["README.md", "docs/API.md", "docs/ARCHITECTURE.md", "docs/BENCHMARKS.md", "docs/DEVELOPING.md", "docs/POLICY-PACK.md"];
const TOP_FOLDERS = ["contract", "infra", "functions", "policy", "client", "sandbox", "offline", "scripts", "tests", "examples", "docs", "eslint", ".ci", ".github"];

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), "utf8");

/** A code span that names a repository path (`tests/infra/program.test.ts`, `infra/cdn/`), not a pattern. */
function repoPath(span: string): string | undefined {
  const candidate = span.split(/\s/)[0].replace(/[,;:]$/, "");
  if (!TOP_FOLDERS.some((top) => candidate === top || candidate.startsWith(`${top}/`)) || /[*{}<>…|]/.test(candidate)) {
    return undefined;
  }
  return candidate.replace(/#.*$/, "");
}

describe("docs: ARCHITECTURE.md and the paths the docs cite", () => {
  const architecture = read("docs/ARCHITECTURE.md");

  it("names the eleven security invariants, in order, as headings under Security invariants", () => {
    const all = headings(architecture);
    const section = all.find((h) => h.level === 2 && h.text === "Security invariants");
    assert.ok(section, "no ## Security invariants");
    const next = all.find((h) => h.level === 2 && h.line > section.line);
    const names = all.filter((h) => h.level === 3 && h.line > section.line && (next === undefined || h.line < next.line)).map((h) => h.text);
    assert.deepEqual(names, [...INVARIANTS]);
  });

  it("names each tenancy tier, with pooled for the shared tier", () => {
    const tiers = proseLines(architecture)
      .map(({ text }) => /^\|\s*`(pooled|accessPoint|bucket|[a-zA-Z]+)`\s*\|/.exec(text)?.[1])
      .filter((t): t is string => t !== undefined);
    for (const tier of ["pooled", "accessPoint", "bucket"]) {
      assert.ok(tiers.includes(tier), `the tiers table has no ${tier} row`);
    }
    for (const page of CITING_PAGES) {
      assert.doesNotMatch(read(page), /shared[- ]bucket tier|`shared` tier/i, `${page} names the pooled tier otherwise`);
    }
  });

  it("cites only repository paths that exist", () => {
    const missing: string[] = [];
    for (const page of CITING_PAGES) {
      for (const { line, text } of proseLines(read(page))) {
        for (const span of codeSpans(text)) {
          const cited = repoPath(span);
          if (cited !== undefined && !existsSync(path.join(REPO_ROOT, cited))) {
            missing.push(`${page}:${line}: ${cited}`);
          }
        }
      }
    }
    assert.deepEqual(missing, [], `cited paths that do not exist:\n${missing.join("\n")}`);
  });

  it("lists exactly the pack's policies in POLICY-PACK.md, and cites no other policy anywhere", () => {
    const names = policies.map((p) => p.name).sort();
    const listed = proseLines(read("docs/POLICY-PACK.md"))
      .map(({ text }) => /^\|\s*`([a-z0-9-]+)`\s*\|/.exec(text)?.[1])
      .filter((n): n is string => n !== undefined);
    assert.deepEqual([...listed].sort(), names);
    const unknown: string[] = [];
    for (const page of CITING_PAGES) {
      for (const { line, text } of proseLines(read(page))) {
        for (const span of codeSpans(text)) {
          if (/^aws-[a-z0-9]+(-[a-z0-9]+)+$/.test(span) && !names.includes(span)) {
            unknown.push(`${page}:${line}: ${span}`);
          }
        }
      }
    }
    assert.deepEqual(unknown, []);
  });
});
