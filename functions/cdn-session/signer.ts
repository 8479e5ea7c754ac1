import { getSignedCookies } from "@aws-sdk/cloudfront-signer";
import { type PrivateKeySource } from "./config";
import { type CdnCookies, type CookieSigner } from "./core";

/** Reads a secret's string value (Secrets Manager GetSecretValue in AWS). */
export type SecretReader = (secretArn: string) => Promise<string>;

/**
 * The private key, read at most once per cold start: the first request fetches it, later ones reuse
 * it. A failed fetch is not remembered, so the next request tries again instead of failing until
 * the next cold start.
 */
export function privateKeyLoader(source: PrivateKeySource, readSecret: SecretReader): () => Promise<string> {
  if ("pem" in source) {
    return () => Promise.resolve(source.pem);
  }
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= readSecret(source.secretArn).catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/** Signs custom policies with `@aws-sdk/cloudfront-signer` (RSA-SHA1, CloudFront's default). */
export function cloudFrontCookieSigner(keyPairId: string, privateKey: () => Promise<string>): CookieSigner {
  return {
    async sign(policy): Promise<CdnCookies> {
      const cookies = getSignedCookies({ keyPairId, privateKey: await privateKey(), policy });
      const signedPolicy = cookies["CloudFront-Policy"];
      if (signedPolicy === undefined) {
        throw new Error("the CloudFront signer returned no CloudFront-Policy cookie for a custom policy");
      }
      return {
        "CloudFront-Policy": signedPolicy,
        "CloudFront-Signature": cookies["CloudFront-Signature"],
        "CloudFront-Key-Pair-Id": cookies["CloudFront-Key-Pair-Id"],
      };
    },
  };
}
