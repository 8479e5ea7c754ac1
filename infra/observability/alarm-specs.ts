/** Where CloudFront publishes its metrics, whatever region the stack deploys to. */
export const CLOUDFRONT_METRICS_REGION = "us-east-1";

/** Every alarm looks at 5-minute windows and fires on the first one that breaches. */
export const PERIOD_SECONDS = 300;

export interface AlarmThresholds {
  /**
   * API 5xx responses in 5 minutes above which the alarm fires. A 5xx is the API's own failure.
   * @default 0 (any 5xx)
   */
  api5xxCount: number;
  /**
   * Share of API requests answered 4xx in 5 minutes, in percent, above which the alarm fires. A rate,
   * not a count: a mobile app's 4xx (expired tokens, refused uploads) grow with traffic, so a fixed
   * count would page at peak and sleep at night.
   * @default 10
   */
  api4xxRatePercent: number;
  /**
   * Requests in 5 minutes below which the 4xx rate counts as 0, so that one refused request out of
   * two on a quiet stack does not page anyone.
   * @default 20
   */
  api4xxMinRequests: number;
  /**
   * CloudFront's `5xxErrorRate` (percent of viewer requests) above which the alarm fires.
   * @default 1
   */
  cloudFront5xxRatePercent: number;
  /**
   * CloudFront's `4xxErrorRate` (percent); signed cookies that expire produce some 403s by design.
   * @default 10
   */
  cloudFront4xxRatePercent: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  api5xxCount: 0,
  api4xxRatePercent: 10,
  api4xxMinRequests: 20,
  cloudFront5xxRatePercent: 1,
  cloudFront4xxRatePercent: 10,
};

/** Defaults laid under what the caller gives, each value checked; errors name `[thresholds.<key>]`. */
export function resolveThresholds(given: Partial<AlarmThresholds> = {}): AlarmThresholds {
  const t = { ...DEFAULT_THRESHOLDS, ...given };
  const wholeAtLeast = (key: keyof AlarmThresholds, min: number) => {
    if (!Number.isInteger(t[key]) || t[key] < min) {
      throw new Error(`[thresholds.${key}] must be a whole number of at least ${min}, got ${t[key]}`);
    }
  };
  const percent = (key: keyof AlarmThresholds) => {
    // "Greater than 100 percent" never fires; an alarm that cannot fire is a misconfiguration.
    if (!Number.isFinite(t[key]) || t[key] < 0 || t[key] >= 100) {
      throw new Error(`[thresholds.${key}] must be a percentage from 0 up to (not including) 100, got ${t[key]}`);
    }
  };
  wholeAtLeast("api5xxCount", 0);
  wholeAtLeast("api4xxMinRequests", 1);
  percent("api4xxRatePercent");
  percent("cloudFront5xxRatePercent");
  percent("cloudFront4xxRatePercent");
  return t;
}

// Pragmatic, not RFC 5322: one "@", no spaces, a dotted domain; SNS validates it again on subscribe.
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Checks the address alarm e-mails go to; the error names `[alarmEmail]`. */
export function assertAlarmEmail(email: string): string {
  if (email.length > 254 || !EMAIL.test(email)) {
    throw new Error(`[alarmEmail] must be an e-mail address such as ops@example.com, got "${email}"`);
  }
  return email;
}

/** Refuses CloudFront alarms in a region where CloudFront publishes no metrics: they would never fire. */
export function assertCloudFrontAlarmRegion(region: string): string {
  if (region !== CLOUDFRONT_METRICS_REGION) {
    throw new Error(
      `[usEast1Provider] is required for CloudFront alarms when the stack deploys to ${region}: CloudFront ` +
        `publishes its metrics only in ${CLOUDFRONT_METRICS_REGION}, so alarms anywhere else never fire`,
    );
  }
  return region;
}

export interface MetricQuery<V> {
  id: string;
  expression?: string;
  label?: string;
  returnData: boolean;
  metric?: { namespace: string; metricName: string; stat: string; period: number; dimensions: Record<string, V | string> };
}

/** One alarm, in the shape `aws.cloudwatch.MetricAlarm` takes, less its name, actions and tags. */
export interface AlarmSpec<V> {
  /** Appended to the component's name to make the alarm's name. */
  suffix: string;
  alarmDescription: string;
  comparisonOperator: "GreaterThanThreshold";
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** No traffic is not an outage: quiet periods keep the alarm OK. */
  treatMissingData: "notBreaching";
  namespace?: string;
  metricName?: string;
  statistic?: string;
  period?: number;
  dimensions?: Record<string, V | string>;
  metricQueries?: MetricQuery<V>[];
}

const firstBreach = {
  comparisonOperator: "GreaterThanThreshold",
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: "notBreaching",
} as const;

/**
 * Alarms on an API Gateway HTTP API (metrics `AWS/ApiGateway`, dimension `ApiId`, published by default
 * for every stage): any 5xx, and the 4xx rate computed by metric math from `4xx` and `Count`.
 */
export function apiAlarmSpecs<V>(apiId: V, t: AlarmThresholds): AlarmSpec<V>[] {
  const apiMetric = (metricName: string) => ({
    namespace: "AWS/ApiGateway",
    metricName,
    stat: "Sum",
    period: PERIOD_SECONDS,
    dimensions: { ApiId: apiId },
  });
  return [
    {
      suffix: "api-5xx",
      alarmDescription: `The API answered more than ${t.api5xxCount} requests with a 5xx in 5 minutes.`,
      ...firstBreach,
      threshold: t.api5xxCount,
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      statistic: "Sum",
      period: PERIOD_SECONDS,
      dimensions: { ApiId: apiId },
    },
    {
      suffix: "api-4xx-rate",
      alarmDescription:
        `More than ${t.api4xxRatePercent}% of API requests got a 4xx in 5 minutes ` +
        `(counted once there are at least ${t.api4xxMinRequests} requests).`,
      ...firstBreach,
      threshold: t.api4xxRatePercent,
      metricQueries: [
        {
          id: "clientErrorRate",
          expression: `IF(requests >= ${t.api4xxMinRequests}, 100 * FILL(clientErrors, 0) / requests, 0)`,
          label: "4xx responses (% of requests)",
          returnData: true,
        },
        { id: "clientErrors", metric: apiMetric("4xx"), returnData: false },
        { id: "requests", metric: apiMetric("Count"), returnData: false },
      ],
    },
  ];
}

/**
 * Alarms on a CloudFront distribution's default error-rate metrics (`AWS/CloudFront`, dimensions
 * `DistributionId` and `Region=Global`), which exist only in us-east-1.
 */
export function cloudFrontAlarmSpecs<V>(distributionId: V, t: AlarmThresholds): AlarmSpec<V>[] {
  const rate = (metricName: string, threshold: number, suffix: string, what: string): AlarmSpec<V> => ({
    suffix,
    alarmDescription: `More than ${threshold}% of CloudFront viewer requests got a ${what} over 5 minutes.`,
    ...firstBreach,
    threshold,
    namespace: "AWS/CloudFront",
    metricName,
    statistic: "Average",
    period: PERIOD_SECONDS,
    dimensions: { DistributionId: distributionId, Region: "Global" },
  });
  return [
    rate("5xxErrorRate", t.cloudFront5xxRatePercent, "cdn-5xx-rate", "5xx"),
    rate("4xxErrorRate", t.cloudFront4xxRatePercent, "cdn-4xx-rate", "4xx"),
  ];
}
