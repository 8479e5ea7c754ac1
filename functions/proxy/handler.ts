import { createProxyHandler } from "./app";

// Module scope: configuration, logger, S3 client and scanner are built once per cold start.
export const handler = createProxyHandler(process.env);
