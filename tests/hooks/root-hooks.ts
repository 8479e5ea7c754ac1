// Mocha root hooks (loaded through .mocharc.json `require`): shared fixtures started lazily by the
// suites that need them are stopped once, after the last suite.
import { releaseClientSandbox } from "../client/harness";
import { releaseDynamoDb } from "../harness/dynamodb";
import { releaseS3Engine } from "../harness/s3-engine";

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(150_000);
    await releaseClientSandbox();
    await releaseDynamoDb();
    await releaseS3Engine();
  },
};
