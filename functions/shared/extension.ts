import { extensionMismatch } from "@mobile-s3/contract";
import { badRequest } from "./errors";

/** Answers 400 ExtensionMismatch when `path`'s extension is not one `contentType` allows. */
export function checkExtension(path: string, contentType: string): void {
  const mismatch = extensionMismatch(path, contentType);
  if (mismatch !== undefined) {
    throw badRequest("ExtensionMismatch", mismatch);
  }
}
