import * as assert from "node:assert/strict";
import { apiCorsConfiguration } from "../../../infra/api/cors";

describe("infra/api/cors", () => {
  it("sends no CORS at all for native apps", () => {
    assert.equal(apiCorsConfiguration([]), undefined);
  });

  it("allows exact origins to send the bearer token and a body type, with the API's methods, without credentials", () => {
    assert.deepEqual(apiCorsConfiguration(["https://app.example.com", "capacitor://localhost", "http://localhost:8100"]), {
      allowOrigins: ["https://app.example.com", "capacitor://localhost", "http://localhost:8100"],
      allowHeaders: ["authorization", "content-type"],
      allowMethods: ["GET", "POST", "DELETE"],
      allowCredentials: false,
      maxAge: 600,
    });
  });

  const refused: [string, RegExp][] = [
    ["*", /must list exact origins/],
    ["https://*.example.com", /must list exact origins/],
    ["http://app.example.com", /must list exact origins/],
    ["https://app.example.com/", /without a path/],
    ["https://app.example.com/login", /without a path/],
    ["https://localhost.evil.com:443/x", /must list exact origins/],
  ];
  for (const [origin, message] of refused) {
    it(`refuses the origin "${origin}", naming [corsOrigins]`, () => {
      assert.throws(() => apiCorsConfiguration([origin]), (err: Error) => err.message.startsWith("[corsOrigins]") && message.test(err.message));
    });
  }

  it("refuses an origin listed twice", () => {
    assert.throws(() => apiCorsConfiguration(["https://a.example.com", "https://a.example.com"]), /\[corsOrigins\] lists "https:\/\/a\.example\.com" twice/);
  });
});
