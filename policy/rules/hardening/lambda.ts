import { type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { known, type Known, UNKNOWN } from "../../lib/unknown";

export const LAMBDA_FUNCTION_TYPE = "aws:lambda/function:Function";

/**
 * The function's environment variables: UNKNOWN when the map is computed in a preview, undefined
 * when there is none. Single values may still be unknown; `value` reads them.
 */
function variablesOf(args: ResourceValidationArgs): Known<Record<string, unknown> | undefined> {
  const variables = known(() => (args.props.environment as Record<string, unknown> | undefined)?.variables);
  if (variables === UNKNOWN) {
    return UNKNOWN;
  }
  return variables !== null && typeof variables === "object" ? (variables as Record<string, unknown>) : undefined;
}

// --- 8. No credentials in environment variables -----------------------------------------------

interface CredentialsConfig {
  allowedVariables: string[];
}

const ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
/** Names that announce a secret: the AWS credential variables, and *_SECRET, *_PASSWORD, *_TOKEN and kin. */
const SECRET_NAME =
  /^(AWS_ACCESS_KEY(_ID)?|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$|(^|_)(SECRET|SECRET_KEY|CLIENT_SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY)$/i;

/** A reference to where the secret lives (an ARN, a dynamic reference) is fine; the secret itself is not. */
function isLiteral(value: string): boolean {
  const v = value.trim();
  return v !== "" && !v.startsWith("arn:") && !v.startsWith("{{resolve:");
}

export const awsLambdaFunctionDisallowEnvCredentials: ResourceValidationPolicy = {
  name: "aws-lambda-function-disallow-env-credentials",
  description: "Checks that Lambda functions hold no AWS access keys, private keys or other literal secrets in their environment variables.",
  enforcementLevel: "advisory",
  severity: "critical",
  configSchema: {
    properties: {
      allowedVariables: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Variable names exempt from the name check (for a *_TOKEN that holds no secret); values are always checked.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    onlyFor(args, LAMBDA_FUNCTION_TYPE, "Only Lambda functions have environment variables.");
    const variables = variablesOf(args);
    if (variables === UNKNOWN || variables === undefined) {
      return;
    }
    const { allowedVariables } = args.getConfig<CredentialsConfig>();
    for (const name of Object.keys(variables)) {
      const value = known(() => variables[name]);
      if (typeof value !== "string") {
        continue;
      }
      const where = `Function "${args.name}" environment variable ${name}`;
      if (ACCESS_KEY_ID.test(value)) {
        reportViolation(`${where} holds an AWS access key ID: remove it; the function's execution role supplies short-lived credentials.`);
      } else if (PRIVATE_KEY.test(value)) {
        reportViolation(`${where} holds a private key: keep the key in Secrets Manager, pass the secret's ARN and read it at run time.`);
      } else if (SECRET_NAME.test(name) && !allowedVariables.includes(name) && isLiteral(value)) {
        reportViolation(
          `${where} holds a literal secret: keep it in Secrets Manager or an SSM SecureString parameter, pass its ARN and read it at run time.`,
        );
      }
    }
  },
};

// --- 9. Presigned-URL lifetime within a cap ----------------------------------------------------

interface PresignTtlConfig {
  variableNames: string[];
  maxSeconds: number;
}

export const awsLambdaFunctionEnforcePresignTtlCap: ResourceValidationPolicy = {
  name: "aws-lambda-function-enforce-presign-ttl-cap",
  description: "Checks that the presigned-URL lifetime a Lambda function is configured with is a whole number of seconds within the cap.",
  enforcementLevel: "advisory",
  severity: "medium",
  configSchema: {
    properties: {
      variableNames: {
        type: "array",
        items: { type: "string" },
        default: ["PRESIGN_TTL_SECONDS"],
        description: "Environment variables that set a presigned-URL lifetime in seconds.",
      },
      maxSeconds: {
        type: "integer",
        minimum: 1,
        maximum: 604800,
        default: 900,
        description: "Longest presigned-URL lifetime allowed, in seconds (SigV4 allows up to 7 days).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    onlyFor(args, LAMBDA_FUNCTION_TYPE, "Only Lambda functions are configured with a presigned-URL lifetime.");
    const variables = variablesOf(args);
    if (variables === UNKNOWN) {
      return;
    }
    const { variableNames, maxSeconds } = args.getConfig<PresignTtlConfig>();
    const present = variableNames.filter((name) => variables !== undefined && Object.keys(variables).includes(name));
    if (variables === undefined || present.length === 0) {
      return args.notApplicable(`The function sets none of ${variableNames.join(", ")}.`);
    }
    for (const name of present) {
      const value = known(() => variables[name]);
      if (value === UNKNOWN) {
        continue;
      }
      const text = String(value).trim();
      const seconds = Number(text);
      const where = `Function "${args.name}" sets ${name} to ${JSON.stringify(value)}`;
      const fix = `set a whole number of seconds from 1 to ${maxSeconds}`;
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(seconds)) {
        reportViolation(`${where}, which is not a whole number of seconds: ${fix}.`);
      } else if (seconds < 1) {
        reportViolation(`${where}, which makes every URL expire at once: ${fix}.`);
      } else if (seconds > maxSeconds) {
        reportViolation(`${where}, over the ${maxSeconds}-second cap: ${fix}; a leaked URL works until it expires.`);
      }
    }
  },
};
