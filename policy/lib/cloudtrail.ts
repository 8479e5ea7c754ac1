import { known, type Known, UNKNOWN } from "./unknown";

// Which S3 buckets a CloudTrail trail records data events for, read from the trail's inputs as
// @pulumi/aws v7 names them: `eventSelectors[].dataResources[].{type, values}` (basic selectors) and
// `advancedEventSelectors[].fieldSelectors[].{field, equals, startsWiths, endsWiths, notEquals,
// notStartsWiths, notEndsWiths}`. Three answers: true, false, or UNKNOWN while a preview has not
// computed a value the answer depends on (then nothing is reported).

export const TRAIL_TYPE = "aws:cloudtrail/trail:Trail";
const S3_OBJECT = "AWS::S3::Object";

type Props = Record<string, unknown>;

/** True if any is true; else UNKNOWN if any is; else false (also for none). */
export function anyOf(values: Known<boolean>[]): Known<boolean> {
  return values.includes(true) ? true : values.includes(UNKNOWN) ? UNKNOWN : false;
}

/** False if any is false; else UNKNOWN if any is; else true (also for none). */
function allOf(values: Known<boolean>[]): Known<boolean> {
  return values.includes(false) ? false : values.includes(UNKNOWN) ? UNKNOWN : true;
}

/** The elements of a list property, each read on its own (an element may be unknown when the list is not). */
function elements(read: () => unknown): Known<Known<unknown>[]> {
  const value = known(read);
  if (value === UNKNOWN) {
    return UNKNOWN;
  }
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  return Array.from({ length: list.length }, (_, i) => known(() => list[i] as unknown));
}

/** The strings of a list property; UNKNOWN when the list or any of its elements is unknown. */
function strings(read: () => unknown): Known<string[]> {
  const list = elements(read);
  if (list === UNKNOWN || list.includes(UNKNOWN)) {
    return UNKNOWN;
  }
  return list.filter((v): v is string => typeof v === "string");
}

/** Whether any element of a list property satisfies `test`, three-valued. */
function someElement(read: () => unknown, test: (element: Props) => Known<boolean>): Known<boolean> {
  const list = elements(read);
  if (list === UNKNOWN) {
    return UNKNOWN;
  }
  return anyOf(list.map((e) => (e === UNKNOWN ? UNKNOWN : e !== null && typeof e === "object" ? test(e as Props) : false)));
}

/**
 * `arn:aws:s3` (and the older `arn:aws:s3:::`) select the objects of every bucket ("DataResource",
 * AWS CloudTrail API Reference).
 */
const EVERY_BUCKET = /^arn:aws[a-z-]*:s3(:::)?$/;

/**
 * A basic selector's value covers the bucket when it selects every bucket, the bucket
 * (`arn:aws:s3:::name/`, or the bucket ARN itself), or a key prefix inside it
 * (`arn:aws:s3:::name/uploads/`): some of its object reads and writes are then recorded.
 */
function valueCovers(value: string, bucketArn: string | undefined): Known<boolean> {
  if (EVERY_BUCKET.test(value)) {
    return true;
  }
  if (bucketArn === undefined) {
    return UNKNOWN;
  }
  return value === bucketArn || value.startsWith(`${bucketArn}/`);
}

function basicSelectorCovers(selector: Props, bucketArn: string | undefined): Known<boolean> {
  return someElement(
    () => selector.dataResources,
    (resource) => {
      const type = known(() => resource.type);
      if (type === UNKNOWN) {
        return UNKNOWN;
      }
      if (type !== S3_OBJECT) {
        return false;
      }
      const values = strings(() => resource.values);
      return values === UNKNOWN ? UNKNOWN : anyOf(values.map((v) => valueCovers(v, bucketArn)));
    },
  );
}

/** The values one operator of a field selector lists (absent: none). */
function operatorValues(selector: Props, operator: string): Known<string[]> {
  return strings(() => selector[operator]);
}

/**
 * Whether a `resources.ARN` field selector lets events on some of the bucket's objects through. Its
 * including operators (`equals`, `startsWiths`, `endsWiths`) must match some object ARN
 * `arn:aws:s3:::name/key` when it has any; a `notStartsWiths` prefix of `arn:aws:s3:::name/`
 * excludes the whole bucket ("AdvancedFieldSelector", AWS CloudTrail API Reference).
 */
function arnSelectorAdmits(selector: Props, bucketArn: string | undefined): Known<boolean> {
  const [equals, startsWith, endsWith, notStartsWith] = ["equals", "startsWiths", "endsWiths", "notStartsWiths"].map((op) =>
    operatorValues(selector, op),
  );
  if ([equals, startsWith, endsWith, notStartsWith].includes(UNKNOWN)) {
    return UNKNOWN;
  }
  const [eq, sw, ew, nsw] = [equals, startsWith, endsWith, notStartsWith] as string[][];
  if (eq.length + sw.length + ew.length + nsw.length === 0) {
    return true;
  }
  if (bucketArn === undefined) {
    return UNKNOWN;
  }
  const objects = `${bucketArn}/`;
  if (nsw.some((prefix) => objects.startsWith(prefix))) {
    return false;
  }
  if (eq.length + sw.length + ew.length === 0) {
    return true;
  }
  // A suffix (`.jpg`) can match objects of any bucket, this one included.
  return ew.length > 0 || eq.some((arn) => arn.startsWith(objects)) || sw.some((prefix) => objects.startsWith(prefix) || prefix.startsWith(objects));
}

/**
 * An advanced selector records the bucket's object data events when it selects `eventCategory`
 * Data and `resources.type` AWS::S3::Object (both required for data events) and each of its
 * `resources.ARN` conditions lets the bucket's objects through; the conditions of one selector all
 * apply together.
 */
function advancedSelectorCovers(selector: Props, bucketArn: string | undefined): Known<boolean> {
  const fields = elements(() => selector.fieldSelectors);
  if (fields === UNKNOWN || fields.includes(UNKNOWN)) {
    return UNKNOWN;
  }
  const byField = new Map<string, Props[]>();
  for (const f of fields as Props[]) {
    const name = known(() => f.field);
    if (name === UNKNOWN) {
      return UNKNOWN;
    }
    if (typeof name === "string") {
      byField.set(name, [...(byField.get(name) ?? []), f]);
    }
  }
  const requires = (field: string, value: string): Known<boolean> => {
    const selectors = byField.get(field) ?? [];
    if (selectors.length === 0) {
      return false;
    }
    return allOf(
      selectors.map((s) => {
        const equals = operatorValues(s, "equals");
        return equals === UNKNOWN ? UNKNOWN : equals.includes(value);
      }),
    );
  };
  return allOf([
    requires("eventCategory", "Data"),
    requires("resources.type", S3_OBJECT),
    ...(byField.get("resources.ARN") ?? []).map((s) => arnSelectorAdmits(s, bucketArn)),
  ]);
}

/**
 * Whether the trail records data events on (some) objects of the bucket. A trail with
 * `enableLogging` false records nothing. `bucketArn` is undefined while a preview has not computed it.
 */
export function trailRecordsObjectsOf(trail: Props, bucketArn: string | undefined): Known<boolean> {
  const logging = known(() => trail.enableLogging);
  if (logging === false) {
    return false;
  }
  const covered = anyOf([
    someElement(() => trail.advancedEventSelectors, (s) => advancedSelectorCovers(s, bucketArn)),
    someElement(() => trail.eventSelectors, (s) => basicSelectorCovers(s, bucketArn)),
  ]);
  return logging === UNKNOWN && covered === true ? UNKNOWN : covered;
}
