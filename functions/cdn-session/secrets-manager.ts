import type * as ClientSecretsManager from "@aws-sdk/client-secrets-manager";
import { type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type SecretReader } from "./signer";

/** What the reader needs of a Secrets Manager client; tests pass a stand-in. */
export type SecretsClient = Pick<SecretsManagerClient, "send">;

type SecretsManagerModule = typeof ClientSecretsManager;

let sdk: Promise<SecretsManagerModule> | undefined;

/**
 * The SDK's Secrets Manager client, loaded with the first read rather than at module scope: it is
 * needed once per instance (the key is then kept), and loading it was most of the cold start's
 * init. Only types are imported above, so the bundle has no top-level `require` of it.
 */
function loadSecretsManager(): Promise<SecretsManagerModule> {
  sdk ??= import("@aws-sdk/client-secrets-manager");
  return sdk;
}

async function runtimeClient(): Promise<SecretsClient> {
  const { SecretsManagerClient } = await loadSecretsManager();
  return new SecretsManagerClient({});
}

/**
 * Reads a secret's string with Secrets Manager GetSecretValue, with the function's role. One client
 * per instance, created on first use.
 */
export function secretsManagerReader(createClient: () => SecretsClient | Promise<SecretsClient> = runtimeClient): SecretReader {
  let client: Promise<SecretsClient> | undefined;
  return async (secretArn) => {
    const { GetSecretValueCommand } = await loadSecretsManager();
    client ??= Promise.resolve(createClient());
    const out = await (await client).send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (out.SecretString === undefined || out.SecretString === "") {
      throw new Error("the CloudFront private key secret has no string value");
    }
    return out.SecretString;
  };
}
