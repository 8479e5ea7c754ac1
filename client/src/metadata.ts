import { checkMetadata } from "@mobile-s3/contract";
import { StorageError } from "./errors";

/**
 * An upload's custom metadata as the server will store it (keys lowercased, values NFC), checked
 * by the same rules `POST /v1/uploads` applies. A map the server would refuse fails here, before
 * any request, with the code it would answer, so an app handles both the same way.
 */
export function uploadMetadata(path: string, value: unknown): Record<string, string> {
  const checked = checkMetadata(value);
  if ("problem" in checked) {
    throw new StorageError(`start the upload of ${path}: metadata ${checked.problem}`, { code: "InvalidMetadata" });
  }
  return checked.metadata;
}

/** Whether two checked maps hold the same keys and values, in any order. */
export function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}
