import { createUploadsHandler } from "./app";

// Module scope: configuration, logger and S3 client are built once per cold start.
export const handler = createUploadsHandler(process.env);
