import * as assert from "node:assert/strict";
import { type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationArgs, type StackValidationPolicy } from "@pulumi/policy";
import { withCheapNotApplicable, withoutStackTrace } from "../../policy/lib/not-applicable";

class NotApplicableError extends Error {}

/** What the pack's server hands a rule: a `notApplicable` that throws, recording the stack depth it saw. */
function thrower() {
  const seen: { limit: number; stack: string | undefined }[] = [];
  const notApplicable = (reason?: string): never => {
    const err = new NotApplicableError(reason);
    seen.push({ limit: Error.stackTraceLimit, stack: err.stack });
    throw err;
  };
  return { notApplicable, seen };
}

describe("policy/lib/not-applicable", () => {
  it("throws the server's own error, built without a stack trace, and restores the trace limit", () => {
    const { notApplicable, seen } = thrower();
    const limit = Error.stackTraceLimit;
    assert.throws(() => withoutStackTrace(notApplicable)("Only KMS keys rotate."), (err: unknown) => err instanceof NotApplicableError && err.message === "Only KMS keys rotate.");
    assert.equal(seen[0].limit, 0);
    assert.doesNotMatch(seen[0].stack ?? "", /\n\s+at /);
    assert.equal(Error.stackTraceLimit, limit);
  });

  it("wraps resource and stack rules alike, keeping everything else about each policy", () => {
    const calls: string[] = [];
    const typed = Object.assign((args: ResourceValidationArgs) => args.notApplicable("typed"), { __pulumiType: "aws:kms/key:Key" });
    const resourcePolicy: ResourceValidationPolicy = {
      name: "a",
      description: "Checks that a.",
      enforcementLevel: "mandatory",
      validateResource: [typed, (args) => void calls.push(`resource ${args.name}`)],
    };
    const stackPolicy: StackValidationPolicy = {
      name: "b",
      description: "Checks that b.",
      validateStack: (args) => {
        calls.push(`stack ${args.resources.length}`);
        args.notApplicable("The stack has no S3 bucket.");
      },
    };
    const [resource, stack] = withCheapNotApplicable([resourcePolicy, stackPolicy]) as [ResourceValidationPolicy, StackValidationPolicy];
    assert.deepEqual([resource.name, resource.description, resource.enforcementLevel, stack.name], ["a", "Checks that a.", "mandatory", "b"]);

    const validations = resource.validateResource as ((args: ResourceValidationArgs, report: () => void) => void)[];
    assert.equal((validations[0] as unknown as { __pulumiType: string }).__pulumiType, "aws:kms/key:Key", "the pack's type filter survives");
    const { notApplicable, seen } = thrower();
    const resourceArgs = { name: "key", notApplicable } as unknown as ResourceValidationArgs;
    assert.throws(() => validations[0](resourceArgs, () => undefined), NotApplicableError);
    validations[1](resourceArgs, () => undefined);
    assert.throws(() => stack.validateStack({ resources: [], notApplicable } as unknown as StackValidationArgs, () => undefined), /no S3 bucket/);
    assert.deepEqual(calls, ["resource key", "stack 0"]);
    assert.deepEqual(
      seen.map((s) => s.limit),
      [0, 0],
    );
  });
});
