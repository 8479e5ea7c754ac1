import { createCdnSessionHandler } from "./app";

// Module scope: configuration and logger are built once per cold start, the key on first use.
export const handler = createCdnSessionHandler(process.env);
