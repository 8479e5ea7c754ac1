import * as assert from "node:assert/strict";
import { type ConfigKeyName, ConfigError, parseStackConfig, PROJECT } from "../../infra/config";
import { boundsText, type ConfigKeySpec, configEntries } from "../../infra/config-schema";

/** Each bound of the schema, as values just outside it (refused) and at its edges (not refused for it). */
interface Probe {
  outside: [label: string, value: string][];
  edges: [label: string, value: string][];
}

function probes(spec: ConfigKeySpec): Probe {
  switch (spec.type) {
    case "integer": {
      const { min, max } = spec.bounds;
      const outside: Probe["outside"] = [
        [`${min - 1}, below ${min}`, String(min - 1)],
        [`${max + 1}, above ${max}`, String(max + 1)],
        ["a fraction", `${min}.5`],
        ["a word", "ten"],
      ];
      const allowed = spec.allowed;
      if (allowed === undefined) {
        return { outside, edges: [[`${min}`, String(min)], [`${max}`, String(max)]] };
      }
      const between = allowed.map((v) => v + 1).find((v) => v <= max && !allowed.includes(v));
      if (between !== undefined) {
        outside.push([`${between}, within ${min} to ${max} but not an allowed value`, String(between)]);
      }
      return { outside, edges: allowed.map((v): [string, string] => [`${v}`, String(v)]) };
    }
    case "string": {
      const outside: Probe["outside"] = [];
      const edges: Probe["edges"] = [];
      if (spec.allowed) {
        const first = spec.allowed[0];
        const otherCase = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase();
        outside.push(["a value not allowed", "not-one-of-them"], [`${otherCase}, an allowed value in another case`, otherCase]);
        edges.push(...spec.allowed.map((v): [string, string] => [v, v]));
      }
      if (spec.maxLength !== undefined) {
        outside.push([`${spec.maxLength + 1} characters`, "a".repeat(spec.maxLength + 1)]);
        edges.push([`${spec.maxLength} characters`, "a".repeat(spec.maxLength)]);
      }
      return { outside, edges };
    }
    case "array": {
      const outside: Probe["outside"] = [
        ["a string instead of a list", JSON.stringify("x")],
        ["a list of numbers", "[1]"],
      ];
      if (spec.minItems) {
        outside.push([`${spec.minItems - 1} entries`, JSON.stringify(spec.default.slice(0, spec.minItems - 1))]);
      }
      return { outside, edges: [["its default", JSON.stringify(spec.default)]] };
    }
    case "boolean":
      return {
        outside: [
          ["yes", "yes"],
          ["1", "1"],
        ],
        edges: [
          ["true", "true"],
          ["false", "false"],
        ],
      };
  }
}

const parseWith = (key: ConfigKeyName, value: string) => parseStackConfig((k) => (k === key ? value : undefined), "dev");

/** The key a value is refused for, or undefined when the whole config parses. */
function refusedKey(key: ConfigKeyName, value: string): string | undefined {
  try {
    parseWith(key, value);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `${key}=${value}: ${String(err)}`);
    return err.key;
  }
}

describe("infra/config-schema: the parser enforces every bound of the schema", () => {
  it("parses the schema's defaults", () => {
    assert.doesNotThrow(() => parseStackConfig(() => undefined, "dev"));
  });

  for (const [key, spec] of configEntries()) {
    const { outside, edges } = probes(spec);
    const bounds = boundsText(spec) ?? spec.type;
    for (const [label, value] of outside) {
      it(`refuses ${key} = ${label} (${bounds}), naming ${key}`, () => {
        assert.throws(
          () => parseWith(key, value),
          (err: unknown) =>
            err instanceof ConfigError && err.key === key && err.message.startsWith(`[${PROJECT}:${key}] `) && !err.message.includes("\n"),
        );
      });
    }
    // Inclusive bounds: a value at an edge may still clash with another key's default (maxObjectBytes
    // of 1 is below the default singlePutMaxBytes), but is never refused for this key.
    if (edges.length > 0) {
      it(`accepts ${key} at the edges of ${bounds}: ${edges.map(([l]) => l).join(", ")}`, () => {
        for (const [label, value] of edges) {
          assert.notEqual(refusedKey(key, value), key, `${key} = ${label}`);
        }
      });
    }
  }
});
