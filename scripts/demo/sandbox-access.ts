import { type S3Client } from "@aws-sdk/client-s3";
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
