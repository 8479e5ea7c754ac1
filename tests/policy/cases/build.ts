import { type AnalyzerInput } from "../../harness/policy-pack";

/** A resource as the engine would describe it; `name` also makes its URN. */
export function resource(type: string, name: string, properties: Record<string, unknown>, extra: Partial<AnalyzerInput> = {}): AnalyzerInput {
  return { urn: `urn:pulumi:test::mobile-s3::${type}::${name}`, type, name, properties, ...extra };
}

/** A companion resource (policy, public access block…) whose `bucket` input depends on `bucket`. */
export function companion(type: string, name: string, bucket: AnalyzerInput, properties: Record<string, unknown>): AnalyzerInput {
  return resource(type, name, { bucket: (bucket.properties as { bucket?: string }).bucket, ...properties }, {
    dependencies: [bucket.urn],
    propertyDependencies: { bucket: [bucket.urn] },
  });
}

/** An IAM policy document as a JSON string, as programs usually pass it. */
export function policyJson(statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** A resource of a type no S3 rule concerns, for the not-applicable cases. */
export const unrelated = (name = "queue"): AnalyzerInput => resource("aws:sqs/queue:Queue", name, { name, visibilityTimeoutSeconds: 30 });
