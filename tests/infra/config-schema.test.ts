import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { LIMIT_BOUNDS } from "@mobile-s3/contract";
import { parse } from "yaml";
import {
  boundsText,
  CONFIG_SCHEMA,
  type ConfigKeySpec,
  configEntries,
  projectConfigSection,
  projectDescription,
} from "../../infra/config-schema";
import {
  PROJECT_FILE,
  REFERENCE_DOC,
  renderReferenceTable,
  TABLE_END,
  TABLE_START,
  withConfigSection,
  withReferenceTable,
} from "../../scripts/config-reference";

const REGENERATE = "run `npm run config:write` and commit the result";

/** What Pulumi's project file accepts in a config declaration (its JSON schema, configTypeDeclaration). */
const PULUMI_TYPES = ["string", "integer", "boolean", "array"];
const PULUMI_FIELDS = ["type", "items", "description", "secret", "default"];

function defaultMatchesType(spec: ConfigKeySpec): boolean {
  switch (spec.type) {
    case "string":
      return typeof spec.default === "string";
    case "integer":
      return Number.isSafeInteger(spec.default);
    case "boolean":
      return typeof spec.default === "boolean";
    case "array":
      return Array.isArray(spec.default) && spec.default.every((v) => typeof v === spec.items.type);
  }
}

function defaultWithinBounds(spec: ConfigKeySpec): boolean {
  switch (spec.type) {
    case "string":
      return (spec.allowed?.includes(spec.default) ?? true) && spec.default.length <= (spec.maxLength ?? Infinity);
    case "integer":
      return spec.default >= spec.bounds.min && spec.default <= spec.bounds.max && (spec.allowed?.includes(spec.default) ?? true);
    case "array":
      return spec.default.length >= (spec.minItems ?? 0);
    case "boolean":
      return true;
  }
}

describe("infra/config-schema", () => {
  describe("the schema", () => {
    for (const [key, spec] of configEntries()) {
      it(`${key}: a type Pulumi accepts, a default of that type within its own bounds, a description`, () => {
        assert.ok(PULUMI_TYPES.includes(spec.type), spec.type);
        assert.ok(defaultMatchesType(spec), `default ${JSON.stringify(spec.default)} is a ${spec.type}`);
        assert.ok(defaultWithinBounds(spec), `default ${JSON.stringify(spec.default)} within ${boundsText(spec)}`);
        assert.match(spec.description, /^\S.*[.)]$/);
        if (spec.type === "integer") {
          assert.ok(Number.isSafeInteger(spec.bounds.min) && Number.isSafeInteger(spec.bounds.max) && spec.bounds.min <= spec.bounds.max);
          assert.ok(spec.allowed?.every((v) => v >= spec.bounds.min && v <= spec.bounds.max) ?? true, "allowed values within bounds");
        }
      });
    }

    it("takes the request limits' bounds from LIMIT_BOUNDS itself, not from a copy", () => {
      for (const key of Object.keys(LIMIT_BOUNDS) as (keyof typeof LIMIT_BOUNDS)[]) {
        assert.equal(CONFIG_SCHEMA[key].bounds, LIMIT_BOUNDS[key], key);
      }
    });

    it("renders bounds in words, once for Pulumi.yaml and the docs alike", () => {
      assert.equal(boundsText(CONFIG_SCHEMA.tokenMinutes), "5 to 60");
      assert.equal(boundsText(CONFIG_SCHEMA.mfa), "one of `OFF`, `OPTIONAL`, `ON`");
      assert.equal(boundsText(CONFIG_SCHEMA.app), "at most 20 characters");
      assert.equal(boundsText(CONFIG_SCHEMA.allowedContentTypes), "at least 1 entry");
      assert.equal(boundsText(CONFIG_SCHEMA.userQuotaBytes), "at least 0");
      assert.equal(boundsText(CONFIG_SCHEMA.maxObjectBytes), "1 to 5497558138880 (5 TiB)");
      assert.equal(boundsText(CONFIG_SCHEMA.forceDestroy), undefined);
      assert.equal(projectDescription(CONFIG_SCHEMA.tokenMinutes), "Lifetime of ID and access tokens, in minutes. Range: 5 to 60.");
      assert.equal(projectDescription(CONFIG_SCHEMA.mfa).endsWith(" One of `OFF`, `OPTIONAL`, `ON`."), true);
    });

    it("declares each key of Pulumi.yaml with only the fields of Pulumi's project file schema", () => {
      for (const [key, declaration] of Object.entries(projectConfigSection())) {
        assert.deepEqual(Object.keys(declaration).filter((f) => !PULUMI_FIELDS.includes(f)), [], key);
        assert.equal(declaration.type === "array", declaration.items !== undefined, `${key}: items exactly on arrays`);
      }
    });
  });

  describe("the generated files", () => {
    it(`Pulumi.yaml's config section is what the schema produces (${REGENERATE})`, () => {
      const text = readFileSync(PROJECT_FILE, "utf8");
      const doc = parse(text) as { config: Record<string, unknown> };
      assert.deepEqual(doc.config, projectConfigSection(), REGENERATE);
      assert.deepEqual(Object.keys(doc.config), Object.keys(CONFIG_SCHEMA), `keys in the schema's order; ${REGENERATE}`);
      assert.equal(text, withConfigSection(text), `Pulumi.yaml is not as config:write writes it; ${REGENERATE}`);
    });

    it(`docs/CONFIGURATION.md's reference table is what the schema produces (${REGENERATE})`, () => {
      const text = readFileSync(REFERENCE_DOC, "utf8");
      assert.ok(text.includes(`${TABLE_START}\n${renderReferenceTable()}\n${TABLE_END}`), REGENERATE);
      assert.equal(text, withReferenceTable(text), REGENERATE);
      for (const key of Object.keys(CONFIG_SCHEMA)) {
        assert.match(text, new RegExp(`^\\| \`mobile-s3:${key}\` \\|`, "m"), key);
      }
    });

    it("rewrites only the config section of a project file, keeping what comes before and after", () => {
      const before = "name: demo\n# the runtime\nruntime: nodejs\nconfig:\n  stale:\n    type: string\n    default: x\n\n# after\nmain: index.ts\n";
      const after = withConfigSection(before);
      assert.ok(after.startsWith("name: demo\n# the runtime\nruntime: nodejs\nconfig:\n  app:\n"));
      assert.ok(after.endsWith("\n\n# after\nmain: index.ts\n"));
      assert.doesNotMatch(after, /stale/);
      assert.deepEqual(parse(after).config, projectConfigSection());
      assert.equal(withConfigSection(after), after);
      assert.deepEqual(parse(withConfigSection("name: demo\nruntime: nodejs\n")).config, projectConfigSection());
    });

    it("refuses a reference doc without the table's markers", () => {
      assert.throws(() => withReferenceTable("# Configuration\n"), /config-reference:start/);
    });

    it("escapes what Markdown would read as HTML or a column outside code spans", () => {
      const table = renderReferenceTable();
      const row = table.split("\n").find((line) => line.startsWith("| `mobile-s3:tenants` |"));
      assert.ok(row?.includes("`<id>:<tier>`"), "code spans kept as they are");
      for (const line of table.split("\n").slice(2)) {
        assert.equal(line.split(/(?<!\\)\|/).length, 7, line);
        assert.doesNotMatch(line.replace(/`[^`]*`/g, ""), /[<>]/, line);
      }
    });
  });
});
