// Harness 2: the policy pack as the engine drives it. The client lives in offline/ because the plan uses it too.
export * from "../../offline/policy-pack";
