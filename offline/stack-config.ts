import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { type ConfigKeyName, parseStackConfig, type StackConfig } from "../infra/config";

/** The repository root: where Pulumi.yaml lives. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

interface ProjectConfigKey {
  type?: "string" | "integer" | "boolean" | "array";
  default?: unknown;
  description?: string;
  secret?: boolean;
}

export interface ProjectFile {
  name: string;
  main?: string;
  config: Record<string, ProjectConfigKey>;
}

/** Config exactly as the Pulumi CLI hands it to a program: fully qualified keys, string values. */
export interface ResolvedConfig {
  project: string;
  stack: string;
  values: Record<string, string>;
  secretKeys: string[];
}

/** A stack config the offline runner refuses. The message names the key. */
export class StackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackConfigError";
  }
}

/** Stands in for a `secure:` value: offline runs cannot decrypt it, and nothing may print it. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-for-an-encrypted-secret";

export function readProjectFile(root = PROJECT_ROOT): ProjectFile {
  const doc = parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as Partial<ProjectFile>;
  if (!doc.name) {
    throw new StackConfigError(`${path.join(root, "Pulumi.yaml")} has no project name`);
  }
  return { name: doc.name, main: doc.main, config: doc.config ?? {} };
}

/** Reads `Pulumi.<stack>.yaml` (or another file in the same format) into a key → value map. */
export function readStackFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) {
    throw new StackConfigError(`no stack config file at ${file}`);
  }
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return doc?.config ?? {};
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function checkType(key: string, type: ProjectConfigKey["type"], value: string): void {
  const ok =
    type === "integer" ? /^-?\d+$/.test(value) : type === "boolean" ? value === "true" || value === "false" : true;
  if (!ok) {
    throw new StackConfigError(`config key ${key} must be of type ${type}, got "${value}"`);
  }
}

/**
 * Resolves a stack's config the way the CLI does: Pulumi.yaml defaults, overlaid by the stack file,
 * overlaid by `overrides`. Structured values become JSON strings; `secure:` values become a
 * placeholder marked secret. Keys of this project that Pulumi.yaml does not declare are refused,
 * so a typo fails loudly instead of silently falling back to a default.
 */
export function resolveStackConfig(opts: {
  stack: string;
  configFile?: string;
  overrides?: Record<string, unknown>;
  root?: string;
}): ResolvedConfig {
  const root = opts.root ?? PROJECT_ROOT;
  const project = readProjectFile(root);
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();

  for (const [key, schema] of Object.entries(project.config)) {
    if (schema.default !== undefined) {
      values[qualify(project.name, key)] = encode(schema.default);
    }
  }
  const file = opts.configFile ?? path.join(root, `Pulumi.${opts.stack}.yaml`);
  const layers = [readStackFile(file), opts.overrides ?? {}];
  for (const layer of layers) {
    for (const [rawKey, value] of Object.entries(layer)) {
      const key = qualify(project.name, rawKey);
      const [namespace, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      const schema = project.config[name];
      if (namespace === project.name && schema === undefined) {
        throw new StackConfigError(`config key ${key} is not declared in Pulumi.yaml; check its spelling`);
      }
      if (isSecure(value)) {
        values[key] = OFFLINE_SECRET_PLACEHOLDER;
        secretKeys.add(key);
        continue;
      }
      values[key] = encode(value);
      secretKeys.delete(key);
      if (namespace === project.name) {
        checkType(key, schema.type, values[key]);
      }
    }
  }
  return { project: project.name, stack: opts.stack, values, secretKeys: [...secretKeys] };
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && "secure" in (value as object);
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The resolved config as the program parses it (limits, tenants, profile…), with its checks. */
export function parseResolvedConfig(resolved: ResolvedConfig): StackConfig {
  return parseStackConfig((key: ConfigKeyName) => resolved.values[`${resolved.project}:${key}`], resolved.stack);
}
