import { type StackConfig } from "../infra/config";
import { type ProgramRun, runProgram } from "../offline/run-program";
import { parseResolvedConfig, resolveStackConfig } from "../offline/stack-config";

export interface PlannedStack {
  /** Every resource the program registers for the stack, with stable mock ids and ARNs. */
  run: ProgramRun;
  /** The stack's config as the program parses it (limits, tenant claim, CORS origins…). */
  config: StackConfig;
}

/**
 * Runs the Pulumi program for `stack` under mocks (`offline/run-program.ts`), as `npm run plan`
 * does, and reads its config the way the program does, so the sandbox builds from both.
 */
export async function planStack(stack: string): Promise<PlannedStack> {
  const config = parseResolvedConfig(resolveStackConfig({ stack }));
  const run = await runProgram({ stack, preview: false });
  return { run, config };
}
