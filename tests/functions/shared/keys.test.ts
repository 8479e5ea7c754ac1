import * as assert from "node:assert/strict";
import { ApiError } from "../../../functions/shared/errors";
import { homeOf, relativePath, userKey, userPrefix } from "../../../functions/shared/keys";

const caller = (claims: Record<string, unknown>, sub = "5f2d1c3e-aaaa-bbbb-cccc-0123456789ab") => ({ sub, claims: { sub, ...claims } });
const home = homeOf(caller({ "custom:tenant": "acme" }), "custom:tenant");

describe("functions/shared/keys", () => {
  it("derives the home from verified claims only", () => {
    assert.equal(home.prefix, "tenants/acme/home/5f2d1c3e-aaaa-bbbb-cccc-0123456789ab/");
    assert.equal(userKey(home, "photos/2024/cat.jpg"), `${home.prefix}photos/2024/cat.jpg`);
    assert.equal(relativePath(home, `${home.prefix}a/b.png`), "a/b.png");
  });

  it("keeps ordinary names, including Unicode letters, spaces and dots inside names", () => {
    for (const path of ["Ünïcødé/ファイル.jpg", "my photo (1).jpg", "a..b.txt", ".hidden", "v1.2/notes.txt"]) {
      assert.ok(userKey(home, path).startsWith(home.prefix), path);
    }
    assert.equal(userKey(home, "e\u0301.txt"), `${home.prefix}\u00e9.txt`, "normalised to NFC");
  });

  const hostile: [string, string, string][] = [
    ["parent segment", "../other/x.jpg", "InvalidPath"],
    ["parent segment in the middle", "a/../../b.jpg", "InvalidPath"],
    ["current segment", "./x.jpg", "InvalidPath"],
    ["trailing parent", "a/..", "InvalidPath"],
    ["absolute path", "/tenants/other/home/u/x.jpg", "InvalidPath"],
    ["backslash", "a\\..\\b.jpg", "InvalidPath"],
    ["empty segment", "a//b.jpg", "InvalidPath"],
    ["trailing slash", "a/", "InvalidPath"],
    ["empty path", "", "InvalidPath"],
    ["NUL byte", "a\u0000.jpg", "InvalidPath"],
    ["lone high surrogate", "a\uD800b.jpg", "InvalidPath"],
    ["lone low surrogate", "a\uDC00.jpg", "InvalidPath"],
    ["newline", "a\n.jpg", "InvalidPath"],
    ["C1 control", "a\u0085.jpg", "InvalidPath"],
    ["percent-encoded slash", "..%2fother/x.jpg", "InvalidPath"],
    ["percent-encoded dot", "%2e%2e/x.jpg", "InvalidPath"],
    ["fullwidth solidus", "..\uFF0Fother/x.jpg", "InvalidPath"],
    ["division slash", "..\u2215other", "InvalidPath"],
    ["fraction slash", "a\u2044b", "InvalidPath"],
    ["fullwidth reverse solidus", "a\uFF3Cb", "InvalidPath"],
    ["fullwidth dots", "\uFF0E\uFF0E/x.jpg", "InvalidPath"],
    ["one-dot leaders", "\u2024\u2024/x", "InvalidPath"],
    ["line separator", "a\u2028b", "InvalidPath"],
    ["overlong segment", `${"a".repeat(256)}.jpg`, "PathTooLong"],
    ["overlong key", Array.from({ length: 10 }, () => "b".repeat(100)).join("/"), "PathTooLong"],
    ["reserved segment", ".mobile-s3/quota", "ReservedPath"],
  ];
  for (const [label, path, code] of hostile) {
    it(`refuses ${label} with 400 ${code}`, () => {
      assert.throws(
        () => userKey(home, path),
        (err: unknown) => err instanceof ApiError && err.status === 400 && err.code === code,
      );
    });
  }

  it("lets a listing prefix end with a slash, and refuses the same tricks", () => {
    assert.equal(userPrefix(home, undefined), home.prefix);
    assert.equal(userPrefix(home, "photos/"), `${home.prefix}photos/`);
    assert.throws(() => userPrefix(home, "../"), (err: unknown) => err instanceof ApiError && err.code === "InvalidPath");
    assert.throws(() => userPrefix(home, "a//"), (err: unknown) => err instanceof ApiError && err.code === "InvalidPath");
  });

  const badClaims: [string, Record<string, unknown>, string, string?][] = [
    ["no tenant claim", {}, "NoTenant"],
    ["an empty tenant claim", { "custom:tenant": "" }, "NoTenant"],
    ["a tenant claim that is not a tenant id", { "custom:tenant": "../acme" }, "InvalidTenant"],
    ["a tenant claim of the wrong type", { "custom:tenant": ["acme"] }, "NoTenant"],
    ["a sub with a slash", { "custom:tenant": "acme" }, "InvalidSubject", "a/b"],
  ];
  for (const [label, claims, code, sub] of badClaims) {
    it(`refuses ${label} with 403 ${code}`, () => {
      assert.throws(
        () => homeOf(caller(claims, sub), "custom:tenant"),
        (err: unknown) => err instanceof ApiError && err.status === 403 && err.code === code,
      );
    });
  }
});
