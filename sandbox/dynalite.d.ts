// dynalite 4 ships no types: the part of its API the sandbox and the tests call.
declare module "dynalite" {
  import { type Server } from "node:http";

  interface DynaliteOptions {
    /** The LevelDB directory; in memory without one. */
    path?: string;
    /** How long a table stays CREATING, DELETING, UPDATING. @default 500 */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** @default 400 */
    maxItemSizeKb?: number;
    ssl?: boolean;
    verbose?: boolean;
  }

  /** An HTTP server speaking DynamoDB's JSON protocol; not listening yet. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
