/** The command line was wrong; the message says what to change. Exit code 2, before any request is sent. */
export { UsageError } from "../../offline/command-line";

/**
 * The command was right but could not be carried out (the stack, the credentials or Cognito said
 * no). Exit code 1; the message is one line saying what happened and what to do about it, and never
 * holds a credential, a token or a temporary password.
 */
export class AdminError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AdminError";
  }
}
