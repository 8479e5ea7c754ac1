import { cdnSessionFunction } from "./app";

// Module scope: configuration and logger are built once per cold start; the Secrets Manager
// client (and the SDK it needs) and the key on first use.
export const handler = cdnSessionFunction.createHandler(process.env);
