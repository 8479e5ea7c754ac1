import * as assert from "node:assert/strict";
import { parseBenchArgs, UsageError } from "../../../scripts/bench/args";
import { SECTION_NAMES } from "../../../scripts/bench/sections";

describe("scripts/bench/args", () => {
  it("runs every section, in full, without a JSON file by default", () => {
    assert.deepEqual(parseBenchArgs([]), { quick: false, json: undefined, sections: [...SECTION_NAMES], help: false });
  });

  it("takes --quick, --json <file> and --help", () => {
    const args = parseBenchArgs(["--quick", "--json", "out/bench.json", "--help"]);
    assert.equal(args.quick, true);
    assert.equal(args.json, "out/bench.json");
    assert.equal(args.help, true);
  });

  it("runs the sections --only names in run order, whatever order they are named in", () => {
    assert.deepEqual(parseBenchArgs(["--only", "lambda, program ,policy"]).sections, ["program", "policy", "lambda"]);
  });

  const refused: [string, string[], RegExp][] = [
    ["an unknown section", ["--only", "program,disk"], /--only takes section names from program, policy, presign, upload, lambda, index, got "program,disk"/],
    ["an empty --only", ["--only", ","], /--only takes section names/],
    ["an unknown option", ["--fast"], /Unknown option '--fast'/],
    ["--json without a file", ["--json"], /--json/],
    ["--json with an empty name", ["--json", " "], /--json needs a file name/],
    ["a positional argument", ["program"], /positional/],
  ];
  for (const [label, argv, message] of refused) {
    it(`refuses ${label} with a UsageError saying what to change`, () => {
      assert.throws(() => parseBenchArgs(argv), (err: unknown) => err instanceof UsageError && message.test(err.message));
    });
  }
});
