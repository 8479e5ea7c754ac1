import { type ResourceValidationPolicy } from "@pulumi/policy";
import { BUCKET_TYPES } from "../../lib/s3";
import { entryLabel, items } from "../../lib/bucket-settings";
import { known, type Known, UNKNOWN } from "../../lib/unknown";

export const S3_CORS_TYPES = new Set([
  "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
  "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
]);
export const RESPONSE_HEADERS_POLICY_TYPE = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy";

const WRITE_METHODS = ["PUT", "POST", "DELETE", "PATCH"];

/** One CORS rule, with the property names to quote back in messages. */
interface CorsRule {
  label: string;
  origins: Known<string[]>;
  methods: Known<string[]>;
  exposed: Known<string[]>;
  credentials: Known<unknown>;
  names: { origins: string; expose: string };
}

/** A list of strings, or UNKNOWN when the list or any of its elements is not known yet. */
function stringList(read: () => unknown): Known<string[]> {
  const value = known(read);
  if (value === UNKNOWN) {
    return UNKNOWN;
  }
  if (!Array.isArray(value)) {
    return [];
  }
  const list = Array.from({ length: value.length }, (_, i) => known(() => value[i]));
  return list.includes(UNKNOWN) ? UNKNOWN : list.filter((v): v is string => typeof v === "string");
}

function s3Rules(read: () => unknown): CorsRule[] {
  return items(read).map((rule, i) => {
    const r = rule as Record<string, unknown>;
    return {
      label: `CORS rule ${entryLabel(known(() => r.id), i)}`,
      origins: stringList(() => r.allowedOrigins),
      methods: stringList(() => r.allowedMethods),
      exposed: stringList(() => r.exposeHeaders),
      // S3 answers credentialed requests for listed origins and never for "*"; writes are what matter.
      credentials: false,
      names: { origins: "allowedOrigins", expose: "exposeHeaders" },
    };
  });
}

function cloudFrontRule(cors: Record<string, unknown>): CorsRule {
  const listOf = (key: string) => stringList(() => (cors[key] as Record<string, unknown> | undefined)?.items);
  return {
    label: "corsConfig",
    origins: listOf("accessControlAllowOrigins"),
    methods: listOf("accessControlAllowMethods"),
    exposed: listOf("accessControlExposeHeaders"),
    credentials: known(() => cors.accessControlAllowCredentials),
    names: { origins: "accessControlAllowOrigins.items", expose: "accessControlExposeHeaders.items" },
  };
}

function problemsOf(rule: CorsRule): string[] {
  const found: string[] = [];
  const methods = rule.methods === UNKNOWN ? undefined : rule.methods.map((m) => m.toUpperCase());
  const anyOrigin = rule.origins !== UNKNOWN && rule.origins.includes("*");
  // CloudFront's "ALL" allows every method.
  const allowsPut = methods?.some((m) => m === "PUT" || m === "ALL");
  const writes = methods?.includes("ALL") ? WRITE_METHODS : (methods ?? []).filter((m) => WRITE_METHODS.includes(m));
  if (allowsPut && rule.exposed !== UNKNOWN && !rule.exposed.some((h) => h.toLowerCase() === "etag")) {
    found.push(
      `${rule.label} allows PUT but does not expose ETag: add "ETag" to ${rule.names.expose}; a browser cannot complete a multipart upload without each part's ETag`,
    );
  }
  if (anyOrigin && rule.credentials === true) {
    found.push(
      `${rule.label} allows credentials from any origin ("*"): list the app's exact origins in ${rule.names.origins}`,
    );
  }
  if (anyOrigin && writes.length > 0) {
    found.push(
      `${rule.label} lets any origin ("*") send ${writes.join(", ")}: list the app's exact origins in ${rule.names.origins}`,
    );
  }
  return found;
}

export const awsS3CorsEnforceEtagAndOrigins: ResourceValidationPolicy = {
  name: "aws-s3-cors-enforce-etag-and-origins",
  description:
    "Checks that CORS rules for S3 buckets and CloudFront response headers policies expose ETag when they allow PUT and never pair a \"*\" origin with credentials or write methods.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateResource: (args, reportViolation) => {
    let rules: CorsRule[];
    let what: string;
    if (S3_CORS_TYPES.has(args.type)) {
      what = "Bucket CORS configuration";
      rules = s3Rules(() => args.props.corsRules);
    } else if (BUCKET_TYPES.has(args.type)) {
      what = "Bucket";
      rules = s3Rules(() => args.props.corsRules);
      if (rules.length === 0 && known(() => args.props.corsRules) !== UNKNOWN) {
        return args.notApplicable("The bucket has no inline CORS rules.");
      }
    } else if (args.type === RESPONSE_HEADERS_POLICY_TYPE) {
      what = "Response headers policy";
      const cors = known(() => args.props.corsConfig);
      if (cors === undefined || cors === null) {
        return args.notApplicable("The response headers policy has no corsConfig.");
      }
      rules = cors === UNKNOWN ? [] : [cloudFrontRule(cors as Record<string, unknown>)];
    } else {
      return args.notApplicable("Only S3 CORS configurations, buckets and CloudFront response headers policies carry CORS rules.");
    }
    for (const found of rules.flatMap(problemsOf)) {
      reportViolation(`${what} "${args.name}": ${found}.`);
    }
  },
};
