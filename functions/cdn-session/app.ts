import { CDN_SESSION_ROUTES } from "@mobile-s3/contract";
import { defineHttpFunction } from "../shared/runtime";
import { assertPrivateKey, loadCdnSessionConfig } from "./config";
import { type CdnSessionDeps, handleCdnSessionRequest } from "./core";
import { secretsManagerReader } from "./secrets-manager";
import { cloudFrontCookieSigner, privateKeyLoader, type SecretReader } from "./signer";

/** What a test or the sandbox may put in place of the defaults. */
export interface CdnSessionPorts {
  readSecret: SecretReader;
  now: () => number;
}

/**
 * The cdn-session function: CloudFront signed cookies scoped to the caller's home. The private key
 * is fetched on the first request and kept for the life of the instance.
 */
export const cdnSessionFunction = defineHttpFunction({
  name: "cdn-session",
  routes: CDN_SESSION_ROUTES,
  loadConfig: loadCdnSessionConfig,
  deps: ({ config }, ports: Partial<CdnSessionPorts>): CdnSessionDeps => {
    const readSecret = ports.readSecret ?? secretsManagerReader();
    const privateKey = privateKeyLoader(config.privateKey, async (arn) => {
      const pem = await readSecret(arn);
      // A secret that is not a usable key fails loudly (as a 500 and a log line naming the setting).
      assertPrivateKey(pem, "the secret named by CDN_PRIVATE_KEY_SECRET_ARN");
      return pem;
    });
    return { signer: cloudFrontCookieSigner(config.keyPairId, privateKey), ...(ports.now === undefined ? {} : { now: ports.now }) };
  },
  handle: handleCdnSessionRequest,
});

/** The cdn-session function as Lambda runs it, built once per cold start from `env`. */
export const createCdnSessionHandler = cdnSessionFunction.createHandler;
