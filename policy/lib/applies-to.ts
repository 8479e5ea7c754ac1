/** What a rule needs of its args to decline a resource. */
interface Declinable {
  type: string;
  notApplicable(reason?: string): never;
}

/**
 * Ends the rule as not applicable, with `reason`, unless the resource is of `types` (one token, or
 * a set of current and legacy tokens).
 */
export function onlyFor(args: Declinable, types: string | ReadonlySet<string>, reason: string): void {
  if (typeof types === "string" ? args.type !== types : !types.has(args.type)) {
    args.notApplicable(reason);
  }
}
