import * as assert from "node:assert/strict";
import { type GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { type SecretsClient, secretsManagerReader } from "../../../functions/cdn-session/secrets-manager";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdn-key-AbCdEf";

/** A Secrets Manager client standing in for the service: counts clients and records requests. */
function standIn(secrets: Record<string, string | undefined>) {
  const calls = { clients: 0, requests: [] as { SecretId?: string }[] };
  const createClient = (): SecretsClient => {
    calls.clients++;
    return {
      send: (async (command: GetSecretValueCommand) => {
        calls.requests.push(command.input);
        return { SecretString: secrets[command.input.SecretId ?? ""] };
      }) as SecretsClient["send"],
    };
  };
  return { calls, createClient };
}

describe("functions/cdn-session/secrets-manager", () => {
  it("reads the secret's string with GetSecretValue, through one client per instance", async () => {
    const { calls, createClient } = standIn({ [ARN]: "-----BEGIN PRIVATE KEY-----\n…" });
    const read = secretsManagerReader(createClient);
    assert.equal(calls.clients, 0, "no client before the first read");
    assert.equal(await read(ARN), "-----BEGIN PRIVATE KEY-----\n…");
    assert.equal(await read(ARN), "-----BEGIN PRIVATE KEY-----\n…");
    assert.equal(calls.clients, 1);
    assert.deepEqual(calls.requests, [{ SecretId: ARN }, { SecretId: ARN }]);
  });

  it("fails, without quoting anything, when the secret has no string value", async () => {
    const { createClient } = standIn({});
    await assert.rejects(secretsManagerReader(createClient)(ARN), /^Error: the CloudFront private key secret has no string value$/);
  });
});
