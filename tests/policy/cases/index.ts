import { accessLoggingCases } from "./access-logging";
import { hardeningCases } from "./hardening";
import { publicAccessCases } from "./public-access";
import { tlsCases } from "./tls";
import { type PolicyCases } from "./types";
import { wildcardCases } from "./wildcard-policies";

/** Every policy's case table, by family. */
export const allCases: PolicyCases[] = [...publicAccessCases, ...wildcardCases, ...tlsCases, ...hardeningCases, ...accessLoggingCases];
