import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { ROUTES } from "@mobile-s3/contract";
import { codeSpans, headings, proseLines, REPO_ROOT } from "./markdown";

/*
 * docs/API.md is the contract app teams read; contract/routes.ts and the functions are what runs.
 * This keeps them in step: every route of ROUTES has its own heading in API.md and API.md names no
 * other /v1 route; the error table lists exactly the codes the functions can answer, each with
 * exactly the statuses it is answered with.
 */

const API_MD = path.join(REPO_ROOT, "docs", "API.md");
const FUNCTIONS_DIR = path.join(REPO_ROOT, "functions");

/** The error helpers of functions/shared/errors.ts and the status each answers with. */
const HELPER_STATUS: Readonly<Record<string, number>> = {
  badRequest: 400,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  unsupportedType: 415,
};

/**
 * Codes passed on rather than chosen where the call is: `code` and `err.code` forward an error
 * already counted where it was made (the helpers' own definitions, the adapters answering an
 * ApiError). Any other non-literal code must be resolved here, or the test fails naming it.
 */
const FORWARDED = new Set(["code", "err.code"]);
const INDIRECT: Readonly<Record<string, () => string[]>> = {
  // functions/shared/keys.ts answers the contract's path rules with their own codes.
  "checked.problem.code": () => stringUnionOfMember(path.join(REPO_ROOT, "contract", "keys.ts"), "PathProblem", "code"),
};

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/;
const routeOf = (span: string) => {
  const match = ROUTE_KEY.exec(span.split("?")[0].trim());
  return match ? `${match[1]} ${match[2]}` : undefined;
};

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? (entry.name === "node_modules" ? [] : walk(full)) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The string literals of a member's union type, e.g. `code: "A" | "B"` of `interface PathProblem`. */
function stringUnionOfMember(file: string, interfaceName: string, member: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === interfaceName) {
      for (const m of node.members) {
        if (ts.isPropertySignature(m) && m.name.getText(source) === member && m.type) {
          const types = ts.isUnionTypeNode(m.type) ? m.type.types : [m.type];
          for (const t of types) {
            if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) {
              found.push(t.literal.text);
            }
          }
        }
      }
    }
  });
  assert.ok(found.length > 0, `${path.relative(REPO_ROOT, file)}: no string union at ${interfaceName}.${member}`);
  return found;
}

export interface AnsweredCode {
  code: string;
  status: number;
  where: string;
}

/**
 * Every (code, status) the functions' sources can answer: calls of the error helpers
 * (`badRequest("Code", …)` …), `new ApiError(<status>, "Code", …)` and `errorResponse(<status>, "Code", …)`.
 */
