// @pulumi/policy throws UnknownValueError when a rule reads a value that is unknown during preview.
// Its typings keep the class internal, so it is loaded at run time from the module that throws it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

export function isUnknownValueError(err: unknown): boolean {
  return err instanceof UnknownValueError;
}

/** A value a preview has not computed yet; `pulumi up` analyzes again with the real one. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Known<T> = T | typeof UNKNOWN;

/**
 * Reads a property that may be unknown in a preview, telling unknown apart from absent: an absent
 * setting can be a finding, an unknown one never is (yet).
 */
export function known<T>(read: () => T): Known<T> {
  try {
    return read();
  } catch (err) {
    if (isUnknownValueError(err)) {
      return UNKNOWN;
    }
    throw err;
  }
}

/**
 * Reads values that may be unknown in a preview (a new bucket's policy embeds its ARN). Returns
 * undefined for those instead of failing the whole rule: `pulumi up` analyzes again with real values.
 */
export function knownOrSkip<T>(read: () => T): T | undefined {
  const value = known(read);
  return value === UNKNOWN ? undefined : value;
}
