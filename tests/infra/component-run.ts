import { type ProgramRun, runUnderMocks } from "../harness/program";

export interface ComponentRunOptions {
  /** Run as `pulumi preview` would: computed values unknown. @default false */
  preview?: boolean;
  /** `aws:region` of the run. @default the dev stack's */
  region?: string;
}

/** Builds one component (or a few) under mocks in the dev stack; what `build` returns becomes the outputs. */
export function runComponent(build: () => unknown, opts: ComponentRunOptions = {}): Promise<ProgramRun> {
  return runUnderMocks(build, { stack: "dev", preview: opts.preview, config: opts.region ? { "aws:region": opts.region } : undefined });
}
