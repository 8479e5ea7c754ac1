import * as assert from "node:assert/strict";
import { apiAlarmSpecs, assertAlarmEmail, assertCloudFrontAlarmRegion, cloudFrontAlarmSpecs, DEFAULT_THRESHOLDS, resolveThresholds } from "../../../infra/observability/alarm-specs";

const API_ID = "a1b2c3d4e5";
const DISTRIBUTION_ID = "E2ABCDEF123456";

describe("infra/observability/alarm-specs", () => {
  describe("API alarms", () => {
    const [fiveXx, fourXx] = apiAlarmSpecs(API_ID, DEFAULT_THRESHOLDS);

    it("fire on any 5xx in a 5-minute window of the API", () => {
      assert.deepEqual(fiveXx, {
        suffix: "api-5xx",
        alarmDescription: "The API answered more than 0 requests with a 5xx in 5 minutes.",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: "notBreaching",
        namespace: "AWS/ApiGateway",
        metricName: "5xx",
        statistic: "Sum",
        period: 300,
        dimensions: { ApiId: API_ID },
      });
    });

    it("fire on the 4xx rate (4xx / Count, in percent), counted only above a minimum of requests", () => {
      assert.equal(fourXx.suffix, "api-4xx-rate");
      assert.equal(fourXx.threshold, 10);
      assert.equal(fourXx.comparisonOperator, "GreaterThanThreshold");
      assert.equal(fourXx.treatMissingData, "notBreaching");
      assert.equal(fourXx.metricName, undefined, "a metric-math alarm names no single metric");
      const queries = Object.fromEntries(fourXx.metricQueries!.map((q) => [q.id, q]));
      assert.equal(queries.clientErrorRate.expression, "IF(requests >= 20, 100 * FILL(clientErrors, 0) / requests, 0)");
      assert.deepEqual(
        fourXx.metricQueries!.filter((q) => q.returnData).map((q) => q.id),
        ["clientErrorRate"],
        "the alarm evaluates the rate, not its inputs",
      );
      const metric = { namespace: "AWS/ApiGateway", stat: "Sum", period: 300, dimensions: { ApiId: API_ID } };
      assert.deepEqual(queries.clientErrors.metric, { ...metric, metricName: "4xx" });
      assert.deepEqual(queries.requests.metric, { ...metric, metricName: "Count" });
    });

    it("take the caller's thresholds", () => {
      const [custom5xx, custom4xx] = apiAlarmSpecs(API_ID, resolveThresholds({ api5xxCount: 5, api4xxRatePercent: 25, api4xxMinRequests: 100 }));
      assert.equal(custom5xx.threshold, 5);
      assert.equal(custom4xx.threshold, 25);
      assert.match(custom4xx.metricQueries![0].expression!, /^IF\(requests >= 100,/);
    });
  });

  describe("CloudFront alarms", () => {
    it("fire on the distribution's 5xx and 4xx error rates, global dimension", () => {
      const specs = cloudFrontAlarmSpecs(DISTRIBUTION_ID, DEFAULT_THRESHOLDS);
      assert.deepEqual(
        specs.map((s) => [s.suffix, s.namespace, s.metricName, s.statistic, s.period, s.threshold, s.treatMissingData]),
        [
          ["cdn-5xx-rate", "AWS/CloudFront", "5xxErrorRate", "Average", 300, 1, "notBreaching"],
          ["cdn-4xx-rate", "AWS/CloudFront", "4xxErrorRate", "Average", 300, 10, "notBreaching"],
        ],
      );
      for (const spec of specs) {
        assert.deepEqual(spec.dimensions, { DistributionId: DISTRIBUTION_ID, Region: "Global" });
      }
    });

    it("are refused outside us-east-1, naming the argument that fixes it", () => {
      assert.equal(assertCloudFrontAlarmRegion("us-east-1"), "us-east-1");
      assert.throws(() => assertCloudFrontAlarmRegion("eu-west-1"), /\[usEast1Provider\] is required .* eu-west-1/);
    });
  });

  describe("thresholds", () => {
    it("default to the documented values and keep what the caller gives", () => {
      assert.deepEqual(resolveThresholds(), DEFAULT_THRESHOLDS);
      assert.deepEqual(resolveThresholds({ cloudFront4xxRatePercent: 20 }), { ...DEFAULT_THRESHOLDS, cloudFront4xxRatePercent: 20 });
    });

    const refused: [string, Parameters<typeof resolveThresholds>[0], RegExp][] = [
      ["a negative 5xx count", { api5xxCount: -1 }, /\[thresholds\.api5xxCount\] must be a whole number of at least 0, got -1/],
      ["a fractional 5xx count", { api5xxCount: 0.5 }, /\[thresholds\.api5xxCount\]/],
      ["a minimum of 0 requests", { api4xxMinRequests: 0 }, /\[thresholds\.api4xxMinRequests\] must be a whole number of at least 1/],
      ["a rate of 100% (can never be exceeded)", { api4xxRatePercent: 100 }, /\[thresholds\.api4xxRatePercent\] must be a percentage/],
      ["a negative rate", { cloudFront5xxRatePercent: -2 }, /\[thresholds\.cloudFront5xxRatePercent\]/],
      ["a rate that is not a number", { cloudFront4xxRatePercent: Number.NaN }, /\[thresholds\.cloudFront4xxRatePercent\]/],
    ];
    for (const [label, given, message] of refused) {
      it(`refuse ${label}`, () => {
        assert.throws(() => resolveThresholds(given), message);
      });
    }
  });

  describe("alarm e-mail", () => {
    for (const good of ["ops@example.com", "on-call+mobile@alerts.example.co.uk"]) {
      it(`accepts ${good}`, () => {
        assert.equal(assertAlarmEmail(good), good);
      });
    }
    for (const bad of ["", "ops", "ops@", "@example.com", "ops@example", "ops @example.com", "ops@example..com", "a@b@example.com", `${"a".repeat(250)}@example.com`]) {
      it(`refuses ${JSON.stringify(bad.length > 40 ? `${bad.slice(0, 12)}…` : bad)}, naming [alarmEmail]`, () => {
        assert.throws(() => assertAlarmEmail(bad), /^Error: \[alarmEmail\] must be an e-mail address/);
      });
    }
  });
});
