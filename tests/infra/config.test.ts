import * as assert from "node:assert/strict";
import { CONFIG_SCHEMA, type ConfigKeyName, ConfigError, parseStackConfig, PROJECT } from "../../infra/config";
import { readProjectFile } from "../../offline/stack-config";

const parse = (values: Partial<Record<ConfigKeyName, string>>, stack = "dev") => parseStackConfig((k) => values[k], stack);

describe("infra/config", () => {
  it("declares in Pulumi.yaml exactly the keys, types, defaults and descriptions of CONFIG_SCHEMA", () => {
    const project = readProjectFile();
    assert.equal(project.name, PROJECT);
    assert.deepEqual(project.config, CONFIG_SCHEMA);
  });

  it("applies the defaults, with the stack name as environment", () => {
    const config = parse({}, "staging");
    assert.deepEqual(config, {
      app: "mobile-s3",
      environment: "staging",
      owner: "platform-team",
      lifecycle: {
        abortIncompleteUploadDays: 3,
        noncurrentVersionExpirationDays: 30,
        infrequentAccessAfterDays: 0,
        objectExpirationDays: 0,
      },
      forceDestroy: false,
    });
  });

  it("reads every key", () => {
    const config = parse({
      app: "photos",
      environment: "eu1",
      owner: "team@example.com",
      abortIncompleteUploadDays: "7",
      noncurrentVersionExpirationDays: "90",
      infrequentAccessAfterDays: "30",
      objectExpirationDays: "365",
      forceDestroy: "true",
    });
    assert.equal(config.app, "photos");
    assert.equal(config.environment, "eu1");
    assert.deepEqual(config.lifecycle, {
      abortIncompleteUploadDays: 7,
      noncurrentVersionExpirationDays: 90,
      infrequentAccessAfterDays: 30,
      objectExpirationDays: 365,
    });
    assert.equal(config.forceDestroy, true);
  });

  const bad: [string, Partial<Record<ConfigKeyName, string>>, ConfigKeyName][] = [
    ["uppercase app", { app: "Photos" }, "app"],
    ["app with underscore", { app: "my_app" }, "app"],
    ["app too long", { app: "a".repeat(21) }, "app"],
    ["app ending in a hyphen", { app: "photos-" }, "app"],
    ["environment with a dot", { environment: "dev.1" }, "environment"],
    ["stack name unusable as environment", {}, "environment"],
    ["empty owner", { owner: " " }, "owner"],
    ["abort after 0 days", { abortIncompleteUploadDays: "0" }, "abortIncompleteUploadDays"],
    ["abort after 1.5 days", { abortIncompleteUploadDays: "1.5" }, "abortIncompleteUploadDays"],
    ["abort after 'soon'", { abortIncompleteUploadDays: "soon" }, "abortIncompleteUploadDays"],
    ["noncurrent versions kept 0 days", { noncurrentVersionExpirationDays: "0" }, "noncurrentVersionExpirationDays"],
    ["STANDARD_IA after 10 days", { infrequentAccessAfterDays: "10" }, "infrequentAccessAfterDays"],
    ["expiry before tiering", { infrequentAccessAfterDays: "60", objectExpirationDays: "60" }, "objectExpirationDays"],
    ["negative expiry", { objectExpirationDays: "-1" }, "objectExpirationDays"],
    ["forceDestroy 'yes'", { forceDestroy: "yes" }, "forceDestroy"],
  ];
  for (const [label, values, key] of bad) {
    it(`refuses ${label}, naming ${key}`, () => {
      const stack = label.startsWith("stack name") ? "Prod_EU" : "dev";
      assert.throws(
        () => parse(values, stack),
        (err: unknown) =>
          err instanceof ConfigError && err.key === key && err.message.startsWith(`[${PROJECT}:${key}] `) && !err.message.includes("\n"),
      );
    });
  }
});
