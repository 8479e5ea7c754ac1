import { type Policies, type ResourceValidation, type StackValidation } from "@pulumi/policy";

type NotApplicable = (reason?: string) => never;

/**
 * `args.notApplicable` reports that a policy does not apply by throwing an Error, and V8 records a
 * stack trace for every Error built. Each rule applies to a few resource types, so for most
 * resources most rules end this way: the traces, which the pack drops (only the reason reaches the
 * engine), cost more than the rules' own checks. The same report, without the trace.
 */
export function withoutStackTrace(notApplicable: NotApplicable): NotApplicable {
  return (reason) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return notApplicable(reason);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

/** The type filter `validateResourceOfType` attaches, which lets the pack skip a call; kept when wrapping. */
function keepTypeFilter<F extends object>(wrapped: F, original: object): F {
  const type = (original as { __pulumiType?: unknown }).__pulumiType;
  return type === undefined ? wrapped : Object.assign(wrapped, { __pulumiType: type });
}

function resourceValidation(validate: ResourceValidation): ResourceValidation {
  return keepTypeFilter<ResourceValidation>(
    (args, report) => validate({ ...args, notApplicable: withoutStackTrace(args.notApplicable) }, report),
    validate,
  );
}

function stackValidation(validate: StackValidation): StackValidation {
  return keepTypeFilter<StackValidation>(
    (args, report) => validate({ ...args, notApplicable: withoutStackTrace(args.notApplicable) }, report),
    validate,
  );
}

/** Every policy as written, its "not applicable" reports made without a stack trace. */
export function withCheapNotApplicable(policies: Policies): Policies {
  return policies.map((policy) => {
    if ("validateStack" in policy && typeof policy.validateStack === "function") {
      return { ...policy, validateStack: stackValidation(policy.validateStack) };
    }
    if ("validateResource" in policy && policy.validateResource !== undefined) {
      const validate = policy.validateResource;
      return { ...policy, validateResource: Array.isArray(validate) ? validate.map(resourceValidation) : resourceValidation(validate) };
    }
    return policy;
  });
}
