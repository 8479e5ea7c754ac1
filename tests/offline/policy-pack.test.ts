import * as assert from "node:assert/strict";
import * as path from "node:path";
import { type AnalyzerInput, PolicyPackProcess } from "../../offline/policy-pack";

const PACK_DIR = path.join(__dirname, "..", "policy", "packs", "initial-config-only");
const queue: AnalyzerInput = { urn: "urn:pulumi:test::acme::aws:sqs/queue:Queue::jobs", type: "aws:sqs/queue:Queue", name: "jobs", properties: {} };

/**
 * offline/policy-pack configures a pack as the CLI's ReconcilePolicyPackConfig does: policy
 * defaults, then the pack's own initial config, then the config file, each layer's `all` first.
 */
describe("offline/policy-pack (a pack's initial config, as the CLI applies it)", function () {
  this.timeout(120_000);
  let pack: PolicyPackProcess;

  before(async () => {
    pack = await PolicyPackProcess.start(PACK_DIR);
  });
  after(async () => {
    await pack?.stop();
  });

  const levels = async () => (await pack.analyze(queue)).map((d) => `${d.policyName}:${d.enforcementLevel}:${d.message.split("\n").slice(-1)[0]}`).sort();

  it("reads the initial config the pack serves, an entry with settings only arriving as advisory", async () => {
    const info = await pack.getAnalyzerInfo();
    assert.deepEqual(info.initialConfig, {
      all: { enforcementLevel: "mandatory" },
      "declared-mandatory": { enforcementLevel: "disabled" },
      "settings-only": { enforcementLevel: "advisory", label: "work queue" },
    });
  });

  it("reports a pack that sets its levels only in its initial config at those levels", async () => {
    const applied = await pack.configure();
    assert.deepEqual(applied["declared-advisory"], { enforcementLevel: "mandatory", label: "queue" }, "all: mandatory raises it");
    assert.deepEqual(applied["declared-mandatory"], { enforcementLevel: "disabled", label: "queue" });
    assert.deepEqual(applied["settings-only"], { enforcementLevel: "advisory", label: "work queue" });
    assert.deepEqual(await levels(), ['declared-advisory:mandatory:queue "jobs"', 'settings-only:advisory:work queue "jobs"']);
  });

  it("lays a config file over the initial config: its entries win, and its all resets every level", async () => {
    await pack.configure({ "declared-mandatory": "advisory", "settings-only": { label: "queue" } });
    assert.deepEqual(await levels(), ['declared-advisory:mandatory:queue "jobs"', 'declared-mandatory:advisory:queue "jobs"', 'settings-only:advisory:queue "jobs"']);
    await pack.configure({ all: "advisory" });
    assert.deepEqual(await levels(), ['declared-advisory:advisory:queue "jobs"', 'declared-mandatory:advisory:queue "jobs"', 'settings-only:advisory:work queue "jobs"']);
  });

  it("still refuses what the CLI refuses", async () => {
    await assert.rejects(pack.configure({ "no-such-policy": "advisory" }), /has no policy "no-such-policy"/);
    await assert.rejects(pack.configure({ "settings-only": { colour: "red" } }), /has no config property "colour"/);
  });
});
