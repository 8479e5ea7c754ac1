import * as assert from "node:assert/strict";
import { generateKeyPairSync, verify } from "node:crypto";
import { createCdnSessionHandler } from "../../../functions/cdn-session/app";
import { httpEvent } from "../../harness/api";
import { ofType, type ProgramRun, runProgram } from "../../harness/program";
import { recordingLogger } from "../../functions/fixtures";

const CUSTOM_DOMAIN = "media.example.com";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
const SUB = "a11ce000-0000-4000-8000-000000000001";

const fromCloudFrontBase64 = (text: string) => Buffer.from(text.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64");

/**
 * CloudFront checks a signed cookie's policy against the URL the viewer asked for, host included
 * ("Creating a signing policy for signed cookies"): cookies signed for `dxxxx.cloudfront.net` do
 * not open `media.example.com`. With `cdnDomainName` set, the app is told to use that host, so the
 * cdn-session function must sign for it. Run on the handler with the environment the program gives it.
 */
describe("cdn-session with cdnDomainName: the program's own environment, the real handler", function () {
  this.timeout(120_000);
  let run: ProgramRun;
  before(async () => (run = await runProgram({ stack: "prod", config: { cdnDomainName: CUSTOM_DOMAIN, cdnCertificateArn: CERTIFICATE } })));

  it("tells the app to use the custom domain, and serves it from the distribution", () => {
    assert.equal((run.outputs.appConfig as { cdnDomain: string }).cdnDomain, CUSTOM_DOMAIN);
    const [distribution] = ofType(run, "aws:cloudfront/distribution:Distribution");
    assert.deepEqual(distribution.inputs.aliases, [CUSTOM_DOMAIN]);
  });

  it("signs cookies whose policy names the custom domain the app is told to use", async () => {
    const lambda = ofType(run, "aws:lambda/function:Function").find((f) => f.name.endsWith("-cdn-session"))!;
    const env = (lambda.inputs.environment as { variables: Record<string, string> }).variables;
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const handler = createCdnSessionHandler(env, {
      log: recordingLogger(),
      // The caller's revocation item, from no DynamoDB: never revoked.
      revocations: { revokedAt: () => Promise.resolve(undefined), revoke: () => Promise.resolve() },
      readSecret: async (arn) => {
        assert.equal(arn, env.CDN_PRIVATE_KEY_SECRET_ARN);
        return pem;
      },
    });
    // Behind API Gateway the JWT authorizer has verified the token and hands over its claims.
    const event = httpEvent({ routeKey: "POST /v1/cdn-session" });
    event.requestContext = { ...event.requestContext, authorizer: { jwt: { claims: { sub: SUB, "custom:tenant": "acme", token_use: "id", iat: "1764745200", exp: "1764748800" } } } };
    const result = await handler(event);
    assert.equal(result.statusCode, 200, result.body);
    const body = JSON.parse(result.body!) as { domain: string; cookies: Record<string, string> };
    assert.equal(body.domain, CUSTOM_DOMAIN);
    const policy = fromCloudFrontBase64(body.cookies["CloudFront-Policy"]);
    assert.ok(verify("RSA-SHA1", policy, publicKey, fromCloudFrontBase64(body.cookies["CloudFront-Signature"])));
    const [statement] = JSON.parse(policy.toString("utf8")).Statement as { Resource: string }[];
    assert.equal(statement.Resource, `https://${CUSTOM_DOMAIN}/tenants/acme/home/${SUB}/*`);
  });
});
