import { NAME_CHARSETS, physicalName } from "../naming";

/** CloudTrail's naming rules, from its `CreateTrail` reference: no two separators in a row, not an IP address. */
const REFUSED = /[._-]{2}|^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Checks a trail name against CloudTrail's rules (3-128 letters, digits, `.`, `_`, `-`; starts and
 * ends with a letter or digit; no two separators in a row; not an IP address). The trail's ARN is
 * built from its name before the trail exists, so a name CloudTrail would reject must fail here.
 */
export function assertTrailName(name: string): string {
  return physicalName({
    parts: [name],
    minLength: 3,
    maxLength: 128,
    charset: NAME_CHARSETS.cloudTrail,
    refuse: REFUSED,
    message: () =>
      `trail name "${name}" breaks CloudTrail's naming rules (3-128 letters, digits, ".", "_" or "-", ` +
      `starting and ending with a letter or digit, no two separators in a row): shorten or rename [app] or [environment]`,
  });
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
