import { type AnalyzerInput, PolicyPackProcess } from "../../offline/policy-pack";
import { checkWithPolicyPack } from "../../offline/policy-check";
import { runProgram } from "../../offline/run-program";
import { count, ms, ratio } from "./format";
import { withProcessCpu } from "./pack-cpu";
import { BENCH_CONFIG_FILE, BENCH_STACK } from "./tenants";
import { interleaved, timed } from "./timing";
import { type Bench, type BenchRow, type PolicyJson } from "./types";

/** Policy analysis may add at most this fraction of the program's own evaluation time. */
export const POLICY_OVERHEAD_LIMIT = 0.1;

/** A resource of a type no rule knows: every rule declines it, so analysing it costs the round trip and little else. */
export const NOTHING: AnalyzerInput = {
  urn: "urn:pulumi:bench::mobile-s3::bench:index:Nothing::nothing",
  type: "bench:index:Nothing",
  name: "nothing",
  properties: {},
};

/**
 * Section 2, policy-pack overhead: the whole planned stack (the multi-tenant example: every tier,
 * full profile) through the real pack over gRPC, as `npm run plan` and the engine do it — configure,
 * `analyze` per resource one after another (the engine's step generator calls it inline for each
 * registration), then `analyzeStack` — against the program's own mock evaluation of the same stack.
 * Two more rows say where the time goes: the same number of calls for a resource no rule applies to
 * (the protocol's floor), and the CPU the pack process spent. The pack's start, a ts-node compile
 * paid once per preview, is reported apart.
 */
export const benchPolicy: Bench<PolicyJson> = (options) => policyBench(options.quick ? 3 : 7)(options);

/** The section with `runs` repetitions of each measurement (tests use one). */
export const policyBench = (runs: number): Bench<PolicyJson> => async ({ note }) => {
  const evaluate = () => runProgram({ stack: BENCH_STACK, configFile: BENCH_CONFIG_FILE });
  note(`warming up, then ${runs} evaluations, analyses and floor measurements, taking turns`);
  const run = await evaluate();

  const started = await timed(() => PolicyPackProcess.start());
  const pack = started.value;
  try {
    const findings = await checkWithPolicyPack(run, {}, pack);
    note(`the example has ${findings.mandatory.length} mandatory and ${findings.advisory.length} advisory findings`);
    const analyse = withProcessCpu(pack.pid, () => checkWithPolicyPack(run, {}, pack));
    const floorCalls = withProcessCpu(pack.pid, async () => {
      for (let i = 0; i < run.resources.length; i++) {
        await pack.analyze(NOTHING);
      }
    });
    const [evaluation, analysis, floor] = await interleaved<unknown>(runs, [evaluate, analyse.work, floorCalls.work]);
    const packCpuMs = analyse.meanCpuMs();

    const overheadRatio = analysis.medianMs / evaluation.medianMs;
    const reference = `evaluation ${ms(evaluation.medianMs)}`;
    const info = (measure: string, valueMs: number): BenchRow => ({
      measure,
      value: ms(valueMs),
      reference,
      ratio: ratio(valueMs / evaluation.medianMs),
      target: "",
    });
    const rows: BenchRow[] = [
      info("policy: pack start, spawn to serving (once per preview; not in the analysis below)", started.ms),
      {
        measure: `policy: analyse the planned stack (${count(run.resources.length)} resources: analyze each in turn, then analyzeStack)`,
        value: ms(analysis.medianMs),
        reference,
        ratio: ratio(overheadRatio),
        target: `≤ ${POLICY_OVERHEAD_LIMIT.toFixed(2)}×`,
        met: overheadRatio <= POLICY_OVERHEAD_LIMIT,
      },
      ...(packCpuMs !== undefined ? [info("policy: of which CPU in the pack process (rules, protobuf, gRPC server)", packCpuMs)] : []),
      info(`policy: floor, ${count(run.resources.length)} analyze calls for a resource no rule applies to`, floor.medianMs),
    ];
    const json: PolicyJson = {
      overheadRatio,
      analysisMs: analysis.medianMs,
      analysisSamplesMs: analysis.samplesMs,
      evaluationMs: evaluation.medianMs,
      evaluationSamplesMs: evaluation.samplesMs,
      floorMs: floor.medianMs,
      packStartMs: started.ms,
      ...(packCpuMs !== undefined ? { packCpuMs, floorPackCpuMs: floorCalls.meanCpuMs() } : {}),
      resources: run.resources.length,
      findings: { mandatory: findings.mandatory.length, advisory: findings.advisory.length },
    };
    return { json, rows };
  } finally {
    await pack.stop();
  }
};
