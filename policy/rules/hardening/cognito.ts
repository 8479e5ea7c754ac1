import { type ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { known, UNKNOWN } from "../../lib/unknown";

export const IDENTITY_POOL_TYPE = "aws:cognito/identityPool:IdentityPool";
export const IDENTITY_POOL_ROLES_TYPE = "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment";
export const USER_POOL_CLIENT_TYPE = "aws:cognito/userPoolClient:UserPoolClient";

export const awsCognitoIdentitypoolDisallowUnauthenticatedAccess: ResourceValidationPolicy = {
  name: "aws-cognito-identitypool-disallow-unauthenticated-access",
  description: "Checks that Cognito identity pools give AWS credentials to signed-in users only, never to unauthenticated (guest) identities.",
  enforcementLevel: "advisory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (args.type === IDENTITY_POOL_TYPE) {
      const allowed = known(() => args.props.allowUnauthenticatedIdentities);
      if (allowed === true) {
        reportViolation(
          `Identity pool "${args.name}" hands out AWS credentials to unauthenticated identities: set allowUnauthenticatedIdentities to false; the app signs users in before it reaches S3.`,
        );
      }
      return;
    }
    if (args.type === IDENTITY_POOL_ROLES_TYPE) {
      const role = known(() => (args.props.roles as Record<string, unknown> | undefined)?.unauthenticated);
      if (role !== UNKNOWN && role !== undefined && role !== null && role !== "") {
        reportViolation(
          `Identity pool role attachment "${args.name}" gives unauthenticated identities a role: remove roles.unauthenticated.`,
        );
      }
      return;
    }
    return args.notApplicable("Only Cognito identity pools and their role attachments hand out credentials to identities.");
  },
};

interface TenantWriteConfig {
  tenantAttributes: string[];
}

export const awsCognitoUserpoolclientDisallowTenantWrite: ResourceValidationPolicy = {
  name: "aws-cognito-userpoolclient-disallow-tenant-write",
  description: "Checks that Cognito user pool app clients list their writable attributes and that users cannot write the tenant attribute.",
  enforcementLevel: "advisory",
  severity: "high",
  configSchema: {
    properties: {
      tenantAttributes: {
        type: "array",
        items: { type: "string" },
        default: ["custom:tenant"],
        description: "Attributes that decide what data a user reaches (mapped to principal tags); users must never write them.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    onlyFor(args, USER_POOL_CLIENT_TYPE, "Only Cognito user pool app clients grant users write access to attributes.");
    const { tenantAttributes } = args.getConfig<TenantWriteConfig>();
    const write = known(() => args.props.writeAttributes);
    if (write === UNKNOWN) {
      return;
    }
    const listed = Array.isArray(write) ? Array.from({ length: write.length }, (_, i) => known(() => write[i])) : [];
    if (listed.length === 0) {
      // Without writeAttributes Cognito lets users write every writable attribute.
      reportViolation(
        `App client "${args.name}" sets no writeAttributes, so users may write every writable attribute: ` +
          `list only the attributes users may change (for example ["email"]), never ${tenantAttributes.join(", ")}.`,
      );
      return;
    }
    for (const attribute of listed.filter((a): a is string => typeof a === "string" && tenantAttributes.includes(a))) {
      reportViolation(
        `App client "${args.name}" lets users write ${attribute}, which decides the data they reach: remove it from writeAttributes; only administrators set it.`,
      );
    }
  },
};
