// @ts-check
/**
 * The import boundaries of the repository, as an ESLint rule: which top-level folder may import
 * which. `infra`, `functions` and `client` import each other only through `contract` (the shared,
 * dependency-free module), so no cycle can form between them; `sandbox`, `offline` and `scripts`
 * assemble the others; nothing but `tests` imports `tests`. `contract` imports nothing at all: no
 * package, no Node built-in, so it runs in Lambda, browsers and React Native alike.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Importer's folder → the folders it may import from (its own always included). */
export const ALLOWED = {
  contract: [],
  client: ["contract"],
  functions: ["contract"],
  infra: ["contract"],
  policy: [],
  offline: ["contract", "infra", "policy"],
  sandbox: ["contract", "functions", "infra", "client", "offline"],
  scripts: ["contract", "functions", "infra", "client", "offline", "sandbox", "policy"],
  examples: ["contract", "infra", "client"],
  tests: null, // anything
};

/** Package names that are folders of this repository. */
const WORKSPACE_PACKAGES = { "@mobile-s3/contract": "contract", "@mobile-s3/client": "client", "mobile-s3": "infra" };

function topFolder(file) {
  const rel = path.relative(ROOT, file);
  return rel.startsWith("..") ? undefined : rel.split(path.sep)[0];
}

/** @type {import("eslint").Rule.RuleModule} */
const allowedImports = {
  meta: {
    type: "problem",
    docs: { description: "Keeps the folders' import boundaries (eslint/boundaries.mjs) so no dependency cycle can form." },
    schema: [],
    messages: {
      crossing: "{{from}}/ may not import {{to}}/ ({{source}}): {{hint}}",
      dependency: "contract/ has no dependencies: it may not import {{source}}.",
    },
  },
  create(context) {
    const from = topFolder(context.filename);
    if (from === undefined || !(from in ALLOWED) || ALLOWED[from] === null) {
      return {};
    }
    const allowed = new Set([from, ...ALLOWED[from]]);
    const check = (node) => {
      const source = node.source && node.source.value;
      if (typeof source !== "string") {
        return;
      }
      let to;
      if (source.startsWith(".")) {
        to = topFolder(path.resolve(path.dirname(context.filename), source));
      } else {
        const name = source.startsWith("@") ? source.split("/").slice(0, 2).join("/") : source.split("/")[0];
        to = WORKSPACE_PACKAGES[name];
        if (to === undefined) {
          if (from === "contract") {
            context.report({ node: node.source, messageId: "dependency", data: { source } });
          }
          return;
        }
      }
      if (to !== undefined && !allowed.has(to)) {
        const hint =
          from === "infra" || from === "functions" || from === "client"
            ? "share it through contract/ (@mobile-s3/contract) instead"
            : to === "tests"
              ? "move what both need out of tests/ (scripts/ holds the shared harnesses)"
              : `${from}/ may import ${[...ALLOWED[from]].join(", ") || "nothing outside itself"}`;
        context.report({ node: node.source, messageId: "crossing", data: { from, to, source, hint } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

const IMPORT_SOURCE = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

/** The file a specifier names, for relative specifiers and the workspace packages; else undefined. */
function resolveImport(fromFile, source) {
  const base = source.startsWith(".")
    ? path.resolve(path.dirname(fromFile), source)
    : source === "@mobile-s3/contract" || source.startsWith("@mobile-s3/contract/")
      ? path.join(ROOT, "contract", source.slice("@mobile-s3/contract".length))
      : undefined;
  if (base === undefined) {
    return undefined;
  }
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile() && candidate.endsWith(".ts")) {
      return candidate;
    }
  }
  return undefined;
}

function importsOf(file, text) {
  const out = new Set();
  for (const match of text.matchAll(IMPORT_SOURCE)) {
    const target = resolveImport(file, match[1]);
    if (target !== undefined) {
      out.add(target);
    }
  }
  return out;
}

/** Every file's imports as they are on disk, read once per ESLint run. */
let graph;
function diskGraph() {
  if (graph === undefined) {
    graph = new Map();
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (["node_modules", "bin", "dist", ".git"].includes(entry.name)) {
          continue;
        }
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full);
        } else if (entry.name.endsWith(".ts")) {
          graph.set(full, importsOf(full, readFileSync(full, "utf8")));
        }
      }
    };
    walk(ROOT);
  }
  return graph;
}

/** @type {import("eslint").Rule.RuleModule} */
const noCycle = {
  meta: {
    type: "problem",
    docs: { description: "Refuses an import that closes a cycle of modules (type-only imports included)." },
    schema: [],
    messages: { cycle: "This import closes a dependency cycle: {{cycle}}." },
  },
  create(context) {
    const self = context.filename;
    if (topFolder(self) === undefined) {
      return {};
    }
    const disk = diskGraph();
    const edges = (file) => (file === self ? importsOf(self, context.sourceCode.text) : (disk.get(file) ?? new Set()));
    /** A path from `start` back to `self`, or undefined. */
    const pathBack = (start) => {
      const seen = new Set([self]);
      const stack = [[start, [start]]];
      while (stack.length > 0) {
        const [file, trail] = stack.pop();
        if (seen.has(file)) {
          continue;
        }
        seen.add(file);
        for (const next of edges(file)) {
          if (next === self) {
            return trail;
          }
          stack.push([next, [...trail, next]]);
        }
      }
      return undefined;
    };
    const check = (node) => {
      const source = node.source && node.source.value;
      const target = typeof source === "string" ? resolveImport(self, source) : undefined;
      const trail = target === undefined ? undefined : target === self ? [] : pathBack(target);
      if (trail !== undefined) {
        const cycle = [self, ...trail, self].map((f) => path.relative(ROOT, f)).join(" → ");
        context.report({ node: node.source, messageId: "cycle", data: { cycle } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { "allowed-imports": allowedImports, "no-cycle": noCycle } };
