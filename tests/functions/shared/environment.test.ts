import { ConfigurationError, requireInteger, requireJson, requireString, requireStringList } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";

describe("functions/shared/environment", () => {
  it("names the variable in every refusal and keeps the JSON parser's error as the cause", () => {
    assert.throws(() => requireString({ X: "  " }, "X"), /environment variable X is required but not set/);
    assert.throws(
      () => requireJson({ X: "{" }, "X"),
      (err: unknown) =>
        err instanceof ConfigurationError &&
        err.name === "ConfigurationError" &&
        err.variable === "X" &&
        err.message === "environment variable X must be valid JSON" &&
        err.cause instanceof SyntaxError,
    );
  });

  const integers: [string, number | RegExp][] = [
    ["1", 1],
    ["900", 900],
    [" 42 ", 42],
    ["0", /from 1 to 900, got "0"/],
    ["901", /from 1 to 900/],
    ["-1", /from 1 to 900/],
    ["1e3", /from 1 to 900/],
    ["0x10", /from 1 to 900/],
    ["", /is required/],
  ];
  for (const [text, expected] of integers) {
    it(`reads "${text}" as ${expected}`, () => {
      const read = () => requireInteger({ N: text }, "N", { min: 1, max: 900 });
      if (typeof expected === "number") {
        assert.equal(read(), expected);
      } else {
        assert.throws(read, expected);
      }
    });
  }

  it("takes JSON objects and arrays only", () => {
    assert.deepEqual(requireJson({ J: '{"a":1}' }, "J"), { a: 1 });
    assert.deepEqual(requireJson({ J: "[1]" }, "J"), [1]);
    for (const scalar of ["1", '"a"', "null", "true"]) {
      assert.throws(() => requireJson({ J: scalar }, "J"), /must be a JSON object or array/);
    }
  });

  it("takes a list of distinct strings that pass the check", () => {
    assert.deepEqual(requireStringList({ L: '["a","b"]' }, "L"), ["a", "b"]);
    assert.throws(() => requireStringList({ L: '["a",1]' }, "L"), /holds an invalid entry 1/);
    assert.throws(() => requireStringList({ L: '["a",""]' }, "L"), /holds an invalid entry ""/);
    assert.throws(() => requireStringList({ L: '{"a":1}' }, "L"), /non-empty JSON array/);
    assert.throws(() => requireStringList({ L: '["b"]' }, "L", (s) => s === "a"), /holds an invalid entry "b"/);
  });
});
