import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** The account every offline run pretends to be in. 12 digits, obviously not real. */
export const MOCK_ACCOUNT_ID = "123456789012";

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex");
}

/** A stable, UUID-shaped id (KMS key ids look like this). */
function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Computed {
  id: string;
  state: Record<string, unknown>;
}

/** What the AWS provider would compute for a created resource, deterministically. */
export function computeResource(args: pulumi.runtime.MockResourceArgs, region: string): Computed {
  const hex = digest(args.type, args.name);
  const inputs = args.inputs as Record<string, unknown>;
  const autoName = `${args.name}-${hex.slice(0, 7)}`;
  switch (args.type) {
    case "aws:s3/bucket:Bucket": {
      const bucket = typeof inputs.bucket === "string" ? inputs.bucket : autoName;
      return {
        id: bucket,
        state: {
          bucket,
          arn: `arn:aws:s3:::${bucket}`,
          bucketDomainName: `${bucket}.s3.amazonaws.com`,
          bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
          region,
        },
      };
    }
    case "aws:kms/key:Key": {
      const keyId = uuidFrom(hex);
      return { id: keyId, state: { keyId, arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${keyId}` } };
    }
    case "aws:iam/role:Role": {
      const name = typeof inputs.name === "string" ? inputs.name : autoName;
      return { id: name, state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}`, uniqueId: `AROA${hex.slice(0, 17).toUpperCase()}` } };
    }
    default: {
      // Companion resources of a bucket (policy, versioning…) take the bucket's name as their id.
      const id = typeof inputs.bucket === "string" ? inputs.bucket : autoName;
      const [pkg, mod] = args.type.split(":");
      const kind = args.type.split(":").pop()!.toLowerCase();
      return { id, state: pkg === "aws" ? { arn: `arn:aws:${mod.split("/")[0]}:${region}:${MOCK_ACCOUNT_ID}:${kind}/${id}` } : {} };
    }
  }
}

/** Answers for the provider functions (`aws.get…`) the program calls. */
export function computeCall(args: pulumi.runtime.MockCallArgs, region: string): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`,
        userId: "AIDAOFFLINE",
        id: MOCK_ACCOUNT_ID,
      };
    case "aws:index/getRegion:getRegion":
      return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
    default:
      throw new Error(`the offline runner has no answer for ${args.token}; add one to offline/mocks.ts`);
  }
}

/**
 * Mocks standing in for the AWS provider. In preview they return only the inputs, so computed
 * values (ids, ARNs) stay unknown exactly as in `pulumi preview`; otherwise they return stable fakes.
 */
export function awsMocks(region: string, preview: boolean): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      if (preview) {
        return { id: undefined, state: args.inputs };
      }
      if (!args.custom) {
        return { id: undefined, state: {} };
      }
      const computed = computeResource(args, region);
      return { id: computed.id, state: { ...args.inputs, ...computed.state } };
    },
    call(args) {
      return computeCall(args, region);
    },
  };
}
