import { parseRouteKey } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { routeSlug, routeSourceArn } from "../../../infra/api/routes";

const EXECUTION_ARN = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5";

/** ArnLike as IAM and Lambda evaluate `AWS:SourceArn`: `*` any run of characters, `?` one. */
function arnLike(pattern: string, arn: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(arn);
}

describe("infra/api/routes", () => {
  it("makes stable logical-name parts of route keys", () => {
    assert.equal(routeSlug("POST /v1/uploads/{uploadId}/parts"), "post-v1-uploads-uploadid-parts");
    assert.equal(routeSlug("GET /v1/objects/url"), "get-v1-objects-url");
    assert.notEqual(routeSlug("GET /v1/uploads/{uploadId}/parts"), routeSlug("POST /v1/uploads/{uploadId}/parts"));
  });

  it("refuses a malformed route key", () => {
    assert.throws(() => parseRouteKey("$default"), /route key "\$default" must be "<METHOD> \/<path>"/);
    assert.throws(() => parseRouteKey("ANY /{proxy+}"), /must be/);
  });

  const cases: [routeKey: string, request: string, matches: boolean][] = [
    ["POST /v1/uploads/{uploadId}/parts", `${EXECUTION_ARN}/$default/POST/v1/uploads/2~abc.def/parts`, true],
    ["POST /v1/uploads/{uploadId}/parts", `${EXECUTION_ARN}/$default/GET/v1/uploads/2~abc.def/parts`, false],
    ["POST /v1/uploads/{uploadId}/parts", `${EXECUTION_ARN}/$default/POST/v1/uploads/2~abc.def/complete`, false],
    ["GET /v1/objects", `${EXECUTION_ARN}/$default/GET/v1/objects`, true],
    ["GET /v1/objects", `${EXECUTION_ARN}/$default/DELETE/v1/objects`, false],
    ["GET /v1/objects", "arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/$default/GET/v1/objects", false],
    ["GET /v1/objects", "arn:aws:execute-api:us-east-1:210987654321:a1b2c3d4e5/$default/GET/v1/objects", false],
  ];
  for (const [routeKey, request, matches] of cases) {
    it(`a permission for ${routeKey} ${matches ? "lets" : "does not let"} ${request.split(":").pop()} invoke`, () => {
      const pattern = routeSourceArn(EXECUTION_ARN, routeKey);
      assert.ok(pattern.startsWith(`${EXECUTION_ARN}/`));
      assert.equal(arnLike(pattern, request), matches, pattern);
    });
  }
});
