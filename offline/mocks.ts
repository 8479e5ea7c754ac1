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

type Inputs = Record<string, unknown>;
interface Ctx {
  name: string;
  hex: string;
  inputs: Inputs;
  region: string;
  /** `<name>-<7 hex>`, as the provider auto-names. */
  autoName: string;
}

const A = MOCK_ACCOUNT_ID;
const str = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);

/**
 * What the providers compute when they create each resource type this program uses. Types not
 * listed get `<name>-<hex>` as id and, for AWS, a plausible ARN; add an entry when a test needs more.
 */
const COMPUTED: Record<string, (c: Ctx) => Computed> = {
  "aws:s3/bucket:Bucket": (c) => {
    const bucket = str(c.inputs.bucket, c.autoName);
    return {
      id: bucket,
      state: {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${c.region}.amazonaws.com`,
        region: c.region,
      },
    };
  },
  "aws:s3/accessPoint:AccessPoint": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return {
      id: `${A}:${name}`,
      state: { arn: `arn:aws:s3:${c.region}:${A}:accesspoint/${name}`, alias: `${name}-${c.hex.slice(0, 26)}-s3alias`, accountId: A },
    };
  },
  "aws:kms/key:Key": (c) => {
    const keyId = uuidFrom(c.hex);
    return { id: keyId, state: { keyId, arn: `arn:aws:kms:${c.region}:${A}:key/${keyId}` } };
  },
  "aws:iam/role:Role": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: name, state: { name, arn: `arn:aws:iam::${A}:role/${name}`, uniqueId: `AROA${c.hex.slice(0, 17).toUpperCase()}` } };
  },
  "aws:iam/policy:Policy": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: `arn:aws:iam::${A}:policy/${name}`, state: { name, arn: `arn:aws:iam::${A}:policy/${name}` } };
  },
  "aws:cognito/userPool:UserPool": (c) => {
    const id = `${c.region}_${c.hex.slice(0, 9)}`;
    return {
      id,
      state: { arn: `arn:aws:cognito-idp:${c.region}:${A}:userpool/${id}`, endpoint: `cognito-idp.${c.region}.amazonaws.com/${id}` },
    };
  },
  "aws:cognito/userPoolClient:UserPoolClient": (c) => ({ id: c.hex.slice(0, 26), state: {} }),
  "aws:cognito/identityPool:IdentityPool": (c) => {
    const id = `${c.region}:${uuidFrom(c.hex)}`;
    return { id, state: { arn: `arn:aws:cognito-identity:${c.region}:${A}:identitypool/${id}` } };
  },
  "aws:cloudfront/distribution:Distribution": (c) => {
    const id = `E${c.hex.slice(0, 13).toUpperCase()}`;
    return {
      id,
      state: {
        arn: `arn:aws:cloudfront::${A}:distribution/${id}`,
        domainName: `d${c.hex.slice(0, 13)}.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
        status: "Deployed",
      },
    };
  },
  // CloudFront public key ids look like K2JCJMDEHXQW5F: the cdn-session function refuses anything else.
  "aws:cloudfront/publicKey:PublicKey": (c) => ({ id: `K${c.hex.slice(0, 13).toUpperCase()}`, state: {} }),
  "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan": (c) => {
    const id = c.hex.slice(0, 20);
    return { id, state: { arn: `arn:aws:guardduty:${c.region}:${A}:malware-protection-plan/${id}`, status: "ACTIVE" } };
  },
  "aws:ecr/repository:Repository": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return {
      id: name,
      state: { name, arn: `arn:aws:ecr:${c.region}:${A}:repository/${name}`, registryId: A, repositoryUrl: `${A}.dkr.ecr.${c.region}.amazonaws.com/${name}` },
    };
  },
  // What docker-build reports after pushing: the manifest's digest, and the ref naming it.
  "docker-build:index:Image": (c) => {
    const digest = `sha256:${c.hex}`;
    const [tag] = Array.isArray(c.inputs.tags) ? (c.inputs.tags as string[]) : [];
    return { id: digest, state: { digest, ref: tag ? `${tag}@${digest}` : "" } };
  },
  "aws:lambda/function:Function": (c) => {
    const name = str(c.inputs.name, c.autoName);
    const arn = `arn:aws:lambda:${c.region}:${A}:function:${name}`;
    return {
      id: name,
      state: {
        name,
        arn,
        qualifiedArn: `${arn}:$LATEST`,
        invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        version: "$LATEST",
      },
    };
  },
  "aws:apigatewayv2/api:Api": (c) => {
    const id = c.hex.slice(0, 10);
    return {
      id,
      state: {
        apiEndpoint: `https://${id}.execute-api.${c.region}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${c.region}:${A}:${id}`,
        arn: `arn:aws:apigateway:${c.region}::/apis/${id}`,
      },
    };
  },
  "aws:apigatewayv2/stage:Stage": (c) => ({
    id: str(c.inputs.name, "$default"),
    state: { invokeUrl: `https://${c.hex.slice(0, 10)}.execute-api.${c.region}.amazonaws.com/` },
  }),
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = str(c.inputs.name, `${str(c.inputs.namePrefix, `${c.name}-`)}${c.hex.slice(0, 7)}`);
    return { id: name, state: { name, arn: `arn:aws:logs:${c.region}:${A}:log-group:${name}` } };
  },
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: name, state: { name, arn: `arn:aws:logs:${c.region}:${A}:delivery-source:${name}` } };
  },
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: name, state: { name, arn: `arn:aws:logs:${c.region}:${A}:delivery-destination:${name}` } };
  },
  "aws:cloudwatch/logDelivery:LogDelivery": (c) => {
    const id = c.hex.slice(0, 16);
    return { id, state: { arn: `arn:aws:logs:${c.region}:${A}:delivery:${id}` } };
  },
  "aws:cloudtrail/trail:Trail": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: name, state: { arn: `arn:aws:cloudtrail:${c.region}:${A}:trail/${name}` } };
  },
  "aws:sns/topic:Topic": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: `arn:aws:sns:${c.region}:${A}:${name}`, state: { arn: `arn:aws:sns:${c.region}:${A}:${name}` } };
  },
  "aws:sqs/queue:Queue": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return {
      id: `https://sqs.${c.region}.amazonaws.com/${A}/${name}`,
      state: { arn: `arn:aws:sqs:${c.region}:${A}:${name}`, url: `https://sqs.${c.region}.amazonaws.com/${A}/${name}` },
    };
  },
  "aws:dynamodb/table:Table": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: name, state: { name, arn: `arn:aws:dynamodb:${c.region}:${A}:table/${name}` } };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: name, state: { arn: `arn:aws:cloudwatch:${c.region}:${A}:alarm:${name}` } };
  },
  "aws:cloudwatch/eventRule:EventRule": (c) => {
    const name = str(c.inputs.name, c.autoName);
    return { id: name, state: { arn: `arn:aws:events:${c.region}:${A}:rule/${name}` } };
  },
  "tls:index/privateKey:PrivateKey": (c) => ({
    id: c.hex.slice(0, 40),
    state: {
      // Placeholders with the right shape; offline runs never sign anything with them.
      privateKeyPem: `-----BEGIN RSA PRIVATE KEY-----\nOFFLINE${c.hex}\n-----END RSA PRIVATE KEY-----\n`,
      publicKeyPem: `-----BEGIN PUBLIC KEY-----\nOFFLINE${c.hex}\n-----END PUBLIC KEY-----\n`,
      publicKeyFingerprintSha256: `SHA256:${c.hex.slice(0, 43)}`,
    },
  }),
};

