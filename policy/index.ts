// The policy pack's entry point: `pulumi preview --policy-pack policy` runs this file.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("mobile-s3", {
  description: "Keeps S3 used by mobile apps private, TLS-only and free of wildcard grants.",
  enforcementLevel: "mandatory",
  policies,
});
