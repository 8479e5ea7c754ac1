import { type Policies } from "@pulumi/policy";
import { withCheapNotApplicable } from "./lib/not-applicable";
import { hardeningPolicies } from "./rules/hardening";
import { publicAccessPolicies } from "./rules/public-access";
import { tlsPolicies } from "./rules/tls";
import { wildcardPolicies } from "./rules/wildcard";

/** Every rule of the pack, by family. Kept apart from index.ts so tests can import it without starting a server. */
export const policies: Policies = withCheapNotApplicable([...publicAccessPolicies, ...wildcardPolicies, ...tlsPolicies, ...hardeningPolicies]);
