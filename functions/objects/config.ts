import { type Env, ENV, LIMIT_BOUNDS, requireInteger } from "@mobile-s3/contract";
import { type ObjectScope, readObjectScope } from "../shared/settings";

export interface ObjectsConfig extends ObjectScope {
  /** How long a download URL lives (Short lifetimes). */
  presignTtlSeconds: number;
}

export function loadObjectsConfig(env: Env): ObjectsConfig {
  return { ...readObjectScope(env), presignTtlSeconds: requireInteger(env, ENV.presignTtlSeconds, LIMIT_BOUNDS.presignTtlSeconds) };
}
