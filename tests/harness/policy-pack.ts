// Harness 2: the policy pack as the engine drives it. The client lives in offline/ because the plan uses it too.
import { PolicyPackProcess } from "../../offline/policy-pack";

export * from "../../offline/policy-pack";

/** Starts one pack process before the calling suite's tests and stops it after them. */
export function policyPackForSuite(): () => PolicyPackProcess {
  let pack: PolicyPackProcess | undefined;
  before(async () => {
    pack = await PolicyPackProcess.start();
  });
  after(async () => {
    await pack?.stop();
  });
  return () => {
    if (!pack) {
      throw new Error("the policy pack has not started");
    }
    return pack;
  };
}
