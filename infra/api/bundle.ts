import { type FunctionName } from "@mobile-s3/contract";
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type BuildResult, buildSync, type Message } from "esbuild";

/** `functions/` at the repository root, whatever the working directory. */
export const FUNCTIONS_DIR = path.resolve(__dirname, "../../functions");

/** Node version the Lambda runtime (`nodejs22.x`) runs. */
export const BUNDLE_TARGET = "node22";

/** Packages the Lambda runtime leaves to the function: everything under this scope, except the ones below. */
export const RUNTIME_SDK_SCOPE = "@aws-sdk/";

/**
 * SDK packages a function ships itself: the runtime's copy of SDK v3 is whatever package set Lambda
 * chose to include, which is not guaranteed to hold utility libraries such as the CloudFront signer.
 */
export const BUNDLED_SDK_PACKAGES: readonly string[] = ["@aws-sdk/cloudfront-signer"];

/**
 * esbuild marks `@aws-sdk/*` external by pattern; an alias to the installed package's directory
 * takes a bundled package out of that pattern's reach, so esbuild bundles it like any dependency.
 */
function bundledSdkAliases(): Record<string, string> {
  return Object.fromEntries(BUNDLED_SDK_PACKAGES.map((name) => [name, path.dirname(require.resolve(`${name}/package.json`))]));
}

/** A function's handler could not be bundled; the message names the function. */
export class BundleError extends Error {
  constructor(
    readonly functionName: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot bundle function "${functionName}": ${detail}`, options);
    this.name = "BundleError";
  }
}

function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : "";
  return `${where}${message.text}`;
}

/**
 * Bundles `functions/<name>/handler.ts` and everything it imports into one minified CommonJS file
 * for the Lambda Node.js 22 runtime. The AWS SDK v3 is left out: the runtime ships it, and a bundled
 * copy costs hundreds of KB and tens of ms of cold start; the SDK packages it is not guaranteed to
 * ship (`BUNDLED_SDK_PACKAGES`) are bundled. Node built-ins stay `require`s of the runtime's own
 * modules. No source map, so no absolute path of the machine that built it ends up in the code; the
 * same sources always give the same bytes, so an unchanged function is never redeployed. An SDK
 * package a function loads on first use (`import()`) stays a `require` inside that function, not
 * one at the top of the bundle.
 */
export function bundleHandler(name: string, functionsDir: string = FUNCTIONS_DIR, entryFile = "handler.ts"): string {
  const entry = path.join(functionsDir, name, entryFile);
  if (!existsSync(entry)) {
    throw new BundleError(name, `${path.relative(process.cwd(), entry)} does not exist`);
  }
  let result: BuildResult;
  try {
    result = buildSync({
      entryPoints: [entry],
      absWorkingDir: functionsDir,
      bundle: true,
      platform: "node",
      target: BUNDLE_TARGET,
      format: "cjs",
      minify: true,
      sourcemap: false,
      legalComments: "none",
      external: [`${RUNTIME_SDK_SCOPE}*`],
      alias: bundledSdkAliases(),
      // The functions load the SDK on first use with `import()`. Left as is, that is an ES module
      // import, which resolves packages without NODE_PATH and so misses the runtime's copy of the
      // SDK; as a `require` inside a promise it finds it, as a top-level `require` would.
      supported: { "dynamic-import": false },
      write: false,
      logLevel: "silent",
    });
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors ?? [];
    const detail = errors.length > 0 ? errors.map(describe).join("; ") : String(err);
    throw new BundleError(name, detail, { cause: err });
  }
  const [output] = result.outputFiles ?? [];
  if (!output) {
    throw new BundleError(name, "esbuild produced no output");
  }
  return output.text;
}

/**
 * A `ControlPlane` `functionCode` for a folder laid out like this package's `functions/`: function
 * `fn` is `<functionsDir>/<fn>/handler.ts`, bundled as `handlerArchive` bundles it.
 */
export function bundledFunctions(functionsDir: string): (fn: FunctionName) => pulumi.asset.AssetArchive {
  return (fn) => new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler(fn, functionsDir)) });
}

/** The deployable package of one function: its bundle as `index.js` (handler `index.handler`). */
export function handlerArchive(name: FunctionName): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler(name)) });
}