/** What the providers would compute for a created resource, deterministically. */
export function computeResource(args: pulumi.runtime.MockResourceArgs, region: string): Computed {
  const hex = digest(args.type, args.name);
  const inputs = args.inputs as Inputs;
  // AWS provider v7 resources may name their own region; the rest use the provider's.
  const ctx: Ctx = { name: args.name, hex, inputs, region: str(inputs.region, region), autoName: `${args.name}-${hex.slice(0, 7)}` };
  const known = COMPUTED[args.type];
  if (known) {
    return known(ctx);
  }
  // Companion resources of a bucket (policy, versioning…) take the bucket's name as their id.
  const id = str(ctx.inputs.bucket, ctx.autoName);
  const [pkg, mod] = args.type.split(":");
  const kind = args.type.split(":").pop()!.toLowerCase();
  return { id, state: pkg === "aws" ? { arn: `arn:aws:${mod.split("/")[0]}:${ctx.region}:${A}:${kind}/${id}` } : {} };
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
    case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
      return {
        userName: "AWS",
        password: "offline-ecr-token",
        authorizationToken: Buffer.from("AWS:offline-ecr-token").toString("base64"),
        proxyEndpoint: `https://${MOCK_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com`,
        expiresAt: "2099-01-01T00:00:00Z",
        id: MOCK_ACCOUNT_ID,
      };
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
