import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { type ProgramRun } from "./run-program";
import { PROJECT_ROOT } from "./stack-config";

export const POLICY_PACK_DIR = path.join(PROJECT_ROOT, "policy");

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVEL_NAMES: Record<number, EnforcementLevel> = {
  [analyzerpb.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerpb.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerpb.EnforcementLevel.DISABLED]: "disabled",
  [analyzerpb.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_VALUES = Object.fromEntries(Object.entries(LEVEL_NAMES).map(([v, n]) => [n, Number(v)])) as Record<
  EnforcementLevel,
  analyzerpb.EnforcementLevel
>;

/** A resource as the engine describes it to an analyzer. `properties` are in wire form. */
export interface AnalyzerInput {
  urn: string;
  type: string;
  name: string;
  properties: unknown;
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

export interface PolicyView {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  configSchema?: { properties: Record<string, { default?: unknown; enum?: unknown[]; type?: string }>; required: string[] };
}

export interface AnalyzerInfoView {
  name: string;
  version: string;
  supportsConfig: boolean;
  policies: PolicyView[];
  /**
   * The config the pack sets for itself (`new PolicyPack(name, args, initialConfig)`), as the wire
   * carries it: per key (a policy, or `all`) a level and properties. The wire cannot say "no level":
   * an entry the pack gave only properties arrives as advisory, and the CLI applies it so.
   */
  initialConfig: Record<string, { enforcementLevel: EnforcementLevel } & Record<string, unknown>>;
}

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
}

export interface RemediationView {
  policyName: string;
  properties: Record<string, unknown> | undefined;
  diagnostic: string;
}

/**
 * A policy-pack config file as `pulumi preview --policy-pack-config` reads it: per policy either a
 * level or `{ enforcementLevel?, …properties }`, and `all` setting the level of every policy that
 * does not name its own.
 */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** What one analyze call reports: violations, and the policies that said they do not apply. */
export interface AnalysisResult {
  diagnostics: Diagnostic[];
  notApplicable: { policyName: string; reason: string }[];
}

function call<Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

function toStruct(value: unknown): Struct {
  return Struct.fromJavaScript((value ?? {}) as Record<string, never>);
}

/**
 * The policy pack running as the Pulumi engine runs it: `run-policy-pack` spawned in `policy/`,
 * its port read from the first line of stdout, and every call made over the real gRPC Analyzer.
 */
export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: analyzerrpc.AnalyzerClient,
    readonly port: number,
    private readonly stderr: () => string,
  ) {}

  /** Starts the pack. The engine address is unreachable on purpose: the pack only logs to it. */
  static async start(dir = POLICY_PACK_DIR, timeoutMs = 60_000): Promise<PolicyPackProcess> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => fail(new Error(`policy pack did not print its port within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`${err.message}\n${stderr}`));
      };
      child.stdout!.on("data", (d: Buffer) => {
        stdout += d.toString();
        const line = stdout.split("\n")[0];
        if (stdout.includes("\n")) {
          clearTimeout(timer);
          const port = Number(line.trim());
          if (Number.isInteger(port) && port > 0) {
            resolve(port);
          } else {
            fail(new Error(`policy pack printed "${line}" instead of a port`));
          }
        }
      });
      child.once("exit", (code) => fail(new Error(`policy pack exited with code ${code} before serving`)));
    });
    const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client, port, () => stderr);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the pack wrote to stderr so far (useful when a call fails). */
  get errors(): string {
    return this.stderr();
  }

  async getAnalyzerInfo(): Promise<AnalyzerInfoView> {
    const info = await call<Empty, analyzerpb.AnalyzerInfo>(this.client.getAnalyzerInfo.bind(this.client), new Empty());
    return {
      name: info.getName(),
      version: info.getVersion(),
      supportsConfig: info.getSupportsconfig(),
      policies: info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: LEVEL_NAMES[p.getEnforcementlevel()],
          ...(schema
            ? {
                configSchema: {
                  properties: (schema.getProperties()?.toJavaScript() ?? {}) as NonNullable<PolicyView["configSchema"]>["properties"],
                  required: schema.getRequiredList(),
                },
              }
            : {}),
        };
      }),
      initialConfig: initialConfigOf(info),
    };
  }

  /**
   * Sends the pack its config the way the CLI does (`ReconcilePolicyPackConfig` in the engine): every
   * policy starts from its own enforcement level and the defaults of its config schema; the pack's
   * own initial config is applied over them, then the given settings (a config file's) over that.
   * Each layer applies its `all` level to every policy first, then its per-policy entries. Unknown
   * policies or properties in the given settings, and values outside a schema's enum, are refused as
   * the CLI refuses them.
   */
  async configure(settings: PolicyPackConfig = {}): Promise<Record<string, Record<string, unknown>>> {
    const info = await this.getAnalyzerInfo();
    const byName = new Map(info.policies.map((p) => [p.name, p]));
    const { all, ...perPolicy } = settings;
    for (const [name, entry] of Object.entries(perPolicy)) {
      const policy = byName.get(name);
      if (!policy) {
        throw new Error(`policy pack ${info.name} has no policy "${name}"`);
      }
      const { enforcementLevel: _level, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
      for (const key of Object.keys(properties)) {
        if (!policy.configSchema?.properties[key]) {
          throw new Error(`policy "${name}" has no config property "${key}"`);
        }
      }
    }
    if (all !== undefined && typeof all !== "string") {
      throw new Error(`"all" takes an enforcement level, got ${JSON.stringify(all)}`);
    }
    const reconciled = applyConfig(applyConfig(defaultConfig(info.policies), info.initialConfig), settings);
    const request = new analyzerpb.ConfigureAnalyzerRequest();
    const applied: Record<string, Record<string, unknown>> = {};
    for (const policy of info.policies) {
      const { enforcementLevel, properties } = reconciled.get(policy.name)!;
      for (const [key, value] of Object.entries(properties)) {
        const prop = policy.configSchema?.properties[key];
        if (prop?.enum && !prop.enum.includes(value)) {
          throw new Error(`policy "${policy.name}" config "${key}" must be one of ${JSON.stringify(prop.enum)}`);
        }
      }
      const config = new analyzerpb.PolicyConfig();
      config.setEnforcementlevel(LEVEL_VALUES[enforcementLevel]);
      config.setProperties(toStruct(properties));
      request.getPolicyconfigMap().set(policy.name, config);
      applied[policy.name] = { enforcementLevel, ...properties };
    }
    await call(this.client.configure.bind(this.client), request);
    return applied;
  }

  async analyze(resource: AnalyzerInput): Promise<Diagnostic[]> {
    return (await this.analyzeResource(resource)).diagnostics;
  }

  async analyzeStack(resources: AnalyzerInput[]): Promise<Diagnostic[]> {
    return (await this.analyzeWholeStack(resources)).diagnostics;
  }

  /** `analyze`, with the policies that reported themselves not applicable. */
  async analyzeResource(resource: AnalyzerInput): Promise<AnalysisResult> {
    return analysis(
      await call<analyzerpb.AnalyzeRequest, analyzerpb.AnalyzeResponse>(this.client.analyze.bind(this.client), analyzeRequest(resource)),
    );
  }

  /** `analyzeStack`, with the policies that reported themselves not applicable. */
  async analyzeWholeStack(resources: AnalyzerInput[]): Promise<AnalysisResult> {
    const request = new analyzerpb.AnalyzeStackRequest();
    request.setResourcesList(resources.map(analyzerResource));
    return analysis(
      await call<analyzerpb.AnalyzeStackRequest, analyzerpb.AnalyzeResponse>(this.client.analyzeStack.bind(this.client), request),
    );
  }

  async remediate(resource: AnalyzerInput): Promise<RemediationView[]> {
    const res = await call<analyzerpb.AnalyzeRequest, analyzerpb.RemediateResponse>(this.client.remediate.bind(this.client), analyzeRequest(resource));
    return res.getRemediationsList().map((r) => ({
      policyName: r.getPolicyname(),
      properties: r.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
      diagnostic: r.getDiagnostic(),
    }));
  }

  /** Stops the pack by its PID and waits for it to exit. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    process.kill(this.pid, "SIGTERM");
    await exited;
  }
}

function initialConfigOf(info: analyzerpb.AnalyzerInfo): AnalyzerInfoView["initialConfig"] {
  const config: AnalyzerInfoView["initialConfig"] = {};
  info.getInitialconfigMap().forEach((entry, key) => {
    config[key] = { enforcementLevel: LEVEL_NAMES[entry.getEnforcementlevel()], ...((entry.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>) };
  });
  return config;
}

/** One policy's reconciled config: the level the pack runs it at, and the properties `getConfig` returns. */
interface ReconciledConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

/** Every policy at its own level with its schema's defaults: where the CLI starts. */
function defaultConfig(policies: PolicyView[]): Map<string, ReconciledConfig> {
  return new Map(
    policies.map((p) => [
      p.name,
      {
        enforcementLevel: p.enforcementLevel,
        properties: Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).flatMap(([k, v]) => (v.default === undefined ? [] : [[k, v.default]]))),
      },
    ]),
  );
}

/**
 * One layer of config over another, as the CLI's `applyConfig` lays it: the layer's `all` level
 * first, on every policy; then each entry's level, when it has one, and its properties merged in.
 */
function applyConfig(result: Map<string, ReconciledConfig>, layer: PolicyPackConfig): Map<string, ReconciledConfig> {
  const next = new Map([...result].map(([name, c]) => [name, { ...c, properties: { ...c.properties } }]));
  const all = layer.all;
  const allLevel = typeof all === "string" ? all : all?.enforcementLevel;
  if (allLevel !== undefined) {
    for (const c of next.values()) {
      c.enforcementLevel = allLevel;
    }
  }
  for (const [name, entry] of Object.entries(layer)) {
    const c = next.get(name);
    if (name === "all" || c === undefined) {
      continue;
    }
    const { enforcementLevel, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
    c.enforcementLevel = enforcementLevel ?? c.enforcementLevel;
    Object.assign(c.properties, properties);
  }
  return next;
}

function options(parent?: string): analyzerpb.AnalyzerResourceOptions {
  const opts = new analyzerpb.AnalyzerResourceOptions();
  if (parent) {
    opts.setParent(parent);
  }
  return opts;
}

interface ResourceMessage {
  setUrn(v: string): unknown;
  setType(v: string): unknown;
  setName(v: string): unknown;
  setProperties(v: Struct): unknown;
  setOptions(v: analyzerpb.AnalyzerResourceOptions): unknown;
}

/** The fields `AnalyzeRequest` and `AnalyzerResource` share. */
function describeResource<M extends ResourceMessage>(message: M, r: AnalyzerInput): M {
  message.setUrn(r.urn);
  message.setType(r.type);
  message.setName(r.name);
  message.setProperties(toStruct(r.properties));
  message.setOptions(options(r.parent));
  return message;
}

function analyzeRequest(r: AnalyzerInput): analyzerpb.AnalyzeRequest {
  return describeResource(new analyzerpb.AnalyzeRequest(), r);
}

function analyzerResource(r: AnalyzerInput): analyzerpb.AnalyzerResource {
  const res = describeResource(new analyzerpb.AnalyzerResource(), r);
  if (r.parent) {
    res.setParent(r.parent);
  }
  res.setDependenciesList(r.dependencies ?? []);
  const deps = res.getPropertydependenciesMap();
  for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
    const pd = new analyzerpb.AnalyzerPropertyDependencies();
    pd.setUrnsList(urns);
    deps.set(key, pd);
  }
  return res;
}

function analysis(res: analyzerpb.AnalyzeResponse): AnalysisResult {
  return {
    diagnostics: res.getDiagnosticsList().map(diagnostic),
    notApplicable: res.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}

function diagnostic(d: analyzerpb.AnalyzeDiagnostic): Diagnostic {
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    message: d.getMessage(),
    enforcementLevel: LEVEL_NAMES[d.getEnforcementlevel()],
    urn: d.getUrn(),
  };
}

/**
 * The requests the engine would send for a program run: per resource its inputs for `analyze`,
 * and its outputs (final state) for `analyzeStack`, with parents and (property) dependencies.
 */
export function analyzerInputs(run: ProgramRun, from: "inputs" | "outputs"): AnalyzerInput[] {
  return run.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    properties: from === "inputs" ? r.wire.inputs : r.wire.outputs,
    parent: r.parent,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
  }));
}
