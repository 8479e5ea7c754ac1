import * as assert from "node:assert/strict";
import { tenantAndSub } from "../../../client/src/direct/claims";
import { homePrefix, parseTenants, TENANT_ID } from "@mobile-s3/contract";
import { checkPath, checkPrefix, keyOf } from "../../../client/src/direct/keys";
import { StorageArgumentError, StorageError } from "../../../client/src/errors";
import { ApiError } from "../../../functions/shared/errors";
import { homeOf, userKey, userPrefix } from "../../../functions/shared/keys";

/**
 * Direct mode and the API check paths with the contract's one copy of the rules
 * (contract/keys.ts), each wrapping its refusals in its own error. These tables hold the two
 * wrappers to the same answers: same prefixes, same tenant ids, and the same paths accepted (as
 * the same keys) or refused.
 */
describe("client/direct/keys (agrees with the API's functions/shared/keys)", () => {
  const SUB = "5f2d1c3e-aaaa-bbbb-cccc-0123456789ab";
  const home = homeOf({ sub: SUB, claims: { sub: SUB, "custom:tenant": "acme" } }, "custom:tenant");

  it("builds the home prefix the API builds: tenants/{tenant}/home/{sub}/", () => {
    assert.equal(homePrefix("acme", SUB), home.prefix);
    assert.equal(homePrefix("${aws:PrincipalTag/tenant}", "${aws:PrincipalTag/home}"), "tenants/${aws:PrincipalTag/tenant}/home/${aws:PrincipalTag/home}/");
  });

  it("accepts the tenant ids the config accepts (1-32 lowercase letters, digits, inner hyphens)", () => {
    const accepted = ["a", "acme", "a1", "1a", "a-b", "a--b", "0", "a".repeat(32)];
    const refused = ["a".repeat(33), "", "-a", "a-", "Acme", "ac me", "ac_me", "acme.", "ümlaut", "a\n", "tenants/x"];
    for (const id of accepted) {
      assert.equal(TENANT_ID.test(id), true, JSON.stringify(id));
      assert.doesNotThrow(() => parseTenants([id], "pooled"), JSON.stringify(id));
    }
    for (const id of refused) {
      assert.equal(TENANT_ID.test(id), false, JSON.stringify(id));
      assert.throws(() => parseTenants([id], "pooled"), JSON.stringify(id));
    }
  });

  const paths = [
    "photos/2024/cat.jpg",
    "Ünïcødé/ファイル.jpg",
    "my photo (1).jpg",
    "a..b.txt",
    ".hidden",
    "v1.2/notes.txt",
    "e\u0301.txt",
    "../other/x.jpg",
    "a/../../b.jpg",
    "./x.jpg",
    "a/..",
    "/tenants/other/home/u/x.jpg",
    "a\\..\\b.jpg",
    "a//b.jpg",
    "a/",
    "a\u0000.jpg",
    "a\n.jpg",
    "a\u0085.jpg",
    "..%2fother/x.jpg",
    "%2e%2e/x.jpg",
    "100%.txt",
    "..\uFF0Fother/x.jpg",
    "..\u2215other",
    "a\u2044b",
    "a\uFF3Cb",
    "\uFF0E\uFF0E/x.jpg",
    "\u2024\u2024/x",
    "a\u2028b",
    `${"a".repeat(255)}`,
    `${"a".repeat(256)}`,
    `${"é".repeat(128)}`,
    Array.from({ length: 10 }, () => "b".repeat(100)).join("/"),
    ".mobile-s3/quota",
    "x/.MOBILE-S3/y",
  ];

  /** The key `build` answers, or undefined when it refuses with an error of class `refusal`. */
  const answerOf =
    (refusal: new (...args: never[]) => Error) =>
    (build: () => string): string | undefined => {
      try {
        return build();
      } catch (err) {
        assert.ok(err instanceof refusal, String(err));
        return undefined;
      }
    };
  const serverAnswer = answerOf(ApiError);
  const clientAnswer = answerOf(StorageArgumentError);

  it("accepts and refuses the same object paths as functions/shared/keys.ts, as the same keys", () => {
    for (const path of paths) {
      const server = serverAnswer(() => userKey(home, path));
      const client = clientAnswer(() => keyOf(homePrefix("acme", SUB), checkPath(path, "upload"), "upload"));
      assert.equal(client, server, JSON.stringify(path));
    }
  });

  it("accepts and refuses the same listing prefixes", () => {
    for (const prefix of [...paths, "", "photos/", "photos//", "../", "a/./"]) {
      const server = serverAnswer(() => userPrefix(home, prefix));
      const client = clientAnswer(() => `${homePrefix("acme", SUB)}${checkPrefix(prefix, "list")}`);
      assert.equal(client, server, JSON.stringify(prefix));
    }
  });

  it("names the operation and the rule when it refuses a path", () => {
    assert.throws(() => checkPath("../x", "upload"), /^StorageArgumentError: upload: \[path\] must not contain "\." or "\.\." segments$/);
    assert.throws(() => checkPath("", "remove"), /remove: \[path\] is required/);
  });

  it("reads tenant and sub from claims as the control plane does, refusing with its codes", () => {
    const cases: Record<string, unknown>[] = [
      { sub: SUB, "custom:tenant": "acme" },
      { sub: SUB },
      { sub: SUB, "custom:tenant": "" },
      { sub: SUB, "custom:tenant": "Acme" },
      { sub: SUB, "custom:tenant": "../acme" },
      { sub: SUB, "custom:tenant": ["acme"] },
      { sub: "a/b", "custom:tenant": "acme" },
      { sub: "", "custom:tenant": "acme" },
      { sub: "x".repeat(129), "custom:tenant": "acme" },
    ];
    for (const claims of cases) {
      const label = JSON.stringify(claims);
      let server: string;
      try {
        server = homeOf({ sub: String(claims.sub), claims }, "custom:tenant").prefix;
      } catch (err) {
        server = `refused ${(err as ApiError).code}`;
      }
      let client: string;
      try {
        const { tenant, sub } = tenantAndSub(claims, "custom:tenant");
        client = homePrefix(tenant, sub);
      } catch (err) {
        assert.ok(err instanceof StorageError, label);
        client = `refused ${err.code}`;
      }
      assert.equal(client, server, label);
    }
  });
});
