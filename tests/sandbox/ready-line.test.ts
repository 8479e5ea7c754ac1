import * as assert from "node:assert/strict";
import { banner, type ReadyInfo, readyLine } from "../../sandbox/ready-line";

const READY: ReadyInfo = {
  api: "http://127.0.0.1:3000",
  issuer: "http://127.0.0.1:3000/dev",
  s3: {
    endpoint: "http://127.0.0.1:4000",
    region: "us-east-1",
    buckets: ["app-dev-storage-1"],
    engine: { endpoint: "http://127.0.0.1:5000", accessKeyId: "AK", secretAccessKey: "SK" },
  },
  identityPool: { identityPoolId: "us-east-1:pool", userPoolId: "us-east-1_x", providerName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_x" },
  dynamodb: { endpoint: "http://127.0.0.1:6000", region: "us-east-1", indexTable: "app-dev-index" },
};

describe("sandbox/ready-line: the ready line and the banner", () => {
  it("is one line, `ready ` and the JSON, with the local DynamoDB and the index table last", () => {
    const line = readyLine(READY);
    assert.equal(line.includes("\n"), false);
    assert.match(line, /^ready \{/);
    const parsed = JSON.parse(line.slice("ready ".length)) as ReadyInfo;
    assert.deepEqual(parsed, READY);
    assert.deepEqual(Object.keys(parsed), ["api", "issuer", "s3", "identityPool", "dynamodb"]);
  });

  it("tells a person where the object index is", () => {
    const text = banner({ ...READY, stack: "dev", audience: "aud", tenantClaim: "custom:tenant", dataDir: "/tmp/d", scanner: "ClamAV", cdnDomain: "cdn.invalid", example: { path: "a.txt", contentType: "text/plain", bytes: Buffer.from("hi") } });
    assert.match(text, /object index\s+table app-dev-index in DynamoDB at http:\/\/127\.0\.0\.1:6000/);
  });
});
