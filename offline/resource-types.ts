/**
 * Type tokens of the resources the program registers, by short name: how the offline harness, the
 * sandbox and the tests find a resource of a kind in a run.
 */
export const TYPE = {
  provider: "pulumi:providers:aws",
  hardenedBucket: "mobile-s3:storage:HardenedBucket",
  bucket: "aws:s3/bucket:Bucket",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  cors: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  notification: "aws:s3/bucketNotification:BucketNotification",
  key: "aws:kms/key:Key",
  api: "aws:apigatewayv2/api:Api",
  stage: "aws:apigatewayv2/stage:Stage",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  route: "aws:apigatewayv2/route:Route",
  integration: "aws:apigatewayv2/integration:Integration",
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  logSource: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  logDestination: "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
  logDelivery: "aws:cloudwatch/logDelivery:LogDelivery",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  distribution: "aws:cloudfront/distribution:Distribution",
  oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
  publicKey: "aws:cloudfront/publicKey:PublicKey",
  keyGroup: "aws:cloudfront/keyGroup:KeyGroup",
  headers: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
  signingKey: "tls:index/privateKey:PrivateKey",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  trail: "aws:cloudtrail/trail:Trail",
  accessPoint: "aws:s3/accessPoint:AccessPoint",
  table: "aws:dynamodb/table:Table",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
} as const;

/**
 * A bucket's companion resources, each naming the bucket in its `bucket` input; the v1 `…V2` tokens
 * the policy pack also matches are not used by this program.
 */
export const BUCKET_COMPANIONS = {
  policy: TYPE.policy,
  cors: TYPE.cors,
  lifecycle: TYPE.lifecycle,
  versioning: TYPE.versioning,
  publicAccessBlock: TYPE.publicAccessBlock,
  ownership: TYPE.ownership,
  encryption: TYPE.encryption,
  notification: TYPE.notification,
} as const;
