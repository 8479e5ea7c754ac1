import type * as ClientS3 from "@aws-sdk/client-s3";
import type * as S3RequestPresigner from "@aws-sdk/s3-request-presigner";
import { type S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/*
 * The S3 SDK is loaded on first use, never at module scope. Requiring `@aws-sdk/client-s3` is most
 * of a cold start's init (about 66 ms of a 100 ms init here), and a request that never reaches S3
 * (a 401, a 400, an event for another bucket) should not pay for it; a request that does pays it
 * once, on the first call. Only types are imported above: they cost nothing at run time, so a
 * bundle has no top-level `require` of the SDK (tests/infra/api/bundle.test.ts holds it to that).
 * bundleHandler turns these `import()`s into `require`s, which find the runtime's copy of the SDK.
 */

export type S3Module = typeof ClientS3;
export type S3PresignerModule = typeof S3RequestPresigner;

/** Checksums only where S3 requires them (by default the SDK computes and validates them on every request it supports). */
export const S3_CLIENT_DEFAULTS = {
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
} as const satisfies S3ClientConfig;

let s3Module: Promise<S3Module> | undefined;
let presignerModule: Promise<S3PresignerModule> | undefined;

/** `@aws-sdk/client-s3`, loaded by the first caller and shared with every later one. */
export function loadS3(): Promise<S3Module> {
  s3Module ??= import("@aws-sdk/client-s3");
  return s3Module;
}

/** `@aws-sdk/s3-request-presigner`: only presigning the fast presigner leaves to the SDK needs it. */
export function loadS3Presigner(): Promise<S3PresignerModule> {
  presignerModule ??= import("@aws-sdk/s3-request-presigner");
  return presignerModule;
}

/**
 * What the S3 adapters take: a client already built (the sandbox, the tests, the benchmarks), or
 * a function that builds one on first use (the functions, `lazyS3Client`).
 */
export type S3ClientSource = S3Client | (() => Promise<S3Client>);

/**
 * The client `config` describes, built by the first call (which loads the SDK) and shared by every
 * later one. A failed build is not remembered, so the next request tries again.
 */
export function lazyS3Client(config: S3ClientConfig = {}): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () => {
    client ??= loadS3()
      .then(({ S3Client }) => new S3Client({ ...S3_CLIENT_DEFAULTS, ...config }))
      .catch((err: unknown) => {
        client = undefined;
        throw err;
      });
    return client;
  };
}

/** The client of `source`, as a function that resolves it on first use. */
export function clientOf(source: S3ClientSource): () => Promise<S3Client> {
  if (typeof source === "function") {
    return source;
  }
  const client = Promise.resolve(source);
  return () => client;
}

/** The SDK module (for its commands) and the client to send them with, both loaded on first use. */
export function s3Connection(source: S3ClientSource): () => Promise<{ sdk: S3Module; client: S3Client }> {
  const client = clientOf(source);
  return async () => {
    const [sdk, resolved] = await Promise.all([loadS3(), client()]);
    return { sdk, client: resolved };
  };
}

/** Tags as S3's `x-amz-tagging` header (and the SDK's `Tagging` parameter) take them: a URL-encoded query string ("PutObject", x-amz-tagging). */
export const encodeTagging = (tags: Record<string, string>) => new URLSearchParams(tags).toString();
