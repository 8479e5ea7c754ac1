import { type Readable } from "node:stream";
import { UsageError } from "./errors";

/** Cognito's longest password (Quotas in Amazon Cognito: 256 characters). */
const PASSWORD_MAX = 256;

/**
 * Reads the temporary password from a pipe (a password manager, a secrets tool), never from the
 * terminal, where it would echo. One trailing newline is dropped; the value is never printed.
 */
export async function readTemporaryPassword(input: Readable & { isTTY?: boolean }): Promise<string> {
  if (input.isTTY) {
    throw new UsageError("--temporary-password-from-stdin reads a pipe, not the terminal (it would echo): e.g. `pass show ann | npm run admin -- users create …`");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  }
  const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (password === "") {
    throw new UsageError("--temporary-password-from-stdin got nothing on stdin: pipe the password in");
  }
  if (password.length > PASSWORD_MAX || /[\r\n]/.test(password)) {
    throw new UsageError(`--temporary-password-from-stdin takes one line of at most ${PASSWORD_MAX} characters`);
  }
  return password;
}
