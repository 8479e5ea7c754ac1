import { type StackConfig } from "../config";
import { type ProgramOutputs, stackAuditTrail, stackIdentity, stackOutputs, stackStorage } from "./stack";

/**
 * Reference architecture A, "serverless minimal": Cognito and direct S3. The app signs in, gets
 * short-lived credentials for the one app role (No long-lived credentials), and reads and writes its
 * home in the tenant's storage; an audit trail records every data event when the stack asks.
 */
export function minimalProfile(config: StackConfig): ProgramOutputs {
  const identity = stackIdentity(config);
  const storage = stackStorage(config, identity, {
    keyUserArns: identity.authenticatedRole.arn.apply((app) => [app]),
    eventBridge: false,
  });
  const trail = stackAuditTrail(config, storage);
  return stackOutputs(config, { identity, storage, trail });
}
