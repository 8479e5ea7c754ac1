/**
 * CloudFront's quota "Public keys in a single key group" (CloudFront developer guide, Quotas): a key
 * group holding more is refused with TooManyPublicKeysInKeyGroup.
 */
export const MAX_PUBLIC_KEYS_PER_KEY_GROUP = 5;

/**
 * Rotation needs two keys at most: the one old cookies were signed with and the one new cookies are
 * signed with (docs/cdn-key-rotation.md). A third would be trusted but never sign anything.
 */
export const MAX_SIGNING_KEYS = 2;

export const DEFAULT_SIGNING_KEYS: readonly string[] = ["k1"];

export const SIGNING_KEY_NAME = /^[a-z0-9-]{1,32}$/;

/**
 * Checks a list of signing-key names: at least one, at most `max`, each unique and matching
 * `SIGNING_KEY_NAME` (it becomes part of two resource names). `argument` is named in the message.
 */
export function assertSigningKeys(keys: readonly string[], argument: string, max: number): void {
  if (keys.length === 0 || keys.length > max) {
    throw new Error(`[${argument}] must list 1 to ${max} key names (the current key, then the next while rotating), got ${keys.length}`);
  }
  const seen = new Set<string>();
  for (const key of keys) {
    if (!SIGNING_KEY_NAME.test(key)) {
      throw new Error(`[${argument}] names must be 1 to 32 lowercase letters, digits or hyphens, got "${key}"`);
    }
    if (seen.has(key)) {
      throw new Error(`[${argument}] lists "${key}" twice`);
    }
    seen.add(key);
  }
}

/** The names of the two children one signing key gets, derived from the key's name alone. */
export function signingKeyChildNames(component: string, key: string): { privateKey: string; publicKey: string } {
  return { privateKey: `${component}-signing-key-${key}`, publicKey: `${component}-public-key-${key}` };
}

/**
 * Before keys were named, the one key's children were `<component>-signing-key` and
 * `<component>-public-key`; the default key "k1" carries those names as aliases, so a stack deployed
 * then keeps its key (and every cookie signed with it) instead of replacing it.
 */
export function legacyChildNames(component: string, key: string): { privateKey: string; publicKey: string } | undefined {
  return key === DEFAULT_SIGNING_KEYS[0] ? { privateKey: `${component}-signing-key`, publicKey: `${component}-public-key` } : undefined;
}
