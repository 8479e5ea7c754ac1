import { type S3ClientConfig } from "@aws-sdk/client-s3";
import { fromCognitoIdentityPool, type FromCognitoIdentityPoolParameters } from "@aws-sdk/credential-providers";
import { type GetToken } from "../api";
import { errorName, storageErrorOf } from "./failures";

/** A function that resolves AWS credentials (the SDK's `AwsCredentialIdentityProvider`). */
export type CredentialProvider = Extract<NonNullable<S3ClientConfig["credentials"]>, (...args: never[]) => unknown>;

export interface IdentityPoolOptions {
  region: string;
  identityPoolId: string;
  userPoolId: string;
  getToken: GetToken;
}

/** The identity pool's name for the user pool: its token issuer without the scheme. */
export function userPoolProviderName(region: string, userPoolId: string): string {
  return `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/**
 * What direct mode hands `fromCognitoIdentityPool`: the pool, the user pool's ID token as the one
 * login (read afresh each time credentials are fetched, so a refreshed token is used), and the
 * region of the Cognito Identity client. No `userIdentifier`: the identity id is cached in memory
 * only, never in the platform's storage.
 */
export function identityPoolParameters(options: IdentityPoolOptions, forceRefresh: () => boolean = () => false): FromCognitoIdentityPoolParameters {
  return {
    identityPoolId: options.identityPoolId,
    logins: { [userPoolProviderName(options.region, options.userPoolId)]: async () => options.getToken({ forceRefresh: forceRefresh() }) },
    clientConfig: { region: options.region },
  };
}

/**
 * Temporary credentials of the identity pool's authenticated role for the signed-in user. When the
 * identity pool refuses the ID token (`NotAuthorizedException`, most often an expired token after
 * the app slept), it asks `getToken` once more with `forceRefresh: true`, as the core does on 401.
 */
export function identityPoolCredentials(options: IdentityPoolOptions, fromPool: typeof fromCognitoIdentityPool = fromCognitoIdentityPool): CredentialProvider {
  let refresh = false;
  const provider = fromPool(identityPoolParameters(options, () => refresh));
  return async (properties) => {
    try {
      return await provider(properties);
    } catch (err) {
      if (errorName(err) !== "NotAuthorizedException") {
        throw err;
      }
      refresh = true;
      try {
        return await provider(properties);
      } finally {
        refresh = false;
      }
    }
  };
}

/**
 * `provider` whose failures are `StorageError`s saying the credentials could not be had, with
 * Cognito's code; the SDK passes them through to the operation, which names itself in front.
 */
export function explainedCredentials(provider: CredentialProvider): CredentialProvider {
  return async (properties) => {
    try {
      return await provider(properties);
    } catch (err) {
      throw storageErrorOf("get temporary credentials from the identity pool", err, "Cognito");
    }
  };
}
