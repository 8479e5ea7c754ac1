export {
  createDirectClient,
  type DirectClient,
  type DirectClientOptions,
  type DirectListOptions,
  type DirectLocation,
  type DirectObject,
  type DirectObjectPage,
} from "./client";
export { type CredentialProvider, identityPoolCredentials, identityPoolParameters, type IdentityPoolOptions, userPoolProviderName } from "./credentials";
export { homePrefix, TENANT_ID } from "@mobile-s3/contract";
export { type DirectStorageConfig, type DirectTier, storageTarget } from "./storage";
export { type DirectUploadOptions, type DirectUploadStatus, DirectUploadTask } from "./upload";
