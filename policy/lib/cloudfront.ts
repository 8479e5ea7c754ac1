import { known, type Known, UNKNOWN } from "./unknown";

/**
 * CloudFront resource tokens. Multi-tenant distributions (SaaS Manager) carry the same viewer and
 * origin settings under slightly different names (`cacheBehaviors`, `customOriginConfigs`, origin
 * `id`); the readers below give the rules one view of both.
 */
export const DISTRIBUTION_TYPES: ReadonlySet<string> = new Set([
  "aws:cloudfront/distribution:Distribution",
  "aws:cloudfront/multitenantDistribution:MultitenantDistribution",
]);
export const ORIGIN_ACCESS_CONTROL_TYPE = "aws:cloudfront/originAccessControl:OriginAccessControl";
export const VPC_ORIGIN_TYPE = "aws:cloudfront/vpcOrigin:VpcOrigin";

export { known, type Known, UNKNOWN } from "./unknown";

type Props = Record<string, unknown>;

/** The known elements of a list property; an unknown or absent list, or unknown elements, give nothing. */
function knownItems(read: () => unknown): Props[] {
  const value = known(read);
  if (value === UNKNOWN || value === undefined || value === null) {
    return [];
  }
  const list = Array.isArray(value) ? value : [value];
  return Array.from({ length: list.length }, (_, i) => known(() => list[i] as unknown)).filter(
    (v): v is Props => v !== UNKNOWN && v !== null && typeof v === "object",
  );
}

/** A setting as a string, UNKNOWN in a preview, or undefined when absent or not a string. */
export function knownString(read: () => unknown): Known<string | undefined> {
  const value = known(read);
  return value === UNKNOWN || typeof value === "string" ? value : undefined;
}

/** The strings of a list setting, or UNKNOWN when the list or any of its elements is unknown. */
export function knownStrings(read: () => unknown): Known<string[]> {
  const value = known(read);
  if (value === UNKNOWN) {
    return UNKNOWN;
  }
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  const elements = Array.from({ length: list.length }, (_, i) => known(() => list[i] as unknown));
  return elements.includes(UNKNOWN) ? UNKNOWN : elements.filter((e): e is string => typeof e === "string");
}

/** True when a setting holds a value or will (unknown in a preview): an Output is always set. */
export function isSet(read: () => unknown): boolean {
  const value = known(read);
  return value === UNKNOWN || (value !== undefined && value !== null && value !== "");
}

export interface CacheBehaviour {
  /** How messages name it: `default cache behaviour` or `cache behaviour "/path/*"`. */
  label: string;
  props: Props;
}

/** The default cache behaviour and every ordered one, in order. */
export function cacheBehavioursOf(distribution: Props): CacheBehaviour[] {
  const defaults = knownItems(() => distribution.defaultCacheBehavior).map((props) => ({ label: "default cache behaviour", props }));
  const ordered = knownItems(() => distribution.orderedCacheBehaviors ?? distribution.cacheBehaviors).map((props, i) => {
    const path = knownString(() => props.pathPattern);
    return { label: `cache behaviour ${typeof path === "string" ? `"${path}"` : `#${i + 1}`}`, props };
  });
  return [...defaults, ...ordered];
}

export interface Origin {
  /** How messages name it: `origin "<originId>"`. */
  label: string;
  props: Props;
}

export function originsOf(distribution: Props): Origin[] {
  return knownItems(() => distribution.origins).map((props, i) => {
    const id = knownString(() => props.originId ?? props.id);
    return { label: `origin ${typeof id === "string" ? `"${id}"` : `#${i + 1}`}`, props };
  });
}

/** The origin's custom-origin settings (HTTP servers, load balancers, website endpoints), if it has any. */
export function customOriginConfigOf(origin: Origin): Known<Props | undefined> {
  const single = known(() => origin.props.customOriginConfig);
  if (single === UNKNOWN || (single !== undefined && single !== null)) {
    return single as Known<Props>;
  }
  const list = known(() => origin.props.customOriginConfigs);
  if (list === UNKNOWN) {
    return UNKNOWN;
  }
  return knownItems(() => list)[0];
}

/**
 * An S3 REST origin: neither a custom nor a VPC origin (CloudFront's model has no third kind). An
 * S3 website endpoint is a custom origin, and cannot use Origin Access Control at all.
 */
export function isS3Origin(origin: Origin): Known<boolean> {
  const custom = customOriginConfigOf(origin);
  const vpc = known(() => origin.props.vpcOriginConfig ?? origin.props.vpcOriginConfigs);
  if (custom === UNKNOWN || vpc === UNKNOWN) {
    return UNKNOWN;
  }
  const hasVpc = vpc !== undefined && vpc !== null && !(Array.isArray(vpc) && vpc.length === 0);
  return custom === undefined && !hasVpc;
}
