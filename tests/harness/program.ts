// Harness 1: the Pulumi program under mocks. The runner lives in offline/ because the plan uses it too.
export { runProgram, runUnderMocks, type ProgramRun, type RegisteredResource, type RunOptions } from "../../offline/run-program";
export { plain, display } from "../../offline/wire";
export { MOCK_ACCOUNT_ID } from "../../offline/mocks";

import { type ProgramRun, type RegisteredResource } from "../../offline/run-program";

/** Resources of one type token, in registration order. */
export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The single resource of a type; fails the test when there are none or several. */
export function onlyOfType(run: ProgramRun, type: string): RegisteredResource {
  const found = ofType(run, type);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${found.length}`);
  }
  return found[0];
}
