import * as assert from "node:assert/strict";
import { type ControlPlaneLimits, validateLimits, validateThrottling } from "../../../infra/api/limits";
import { VALID_LIMITS } from "./fixtures";

describe("infra/api/limits", () => {
  it("accepts the documented defaults and the edges of every range", () => {
    assert.deepEqual(validateLimits(VALID_LIMITS), VALID_LIMITS);
    validateLimits({ ...VALID_LIMITS, presignTtlSeconds: 1 });
    validateLimits({ ...VALID_LIMITS, presignTtlSeconds: 900 });
    validateLimits({ ...VALID_LIMITS, maxObjectBytes: 5 * 1024 ** 4, singlePutMaxBytes: 5 * 1024 ** 3, proxyMaxBytes: 4 * 1024 ** 2 });
  });

  const refused: [string, Partial<ControlPlaneLimits>, RegExp][] = [
    ["a presigned URL living over 15 minutes", { presignTtlSeconds: 901 }, /^\[limits\.presignTtlSeconds\] must be an integer from 1 to 900 \(presigned URLs live at most 15 minutes/],
    ["a presigned URL living 0 seconds", { presignTtlSeconds: 0 }, /^\[limits\.presignTtlSeconds\] must be/],
    ["a fractional lifetime", { presignTtlSeconds: 1.5 }, /^\[limits\.presignTtlSeconds\] must be an integer/],
    ["NaN", { presignTtlSeconds: Number.NaN }, /^\[limits\.presignTtlSeconds\]/],
    ["an object over 5 TiB", { maxObjectBytes: 5 * 1024 ** 4 + 1 }, /^\[limits\.maxObjectBytes\]/],
    ["a single PUT over 5 GiB", { maxObjectBytes: 5 * 1024 ** 4, singlePutMaxBytes: 5 * 1024 ** 3 + 1 }, /^\[limits\.singlePutMaxBytes\] must be an integer/],
    ["a single-PUT threshold above the largest object", { maxObjectBytes: 1000, singlePutMaxBytes: 1001, proxyMaxBytes: 10 }, /^\[limits\.singlePutMaxBytes\] must not exceed limits\.maxObjectBytes \(1000\)/],
    ["a proxied body above the largest object", { maxObjectBytes: 1000, singlePutMaxBytes: 100, proxyMaxBytes: 1001 }, /^\[limits\.proxyMaxBytes\] must not exceed/],
    ["a proxied body over 4 MiB", { proxyMaxBytes: 4 * 1024 ** 2 + 1 }, /^\[limits\.proxyMaxBytes\] must be an integer from 1 to 4194304/],
    ["a part batch over 100", { partUrlBatchMax: 101 }, /^\[limits\.partUrlBatchMax\]/],
    ["a CDN session under a minute", { cdnSessionTtlSeconds: 59 }, /^\[limits\.cdnSessionTtlSeconds\] must be an integer from 60 to 43200/],
    ["no content type", { allowedContentTypes: [] }, /^\[limits\.allowedContentTypes\] must list at least one/],
    ["a wildcard content type", { allowedContentTypes: ["image/*"] }, /^\[limits\.allowedContentTypes\] must hold lowercase "type\/subtype" names without wildcards, got "image\/\*"/],
    ["a content type with parameters", { allowedContentTypes: ["text/plain; charset=utf-8"] }, /^\[limits\.allowedContentTypes\]/],
    ["an uppercase content type", { allowedContentTypes: ["Image/JPEG"] }, /^\[limits\.allowedContentTypes\]/],
    ["a content type listed twice", { allowedContentTypes: ["image/png", "image/png"] }, /^\[limits\.allowedContentTypes\] lists "image\/png" twice/],
  ];
  for (const [label, change, message] of refused) {
    it(`refuses ${label}, naming the argument`, () => {
      assert.throws(() => validateLimits({ ...VALID_LIMITS, ...change }), (err: Error) => {
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it("keeps stage throttling within API Gateway's account quota", () => {
    assert.deepEqual(validateThrottling({ rateLimit: 50, burstLimit: 100 }), { rateLimit: 50, burstLimit: 100 });
    assert.throws(() => validateThrottling({ rateLimit: 0, burstLimit: 100 }), /^Error: \[throttling\.rateLimit\] must be an integer from 1 to 10000/);
    assert.throws(() => validateThrottling({ rateLimit: 50, burstLimit: 5001 }), /\[throttling\.burstLimit\]/);
  });
});
