import * as assert from "node:assert/strict";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { indexTableName, startLocalDynamoDb } from "../../sandbox/dynamodb";
import { type ProgramRun } from "../../offline/run-program";

const runWith = (resources: Partial<ProgramRun["resources"][number]>[]) => ({ resources, outputs: {} }) as unknown as ProgramRun;
const CONFIG = { app: "photos", environment: "dev" };

describe("sandbox/dynamodb: the sandbox's local DynamoDB", () => {
  describe("indexTableName", () => {
    it("is the physical name of the table the program plans", () => {
      const run = runWith([{ type: "aws:dynamodb/table:Table", name: "photos-dev-index", id: "photos-dev-index-2197a44", inputs: {}, outputs: { name: "photos-dev-index-2197a44" } }]);
      assert.equal(indexTableName(run, CONFIG), "photos-dev-index-2197a44");
    });

    it("is <app>-<environment>-index when the program plans none (the minimal profile)", () => {
      assert.equal(indexTableName(runWith([]), CONFIG), "photos-dev-index");
    });

    it("refuses a plan with two tables, naming them", () => {
      const table = (name: string) => ({ type: "aws:dynamodb/table:Table", name, inputs: { name }, outputs: {} });
      assert.throws(() => indexTableName(runWith([table("a-index"), table("b-other")]), CONFIG), /2 DynamoDB tables \(a-index, b-other\)/);
    });
  });

  it("listens on loopback, answers, and stops (twice is once)", async () => {
    const db = await startLocalDynamoDb({ region: "eu-west-1" });
    assert.match(db.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(db.region, "eu-west-1");
    const client = db.client();
    try {
      assert.deepEqual((await client.send(new ListTablesCommand({}))).TableNames, []);
    } finally {
      client.destroy();
    }
    await Promise.all([db.close(), db.close()]);
    await assert.rejects(fetch(db.endpoint), /fetch failed/);
  });
});
