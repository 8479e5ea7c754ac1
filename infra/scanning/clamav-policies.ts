import { DEFINITIONS_LAYOUT } from "@mobile-s3/contract";
import { type PolicyDocument, policyDocument, type PolicyStatement } from "../iam/policy-document";
import { logStatement } from "../api/function-policies";

/**
 * What the scanning functions (scan, proxy) need of the definitions bucket: reading the manifest and
 * the signature files, nothing else (no listing, no writing, no freshclam state). Decryption comes
 * from the bucket key's policy, which names their roles (HardenedBucket `keyUserArns`).
 */
export function definitionsReadStatements(bucketArn: string): PolicyStatement[] {
  return [
    {
      Sid: "ReadClamAvDefinitions",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: [`${bucketArn}/${DEFINITIONS_LAYOUT.manifestKey}`, `${bucketArn}/${DEFINITIONS_LAYOUT.signaturesPrefix}*`],
    },
  ];
}

/**
 * The definitions updater's role: its own log streams, and reading and writing the manifest, the
 * signature files and freshclam's state in the definitions bucket. Nothing in any data bucket.
 */
export function definitionsUpdaterPolicy(input: { bucketArn: string; logGroupArn: string }): PolicyDocument {
  const keys = [
    `${input.bucketArn}/${DEFINITIONS_LAYOUT.manifestKey}`,
    `${input.bucketArn}/${DEFINITIONS_LAYOUT.signaturesPrefix}*`,
    `${input.bucketArn}/${DEFINITIONS_LAYOUT.freshclamStateKey}`,
  ];
  return policyDocument([
    logStatement(input.logGroupArn),
    { Sid: "ReadDefinitions", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: keys },
    { Sid: "PublishDefinitions", Effect: "Allow", Action: "s3:PutObject", Resource: keys },
  ]);
}
