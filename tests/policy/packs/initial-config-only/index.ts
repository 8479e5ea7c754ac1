// Three policies that each flag any queue; their levels come only from the pack's initial config.
import { PolicyPack, type ResourceValidationPolicy } from "@pulumi/policy";

function flagsQueues(name: string, enforcementLevel: ResourceValidationPolicy["enforcementLevel"]): ResourceValidationPolicy {
  return {
    name,
    description: `Checks that ${name} sees no queue.`,
    enforcementLevel,
    configSchema: { properties: { label: { type: "string", default: "queue" } } },
    validateResource: (args, reportViolation) => {
      if (args.type === "aws:sqs/queue:Queue") {
        reportViolation(`${args.getConfig<{ label: string }>().label} "${args.name}"`);
      }
    },
  };
}

new PolicyPack(
  "initial-config-only",
  { policies: [flagsQueues("declared-advisory", "advisory"), flagsQueues("declared-mandatory", "mandatory"), flagsQueues("settings-only", "mandatory")] },
  { all: "mandatory", "declared-mandatory": "disabled", "settings-only": { label: "work queue" } },
);
