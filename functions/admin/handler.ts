import { adminFunction } from "./app";

// Module scope: configuration and logger are built once per cold start; DynamoDB and Cognito
// clients (and their SDKs) with the first revocation.
export const handler = adminFunction.createHandler(process.env);
