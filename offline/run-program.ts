import * as pulumi from "@pulumi/pulumi";
import type * as programModule from "../infra/program";
import { awsMocks } from "./mocks";
import { resolveStackConfig } from "./stack-config";
import { plain, type WireValue } from "./wire";

/** One resource as the program registered it. */
export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, absent for the stack itself. */
  parent?: string;
  custom: boolean;
  /** Provider reference (`<provider urn>::<id>`), for custom resources. */
  provider?: string;
  id?: string;
  /** Plain values: secrets unwrapped, unknowns `undefined`. */
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** URNs this resource depends on, and per input property. */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** `pulumi destroy` drops it from the stack without deleting it. */
  retainOnDelete: boolean;
  /** The same values in wire form (secrets and unknowns marked), as the engine sends to analyzers. */
  wire: { inputs: WireValue; outputs: WireValue };
}

export interface ProgramRun {
  project: string;
  stack: string;
  preview: boolean;
  resources: RegisteredResource[];
  /** Stack outputs, plain. */
  outputs: Record<string, unknown>;
  /** Stack outputs in wire form. */
  wireOutputs: WireValue;
}

export interface RunOptions {
  /** Stack name; its `Pulumi.<stack>.yaml` is read unless `configFile` says otherwise. */
  stack: string;
  configFile?: string;
  /** Config values laid over the file, e.g. `{ app: "demo" }` or `{ "aws:region": "eu-west-1" }`. */
  config?: Record<string, unknown>;
  /** Run as `pulumi preview` would: computed values unknown. @default false */
  preview?: boolean;
}

type Callback<T> = (err: Error | null, response?: T) => void;
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): { toJavaScript(): WireValue } | undefined;
  getDependenciesList(): string[];
  getRetainondelete?(): boolean;
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): { toJavaScript(): WireValue } | undefined;
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): WireValue } | undefined;
}
interface MockMonitorShape {
  registerResource(req: RegisterRequest, cb: Callback<RegisterResponse>): Promise<void>;
  registerResourceOutputs(req: OutputsRequest, cb: Callback<unknown>): void;
}

// Exported by the runtime but marked @internal, so absent from its typings.
const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs;

// The Pulumi runtime is process-global state: one run at a time.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the Pulumi program for one stack under `pulumi.runtime.setMocks` and returns every resource
 * it registered (with parents, dependencies, inputs and outputs) and the stack outputs. The program
 * module is loaded lazily, after the mocks are in place, and called as a function, so each run in
 * the same process starts from scratch.
 */
export function runProgram(opts: RunOptions): Promise<ProgramRun> {
  return runUnderMocks(() => {
    // Loaded here, not at the top: @pulumi/aws must see the mocks (Pulumi's unit-testing guide: set the mocks before importing the providers).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { program } = require("../infra/program") as typeof programModule;
    return program();
  }, opts);
}

/**
 * Runs any code that builds resources (a single component, in a component's tests) under the same
 * mocks, config and recording as `runProgram`; what `build` returns becomes the stack outputs.
 */
export function runUnderMocks(build: () => unknown, opts: RunOptions): Promise<ProgramRun> {
  const run = queue.then(() => runOnce(build, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(build: () => unknown, opts: RunOptions): Promise<ProgramRun> {
  const config = resolveStackConfig({ stack: opts.stack, configFile: opts.configFile, overrides: opts.config });
  const preview = opts.preview ?? false;
  const region = config.values["aws:region"] ?? "us-east-1";

  await pulumi.runtime.setMocks(awsMocks(region, preview), config.project, config.stack, preview);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  const recorder = record(pulumi.runtime.getMonitor() as unknown as MockMonitorShape);

  await captureFailures(async () => {
    await pulumi.runtime.runInPulumiStack(async () => build() as Record<string, unknown>);
    await waitForRPCs();
  });

  const resources = recorder.resources();
  const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const wireOutputs = stack?.wire.outputs ?? {};
  return {
    project: config.project,
    stack: config.stack,
    preview,
    resources: resources.filter((r) => r !== stack),
    outputs: plain(wireOutputs) as Record<string, unknown>,
    wireOutputs,
  };
}

/**
 * A program that throws rejects more than one promise inside the Pulumi runtime, and only one of
 * them reaches us; catch the others for the duration of the run and report the first failure.
 */
async function captureFailures(body: () => Promise<void>): Promise<void> {
  const failures: unknown[] = [];
  let failFast: (reason: unknown) => void = () => undefined;
  // A failure that leaves the stack waiting on an output that will never resolve must still end the run.
  const firstFailure = new Promise<never>((_, reject) => (failFast = reject));
  firstFailure.catch(() => undefined);
  const onRejection = (reason: unknown) => {
    failures.push(reason);
    failFast(reason);
  };
  process.on("unhandledRejection", onRejection);
  try {
    await Promise.race([body(), firstFailure]);
  } catch (err) {
    failures.unshift(err);
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) {
    throw failures[0];
  }
}

/** Wraps the mock monitor so every registration is recorded with what the engine would see. */
function record(monitor: MockMonitorShape) {
  const byUrn = new Map<string, RegisteredResource>();
  const order: string[] = [];
  const register = monitor.registerResource.bind(monitor);
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);

  monitor.registerResource = (req, cb) =>
    register(req, (err, res) => {
      if (!err && res) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
          propertyDependencies[key] = deps.getUrnsList();
        });
        const wireInputs = req.getObject()?.toJavaScript() ?? {};
        const wireOutputs = res.getObject()?.toJavaScript() ?? {};
        const urn = res.getUrn();
        byUrn.set(urn, {
          urn,
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          provider: req.getProvider() || undefined,
          id: res.getId() || undefined,
          inputs: plain(wireInputs) as Record<string, unknown>,
          outputs: plain(wireOutputs) as Record<string, unknown>,
          dependencies: req.getDependenciesList(),
          retainOnDelete: req.getRetainondelete?.() ?? false,
          propertyDependencies,
          wire: { inputs: wireInputs, outputs: wireOutputs },
        });
        order.push(urn);
      }
      cb(err, res);
    });

  monitor.registerResourceOutputs = (req, cb) => {
    const resource = byUrn.get(req.getUrn());
    if (resource) {
      resource.wire.outputs = req.getOutputs()?.toJavaScript() ?? {};
      resource.outputs = plain(resource.wire.outputs) as Record<string, unknown>;
    }
    registerOutputs(req, cb);
  };

  return { resources: () => order.map((urn) => byUrn.get(urn)!) };
}

