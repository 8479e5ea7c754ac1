import * as assert from "node:assert/strict";
import { CognitoIdentityProviderClient, GetGroupCommand } from "@aws-sdk/client-cognito-identity-provider";
import { type CognitoStandIn, startCognitoStandIn } from "./cognito-stand-in";

const REGION = "eu-west-1";
const KEY = { accessKeyId: "TESTKEY-STAND-IN", secretAccessKey: "stand-in-secret-key-for-tests-only" };
const POOL = "eu-west-1_StandIn01";

/** The stand-in the CLI tests rely on must really refuse what AWS would refuse, or they prove nothing. */
describe("tests/scripts/admin/cognito-stand-in (the local Cognito the CLI tests use)", () => {
  let standIn: CognitoStandIn;

  before(async () => {
    standIn = await startCognitoStandIn({ region: REGION, ...KEY, pools: [{ id: POOL, customAttributes: ["tenant"], groups: ["uploaders"] }] });
  });
  after(async () => {
    await standIn.stop();
  });

  const client = (region: string, credentials: typeof KEY) => new CognitoIdentityProviderClient({ region, endpoint: standIn.url, credentials, maxAttempts: 1 });
  const getGroup = (region: string, credentials: typeof KEY) => client(region, credentials).send(new GetGroupCommand({ UserPoolId: POOL, GroupName: "uploaders" }));

  it("serves a request the SDK signed with the right key, Region and service", async () => {
    const { Group } = await getGroup(REGION, KEY);
    assert.equal(Group?.GroupName, "uploaders");
    assert.equal(standIn.requests.at(-1)?.rejected, undefined);
  });

  const refused: [string, string, typeof KEY, RegExp][] = [
    ["a signature made with another secret key", REGION, { ...KEY, secretAccessKey: "not-the-secret" }, /signature does not match/],
    ["a credential scoped to another Region", "us-east-1", KEY, /Region us-east-1, not eu-west-1/],
    ["another access key id", REGION, { ...KEY, accessKeyId: "TESTKEY-OTHER" }, /access key TESTKEY-OTHER/],
  ];
  for (const [label, region, credentials, reason] of refused) {
    it(`refuses ${label}`, async () => {
      await assert.rejects(getGroup(region, credentials), (err: Error) => /InvalidSignatureException|UnrecognizedClientException/.test(err.name));
      assert.match(standIn.requests.at(-1)?.rejected ?? "", reason);
    });
  }

  it("refuses an unsigned request and one whose body was altered after signing", async () => {
    const target = { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.GetGroup" };
    const unsigned = await fetch(standIn.url, { method: "POST", headers: target, body: JSON.stringify({ UserPoolId: POOL, GroupName: "uploaders" }) });
    assert.equal(unsigned.status, 403);
    assert.equal(standIn.requests.at(-1)?.rejected, "no Authorization header");

    // Sign one body, send another of the same length (Content-Length is signed too): the payload hash is part of the signature.
    const altering = client(REGION, KEY);
    altering.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: string }).body = JSON.stringify({ UserPoolId: POOL, GroupName: "uploaderz" });
        return next(args);
      },
      { step: "finalizeRequest", priority: "low" },
    );
    await assert.rejects(altering.send(new GetGroupCommand({ UserPoolId: POOL, GroupName: "uploaders" })));
    assert.match(standIn.requests.at(-1)?.rejected ?? "", /(signature|x-amz-content-sha256) does not match/);
  });

  it("answers an unknown pool with ResourceNotFoundException, as Cognito does", async () => {
    await assert.rejects(
      client(REGION, KEY).send(new GetGroupCommand({ UserPoolId: "eu-west-1_Missing", GroupName: "uploaders" })),
      (err: Error) => err.name === "ResourceNotFoundException" && /does not exist/.test(err.message),
    );
  });
});
