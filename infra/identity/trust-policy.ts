import { type PolicyDocument, policyDocument } from "../iam/policy-document";

/**
 * Trust policy of the identity pool's authenticated role: only identities of *this* pool (`aud`)
 * that signed in (`amr` = authenticated) may assume it, and may carry principal tags into the
 * session (`sts:TagSession`), which is how `tenant` and `home` reach the access policy.
 */
export function authenticatedRoleTrustPolicy(identityPoolId: string): PolicyDocument {
  if (!/^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f-]{36}$/.test(identityPoolId)) {
    throw new Error(`[identityPoolId] must look like <region>:<uuid>, got "${identityPoolId}"`);
  }
  return policyDocument([
    {
      Sid: "IdentityPoolAuthenticatedUsers",
      Effect: "Allow",
      Principal: { Federated: "cognito-identity.amazonaws.com" },
      Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
      Condition: {
        StringEquals: { "cognito-identity.amazonaws.com:aud": identityPoolId },
        "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
      },
    },
  ]);
}
