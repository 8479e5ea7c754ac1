/** CloudTrail's naming rules, from its `CreateTrail` reference. */
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
const ADJACENT_SEPARATORS = /[._-]{2}/;
const IP_ADDRESS = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Checks a trail name against CloudTrail's rules (3-128 letters, digits, `.`, `_`, `-`; starts and
 * ends with a letter or digit; no two separators in a row; not an IP address). The trail's ARN is
 * built from its name before the trail exists, so a name CloudTrail would reject must fail here.
 */
export function assertTrailName(name: string): string {
  if (!TRAIL_NAME.test(name) || ADJACENT_SEPARATORS.test(name) || IP_ADDRESS.test(name)) {
    throw new Error(
      `trail name "${name}" breaks CloudTrail's naming rules (3-128 letters, digits, ".", "_" or "-", ` +
        `starting and ending with a letter or digit, no two separators in a row): shorten or rename [app] or [environment]`,
    );
  }
  return name;
}

export interface TrailArnInput {
  partition: string;
  region: string;
  accountId: string;
  trailName: string;
}

/**
 * `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`: what `aws:SourceArn` carries when the
 * trail writes to its bucket and key. A trail's ARN names its home region even when it is multi-region.
 */
export function trailArn(input: TrailArnInput): string {
  return `arn:${input.partition}:cloudtrail:${input.region}:${input.accountId}:trail/${assertTrailName(input.trailName)}`;
}
