// A Pulumi program of another team, built from the `mobile-s3` component library instead of this
// repository's profiles: its own names and tags, one app user pool, pooled storage with one
// access-point tenant, and a media bucket; two children adjusted through `transform`.
// Run it with `pulumi up` from a project whose `main` is this file, or under mocks (tests/library).
import * as pulumi from "@pulumi/pulumi";
import { HardenedBucket, Identity, type LifecycleSettings, physicalName, TenantStorage } from "mobile-s3";

/** The lifecycle rule this program adds to the pooled bucket's own (Lifecycle hygiene). */
export const EXPIRE_SCRATCH = {
  id: "expire-scratch",
  status: "Enabled",
  filter: { prefix: "scratch/" },
  expiration: { days: 1 },
} as const;

export interface ConsumerProgram {
  pooledBucket: pulumi.Output<string>;
  mediaBucket: pulumi.Output<string>;
  userPoolId: pulumi.Output<string>;
}

export function consumerProgram(): ConsumerProgram {
  const app = "photos";
  const env = "qa";
  const name = (purpose: string) => physicalName({ parts: [app, env, purpose], maxLength: 40, charset: /^[a-z0-9-]+$/ });
  const tags = { team: "media", env };
  const lifecycle: LifecycleSettings = { abortIncompleteUploadDays: 2, noncurrentVersionExpirationDays: 14, infrequentAccessAfterDays: 0, objectExpirationDays: 0 };

  const identity = new Identity(name("identity"), {
    callbackUrls: ["photos://auth/callback"],
    names: { app, environment: env },
    protectUserPool: false,
    tags,
  });
  const storage = new TenantStorage(name("storage"), {
    namePrefix: `${app}-${env}`,
    deploymentKey: `${pulumi.getProject()}/${pulumi.getStack()}`,
    tenants: [{ id: "acme", tier: "accessPoint", dedicatedKey: false }],
    appRole: identity.authenticatedRole,
    keyUserArns: identity.authenticatedRole.arn.apply((arn) => [arn]),
    lifecycle,
    forceDestroy: true,
    tags,
    transform: {
      pooledBucket: {
        // A function transform: mutate the args the component computed.
        bucket: (args) => {
          args.tags = { ...args.tags, backup: "daily" };
        },
        // Or return replacement args.
        lifecycle: (args) => ({ ...args, rules: pulumi.output(args.rules).apply((rules) => [...(rules ?? []), EXPIRE_SCRATCH]) }),
      },
    },
  });
  // A partial-args transform: merged over the key's args.
  const media = new HardenedBucket(name("media"), { lifecycle, tags, transform: { key: { deletionWindowInDays: 7 } } });

  return { pooledBucket: storage.pooled.bucketName, mediaBucket: media.bucketName, userPoolId: identity.userPool.id };
}
