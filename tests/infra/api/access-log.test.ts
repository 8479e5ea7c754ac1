import * as assert from "node:assert/strict";
import { ACCESS_LOG_FIELDS, accessLogFormat } from "../../../infra/api/access-log";

describe("infra/api/access-log", () => {
  it("No secrets in logs: the access-log format holds no header, query string, path, cookie or token", () => {
    const format = JSON.parse(accessLogFormat()) as Record<string, string>;
    assert.deepEqual(format, ACCESS_LOG_FIELDS);
    for (const [field, variable] of Object.entries(format)) {
      assert.match(variable, /^\$context\.[A-Za-z.]+$/, `${field} is one $context variable`);
      assert.doesNotMatch(variable, /header|authorization|querystring|path|cookie|token|\$request/i, `${field}: ${variable}`);
    }
  });

  it("keeps what an investigation needs: who, which route, when, the outcome and the latency", () => {
    const variables = Object.values(ACCESS_LOG_FIELDS);
    for (const needed of ["$context.requestId", "$context.routeKey", "$context.status", "$context.authorizer.claims.sub", "$context.identity.sourceIp", "$context.integrationLatency"]) {
      assert.ok((variables as string[]).includes(needed), needed);
    }
  });
});
