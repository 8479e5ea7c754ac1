import { knownOrSkip } from "./unknown";

/** The four settings of every S3 public access block: a bucket's, an access point's and the account's. */
export const PUBLIC_ACCESS_BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/**
 * Reads a value that may be unknown in a preview, telling "unknown" (undefined) apart from "not set"
 * (`{ value: undefined }`), which `knownOrSkip` alone cannot.
 */
export function known<T>(read: () => T): { value: T } | undefined {
  return knownOrSkip(() => ({ value: read() }));
}

/**
 * The flags of a block that are not known to be `true`. A flag left out counts as off: the pack
 * judges what the program declares, not a provider default it cannot see. A flag (or the whole
 * block) unknown in a preview is not reported: `pulumi up` analyzes again with real values.
 */
export function flagsNotOn(readBlock: () => unknown): string[] {
  const block = known(readBlock);
  if (block === undefined) {
    return [];
  }
  const value = block.value;
  if (value === undefined || value === null || typeof value !== "object") {
    return [...PUBLIC_ACCESS_BLOCK_FLAGS];
  }
  return PUBLIC_ACCESS_BLOCK_FLAGS.filter((flag) => {
    const setting = known(() => (value as Record<string, unknown>)[flag]);
    return setting !== undefined && setting.value !== true;
  });
}

/** "blockPublicPolicy" or "blockPublicAcls and ignorePublicAcls", for violation messages. */
export function listOf(names: readonly string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * The finding for a block whose flags are not all known to be on: `<subject> leaves … off[ <where>]:
 * set all four flags to true[ (<note>)].` Undefined when every flag is on, or still unknown.
 */
export function flagsOffProblem(readBlock: () => unknown, subject: string, detail: { where?: string; note?: string } = {}): string | undefined {
  const off = flagsNotOn(readBlock);
  if (off.length === 0) {
    return undefined;
  }
  const where = detail.where === undefined ? "" : ` ${detail.where}`;
  const note = detail.note === undefined ? "" : ` (${detail.note})`;
  return `${subject} leaves ${listOf(off)} off${where}: set all four flags to true${note}.`;
}