export function answeredCodes(files: readonly string[]): { answered: AnsweredCode[]; unresolved: string[] } {
  const answered: AnsweredCode[] = [];
  const unresolved: string[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && ts.isIdentifier(node.expression)) {
        const callee = node.expression.text;
        const args = node.arguments ?? ts.factory.createNodeArray<ts.Expression>();
        const where = `${path.relative(REPO_ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
        let status: ts.Expression | number | undefined;
        let code: ts.Expression | undefined;
        if (ts.isCallExpression(node) && callee in HELPER_STATUS) {
          status = HELPER_STATUS[callee];
          code = args[0];
        } else if ((ts.isNewExpression(node) && callee === "ApiError") || (ts.isCallExpression(node) && callee === "errorResponse")) {
          status = args[0];
          code = args[1];
        }
        if (code !== undefined && status !== undefined) {
          const codeText = code.getText(source);
          const statusValue = typeof status === "number" ? status : ts.isNumericLiteral(status) ? Number(status.text) : undefined;
          if (!FORWARDED.has(codeText)) {
            const codes = ts.isStringLiteralLike(code) ? [code.text] : INDIRECT[codeText]?.();
            if (codes === undefined) {
              unresolved.push(`${where}: ${callee}(…) with the code ${codeText}`);
            } else if (statusValue === undefined) {
              unresolved.push(`${where}: ${callee}(…) with the status ${(status as ts.Expression).getText(source)}`);
            } else {
              answered.push(...codes.map((c) => ({ code: c, status: statusValue, where })));
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { answered, unresolved };
}

/** The rows of the table under `## Errors`: code → statuses. */
function documentedErrors(markdown: string): Map<string, Set<number>> {
  const lines = proseLines(markdown);
  const heading = headings(markdown).find((h) => h.level === 2 && h.text === "Errors");
  assert.ok(heading, "docs/API.md has no ## Errors section");
  const next = headings(markdown).find((h) => h.level <= 2 && h.line > heading.line);
  const rows = new Map<string, Set<number>>();
  for (const { line, text } of lines) {
    if (line <= heading.line || (next !== undefined && line >= next.line)) {
      continue;
    }
    const row = /^\|\s*`([A-Za-z]+)`\s*\|\s*([^|]*)\|/.exec(text);
    if (row) {
      assert.ok(!rows.has(row[1]), `docs/API.md:${line}: ${row[1]} is listed twice in the error table`);
      rows.set(row[1], new Set([...row[2].matchAll(/\b[1-5]\d\d\b/g)].map((m) => Number(m[0]))));
    }
  }
  return rows;
}

describe("docs: API.md in step with contract/ and functions/", () => {
  const markdown = readFileSync(API_MD, "utf8");
  const routes = Object.values(ROUTES).flat();

  it("documents every route of ROUTES under a heading of its own, and no other route", () => {
    const documented = headings(markdown)
      .map((h) => /^`([^`]+)`$/.exec(h.text.trim()))
      .map((m) => (m ? routeOf(m[1]) : undefined))
      .filter((r): r is string => r !== undefined);
    assert.equal(new Set(documented).size, documented.length, `a route has two headings: ${documented.join(", ")}`);
    assert.deepEqual([...documented].sort(), [...routes].sort());
  });

  it("lists every route of ROUTES in the routes table, once", () => {
    const tableRoutes = proseLines(markdown)
      .map(({ text }) => /^\|\s*`([^`]+)`\s*\|/.exec(text))
      .map((m) => (m ? routeOf(m[1]) : undefined))
      .filter((r): r is string => r !== undefined);
    assert.deepEqual([...tableRoutes].sort(), [...routes].sort());
  });

  it("names no /v1 route that ROUTES does not have, anywhere on the page", () => {
    const unknown: string[] = [];
    for (const { line, text } of proseLines(markdown)) {
      for (const span of codeSpans(text)) {
        const route = routeOf(span);
        if (route !== undefined && route.split(" ")[1].startsWith("/v1") && !routes.includes(route)) {
          unknown.push(`docs/API.md:${line}: ${span}`);
        }
      }
    }
    assert.deepEqual(unknown, []);
  });

  it("lists in its error table exactly the codes the functions answer, with their statuses", () => {
    const { answered, unresolved } = answeredCodes(walk(FUNCTIONS_DIR));
    assert.deepEqual(unresolved, [], "error codes the scan cannot read: add them to INDIRECT or pass a literal");
    assert.ok(answered.length > 40, `only ${answered.length} error answers found in functions/: is the scan broken?`);
    const inCode = new Map<string, Set<number>>();
    for (const { code, status } of answered) {
      inCode.set(code, (inCode.get(code) ?? new Set()).add(status));
    }
    const documented = documentedErrors(markdown);
    const missing = [...inCode.keys()].filter((c) => !documented.has(c)).map((c) => `${c} (${answered.filter((a) => a.code === c).map((a) => a.where).join(", ")})`);
    const extra = [...documented.keys()].filter((c) => !inCode.has(c));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, "codes answered but not documented, or documented but never answered");
    for (const [code, statuses] of inCode) {
      assert.deepEqual([...documented.get(code)!].sort(), [...statuses].sort(), `the statuses of ${code}`);
    }
  });

  it("reads the codes of every kind of call, and refuses one it cannot resolve", () => {
    const dir = path.join(REPO_ROOT, "tests", "docs", "fixtures");
    const { answered, unresolved } = answeredCodes([path.join(dir, "error-calls.ts.txt")]);
    assert.deepEqual(
      answered.map(({ code, status }) => `${code} ${status}`).sort(),
      ["Gone 404", "Multi 409", "Teapot 418", "Typed 400", "Wrapped 401", "InvalidPath 400", "PathTooLong 400", "ReservedPath 400"].sort(),
    );
    assert.equal(unresolved.length, 2, unresolved.join("\n"));
  });
});
