import { objectsFunction } from "./app";

// Module scope: configuration and logger are built once per cold start; the S3 client (and the
// SDK it needs) with the first S3 call, so a request that never reaches S3 does not load it.
export const handler = objectsFunction.createHandler(process.env);
