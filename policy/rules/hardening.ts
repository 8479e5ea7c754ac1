import { type Policies } from "@pulumi/policy";

/** Beyond the card: encryption, rotation, versioning, lifecycle, CORS, CloudFront origins, identity, functions. */
export const hardeningPolicies: Policies = [];
