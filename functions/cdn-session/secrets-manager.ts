import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type SecretReader } from "./signer";

/** What the reader needs of a Secrets Manager client; tests pass a stand-in. */
export type SecretsClient = Pick<SecretsManagerClient, "send">;

/**
 * Reads a secret's string with Secrets Manager GetSecretValue, with the function's role. One client
 * per instance, created on first use.
 */
export function secretsManagerReader(createClient: () => SecretsClient = () => new SecretsManagerClient({})): SecretReader {
  let client: SecretsClient | undefined;
  return async (secretArn) => {
    client ??= createClient();
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (out.SecretString === undefined || out.SecretString === "") {
      throw new Error("the CloudFront private key secret has no string value");
    }
    return out.SecretString;
  };
}
