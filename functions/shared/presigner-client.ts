import { objectEndpoint, type ObjectEndpoint } from "./presigner-endpoint";
import { objectPath, presignUrl, type SigningCredentials, SigningCache } from "./presigner";
import { clientOf, type S3ClientSource } from "./s3-sdk";

/** One object request to presign: the S3 operation's parameters besides bucket and key. */
export interface ObjectUrlRequest {
  method: "GET" | "PUT";
  bucket: string;
  key: string;
  /** Operation parameters, including the `x-id` the SDK adds (`UploadPart`, `PutObject`, `GetObject`). */
  query: Readonly<Record<string, string>>;
  /** Signed headers the client must send as given (lowercase names). */
  headers: Readonly<Record<string, string>>;
  expiresIn: number;
}

export interface SignedUrl {
  url: string;
  /** When S3 starts refusing it: X-Amz-Date plus X-Amz-Expires. */
  expiresAt: string;
}

export interface ClientPresigner {
  /** undefined where the client's endpoint rules want a signature this presigner does not make (see objectEndpoint). */
  presign(request: ObjectUrlRequest): Promise<SignedUrl | undefined>;
}

// The SDK's own margin: credentials this close to expiring are fetched again.
const CREDENTIALS_REFRESH_MS = 5 * 60_000;
// Buckets and access points one function addresses; past this, forget them all rather than track use.
const MAX_ENDPOINTS = 1024;

/** What an SDK credential provider answers: keys, and when they expire if they do. */
export type CredentialIdentity = SigningCredentials & { expiration?: Date };

/**
 * `provider`'s credentials, asked for again when they are about to expire (Lambda's and Cognito's
 * STS credentials rotate) or when asking failed; otherwise reused, without a round trip through the
 * SDK's own memoisation for every URL.
 */
export function cachedCredentials(provider: () => Promise<CredentialIdentity>, now: () => number): () => Promise<SigningCredentials> {
  let current: { credentials: Promise<CredentialIdentity>; refreshAt: number } | undefined;
  return () => {
    if (current === undefined || now() >= current.refreshAt) {
      const entry = { credentials: provider(), refreshAt: Number.POSITIVE_INFINITY };
      current = entry;
      entry.credentials.then(
        ({ expiration }) => {
          entry.refreshAt = expiration === undefined ? Number.POSITIVE_INFINITY : expiration.getTime() - CREDENTIALS_REFRESH_MS;
        },
        () => {
          if (current === entry) {
            current = undefined;
          }
        },
      );
    }
    return current.credentials;
  };
}

/**
 * Presigns object requests for `source`'s client: its endpoint rules, region and credentials,
 * resolved once per bucket (endpoint) or per credential lifetime, then plain SigV4 per URL. A
 * client built on first use is built by the first URL. `now` is the clock; tests pin it.
 */
export function clientPresigner(source: S3ClientSource, now: () => number = Date.now): ClientPresigner {
  const client = clientOf(source);
  const cache = new SigningCache();
  const credentials = cachedCredentials(async () => (await client()).config.credentials(), now);
  const endpoints = new Map<string, Promise<ObjectEndpoint | undefined>>();

  function endpointOf(bucket: string): Promise<ObjectEndpoint | undefined> {
    let endpoint = endpoints.get(bucket);
    if (endpoint === undefined) {
      if (endpoints.size >= MAX_ENDPOINTS) {
        endpoints.clear();
      }
      endpoint = client().then((resolved) => objectEndpoint(resolved, bucket));
      endpoints.set(bucket, endpoint);
      endpoint.catch(() => endpoints.delete(bucket));
    }
    return endpoint;
  }

  // A batch signs one key many times; a kilobyte key is worth escaping once.
  let lastKey = { key: "", path: "" };
  function pathOf(key: string): string {
    if (lastKey.key !== key) {
      lastKey = { key, path: objectPath(key) };
    }
    return lastKey.path;
  }

  return {
    async presign(request) {
      const [endpoint, identity] = await Promise.all([endpointOf(request.bucket), credentials()]);
      if (endpoint === undefined) {
        return undefined;
      }
      // Whole seconds, as X-Amz-Date has them, so expiresAt is exactly when S3 starts refusing.
      const signedAt = new Date(Math.floor(now() / 1000) * 1000);
      const url = presignUrl(
        {
          method: request.method,
          protocol: endpoint.protocol,
          host: endpoint.host,
          path: `${endpoint.basePath}/${pathOf(request.key)}`,
          query: request.query,
          headers: request.headers,
          region: endpoint.signingRegion,
          service: endpoint.signingName,
          expiresIn: request.expiresIn,
        },
        identity,
        signedAt,
        cache,
      );
      return { url, expiresAt: new Date(signedAt.getTime() + request.expiresIn * 1000).toISOString() };
    },
  };
}
