import * as assert from "node:assert/strict";
import { applyTransform } from "../../infra/component";

describe("infra/component applyTransform (the components' escape hatch)", () => {
  const computed = () => ({ bucket: "b", forceDestroy: false, tags: { app: "photos" } as Record<string, string> });

  it("leaves args and options as they are without a transform", () => {
    const args = computed();
    assert.deepEqual(applyTransform(undefined, "n", args, { parent: undefined }), { args, opts: { parent: undefined } });
  });

  it("merges a partial args object over the computed args, top-level keys replacing", () => {
    assert.deepEqual(applyTransform({ tags: { team: "media" } }, "n", computed(), {}).args, { bucket: "b", forceDestroy: false, tags: { team: "media" } });
  });

  it("lets a function mutate args and options in place, and tells it the child's name", () => {
    const seen: string[] = [];
    const result = applyTransform<ReturnType<typeof computed>>(
      (args, opts, name) => {
        seen.push(name);
        args.forceDestroy = true;
        opts.protect = true;
      },
      "photos-qa-storage",
      computed(),
      {},
    );
    assert.deepEqual(seen, ["photos-qa-storage"]);
    assert.equal(result.args.forceDestroy, true);
    assert.equal(result.opts.protect, true);
  });

  it("takes the args a function returns as replacements", () => {
    assert.deepEqual(applyTransform(() => ({ bucket: "other", forceDestroy: true, tags: {} }), "n", computed(), {}).args, { bucket: "other", forceDestroy: true, tags: {} });
  });
});
