import { type Env } from "@mobile-s3/contract";
import { type HttpApiEvent, type HttpApiResult, httpApiHandler } from "../shared/http-api";
import { createTokenVerifier } from "../shared/identity";
import { createLogger, type Logger, readLogLevel } from "../shared/log";
import { assertPrivateKey, handleCdnSessionRequest, loadCdnSessionConfig } from "./core";
import { secretsManagerReader } from "./secrets-manager";
import { cloudFrontCookieSigner, privateKeyLoader, type SecretReader } from "./signer";

/** What a test or the sandbox may put in place of the defaults. */
export interface CdnSessionPorts {
  readSecret?: SecretReader;
  log?: Logger;
  now?: () => number;
}

/**
 * The cdn-session function as Lambda runs it, built once per cold start from `env`. The private key
 * is fetched on the first request and kept for the life of the instance.
 */
export function createCdnSessionHandler(env: Env, ports: CdnSessionPorts = {}): (event: HttpApiEvent) => Promise<HttpApiResult> {
  const config = loadCdnSessionConfig(env);
  const log = ports.log ?? createLogger("cdn-session", readLogLevel(env));
  const readSecret = ports.readSecret ?? secretsManagerReader();
  const privateKey = privateKeyLoader(config.privateKey, async (arn) => {
    const pem = await readSecret(arn);
    // A secret that is not a usable key fails loudly (as a 500 and a log line naming the setting).
    assertPrivateKey(pem, "the secret named by CDN_PRIVATE_KEY_SECRET_ARN");
    return pem;
  });
  const signer = cloudFrontCookieSigner(config.keyPairId, privateKey);
  const verifier = config.token === undefined ? undefined : createTokenVerifier(config.token);
  return httpApiHandler(
    log,
    (request) => handleCdnSessionRequest(request, config, signer, ports.now),
    verifier === undefined ? {} : { verifier },
  );
}
