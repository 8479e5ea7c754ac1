import * as pulumi from "@pulumi/pulumi";

/**
 * The escape hatch of every component, in SST's style: how to adjust one child resource before it
 * is created. Either a partial args object, merged over the args the component computed (top-level
 * keys replace the component's), or a function that receives the child's args, resource options and
 * name, and mutates them in place or returns replacement args.
 *
 * @example
 * new HardenedBucket("media", {
 *   lifecycle,
 *   transform: {
 *     bucket: (args) => {
 *       args.tags = { ...args.tags, backup: "daily" };
 *     },
 *     lifecycle: { rules: [...] },
 *   },
 * });
 */
export type Transform<T> = Partial<T> | ((args: T, opts: pulumi.CustomResourceOptions, name: string) => T | void);

/** One optional `Transform` per named child: `Transforms<{ bucket: aws.s3.BucketArgs }>` is `{ bucket?: Transform<aws.s3.BucketArgs> }`. */
export type Transforms<Children extends object> = { [K in keyof Children]?: Transform<Children[K]> };

/** The arguments every component takes besides its own: one `tags`, one `transform` per child. */
export interface ComponentArgs<Children extends object> {
  /**
   * Tags for every child whose AWS type takes tags, nested components' children included; a child's
   * own tags win. Provider `defaultTags` combine with these.
   * @default none
   */
  tags?: Record<string, string>;
  /** Adjusts children before they are created; see `Transform`. @default none */
  transform?: Children;
}

/** Applies `transform` to a child's args and options; what the child is then created with. */
export function applyTransform<T extends object>(
  transform: Transform<T> | undefined,
  name: string,
  args: T,
  opts: pulumi.CustomResourceOptions,
): { args: T; opts: pulumi.CustomResourceOptions } {
  if (typeof transform === "function") {
    const replaced = transform(args, opts, name);
    return { args: replaced ?? args, opts };
  }
  return { args: transform ? { ...args, ...transform } : args, opts };
}

/**
 * AWS resource types this library tags with its components' `tags`, by type token. Only these: the
 * set is exactly the children that carry tags, so tagging never reaches a resource whose `tags`
 * means something else (a docker-build image's tags are image references).
 */
const TAGGED_TYPES = new Set([
  "aws:s3/bucket:Bucket",
  "aws:kms/key:Key",
  "aws:iam/role:Role",
  "aws:cognito/userPool:UserPool",
  "aws:cognito/identityPool:IdentityPool",
  "aws:lambda/function:Function",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
  "aws:cloudwatch/logDelivery:LogDelivery",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:apigatewayv2/api:Api",
  "aws:apigatewayv2/stage:Stage",
  "aws:secretsmanager/secret:Secret",
  "aws:cloudfront/distribution:Distribution",
  "aws:cloudtrail/trail:Trail",
  "aws:sns/topic:Topic",
  "aws:ecr/repository:Repository",
  "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan",
  "aws:dynamodb/table:Table",
  "aws:sqs/queue:Queue",
]);

/** A resource class as the providers generate them: a constructor and its type token. */
export type ResourceClass<A, R> = new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R;

/** The type token a generated resource class carries (a static the SDKs set but do not declare). */
function typeToken(ctor: object): string | undefined {
  return (ctor as { __pulumiType?: string }).__pulumiType;
}

/**
 * What every component of this library shares: the child factory that parents a child to the
 * component, tags it when its type takes tags, and applies the caller's transform last.
 */
export abstract class LibraryComponent extends pulumi.ComponentResource {
  /** Tags every taggable child gets; a child's own tags win. */
  private readonly childTags: Record<string, string> | undefined;

  protected constructor(type: string, name: string, tags: Record<string, string> | undefined, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.childTags = tags;
  }

  /**
   * Creates one child resource: `{ parent: this, ...opts }`, the component's tags when the type is
   * taggable, then `transform`.
   */
  protected child<A extends object, R extends pulumi.Resource>(
    ctor: ResourceClass<A, R>,
    name: string,
    args: A,
    transform?: Transform<A>,
    opts: Omit<pulumi.CustomResourceOptions, "parent"> = {},
  ): R {
    const tagged = this.childTags && TAGGED_TYPES.has(typeToken(ctor) ?? "") ? withTags(args, this.childTags) : args;
    const applied = applyTransform(transform, name, tagged, { parent: this, ...opts });
    return new ctor(name, applied.args, applied.opts);
  }
}

function withTags<A extends object>(args: A, tags: Record<string, string>): A {
  const own = (args as { tags?: Record<string, string> }).tags;
  return { ...args, tags: own ? { ...tags, ...own } : tags };
}
