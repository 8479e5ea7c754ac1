import { generateKeyPairSync, randomBytes } from "node:crypto";

/**
 * No CloudFront runs locally, so `POST /v1/cdn-session` signs its cookies with a key made up for
 * this run, for a domain that does not resolve (`.invalid` is reserved for that). The cookies have
 * the shape and scope the deployed API gives; the public key, served at `/dev/cdn-public-key`, lets
 * anyone check their signature.
 */
export const SANDBOX_CDN_DOMAIN = "cdn.sandbox.invalid";

export interface SandboxCdnKey {
  domainName: string;
  /** Shaped like a CloudFront public key id. */
  keyPairId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export function sandboxCdnKey(): SandboxCdnKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    domainName: SANDBOX_CDN_DOMAIN,
    keyPairId: `K${randomBytes(7).toString("hex").toUpperCase()}`,
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
