import { type S3Client } from "@aws-sdk/client-s3";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";
import { s3Client } from "../../functions/shared/s3-client";
import { signIn } from "./dev-token";
import { type RunningSandbox } from "./sandbox-process";

/** An ID token from the sandbox's issuer for `sub` in `tenant`. */
export async function tokenFor(sandbox: RunningSandbox, sub: string, tenant = "acme"): Promise<string> {
  return (await signIn(sandbox.ready.api, { name: sub, sub, tenant })).token!;
}

/** The engine as its administrator (the sandbox's own keys), for what no user may see. */
export function engineAdmin(sandbox: RunningSandbox): S3Client {
  const { region, engine } = sandbox.ready.s3;
  return s3Client({
    endpoint: engine.endpoint,
    region,
    credentials: { accessKeyId: engine.accessKeyId, secretAccessKey: engine.secretAccessKey },
    forcePathStyle: true,
  });
}

/**
 * S3 as access pattern 1 reaches it: the app role's credentials from the sandbox's identity pool
 * for `token`'s user, through the IAM gateway that decides every request as AWS would.
 */
export function directS3(sandbox: RunningSandbox, token: string): S3Client {
  const { region, endpoint } = sandbox.ready.s3;
  const { identityPoolId, providerName } = sandbox.ready.identityPool;
  const credentials = fromCognitoIdentityPool({ identityPoolId, logins: { [providerName]: token }, clientConfig: { region, endpoint } });
  return s3Client({ endpoint, region, credentials, forcePathStyle: true });
}
