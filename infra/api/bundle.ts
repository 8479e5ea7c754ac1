import { existsSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type BuildResult, buildSync, type Message } from "esbuild";
import { type FunctionName } from "./catalog";

/** `functions/` at the repository root, whatever the working directory. */
export const FUNCTIONS_DIR = path.resolve(__dirname, "../../functions");

/** Node version the Lambda runtime (`nodejs22.x`) runs. */
export const BUNDLE_TARGET = "node22";

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
 * copy costs hundreds of KB and tens of ms of cold start. No source map, so no absolute path of the
 * machine that built it ends up in the code; the same sources always give the same bytes, so an
 * unchanged function is never redeployed.
 */
export function bundleHandler(name: string, functionsDir: string = FUNCTIONS_DIR): string {
  const entry = path.join(functionsDir, name, "handler.ts");
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
      external: ["@aws-sdk/*"],
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

/** The deployable package of one function: its bundle as `index.js` (handler `index.handler`). */
export function handlerArchive(name: FunctionName): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler(name)) });
}
