import { CognitoRefusal } from "./cognito";
import { AdminError } from "./errors";

/** What a failure was about, so its message can name the pool, the user and what to change. */
export interface FailureContext {
  operation: "AdminCreateUser" | "AdminAddUserToGroup" | "GetGroup" | "AdminGetUser" | "AdminListGroupsForUser";
  region: string;
  userPoolId: string;
  email?: string;
  tenantClaim?: string;
  group?: string;
  /** Never echoed back, even if a service quoted it. */
  secret?: string;
}

/** Cognito's refusals as one line for an administrator; anything else passes through unchanged. */
export function explainFailure(err: unknown, ctx: FailureContext): Error {
  if (!(err instanceof CognitoRefusal)) {
    return err instanceof Error ? err : new AdminError(String(err));
  }
  const said = redact(err.message, ctx.secret);
  const pool = `user pool ${ctx.userPoolId} (${ctx.region})`;
  const message = ((): string => {
    switch (err.code) {
      case "UsernameExistsException":
        return (
          `a user with e-mail ${ctx.email} already exists in ${pool}; nothing was changed. Their tenant is not overwritten: ` +
          "another tenant would move their home prefix away from every object they own (see `npm run admin -- users set-tenant`). " +
          `Check them with \`npm run admin -- users get --email ${ctx.email}\``
        );
      case "UserNotFoundException":
        return `no user with e-mail ${ctx.email} in ${pool}`;
      case "ResourceNotFoundException":
        return /user pool/i.test(err.message) || ctx.group === undefined
          ? `${pool} does not exist: check --stack / --stack-outputs, or --user-pool-id and --region`
          : `group "${ctx.group}" does not exist in ${pool}: create it (aws cognito-idp create-group --user-pool-id ${ctx.userPoolId} --group-name ${ctx.group}) or drop --group ${ctx.group}`;
      case "InvalidParameterException":
        return ctx.tenantClaim !== undefined && /attribute/i.test(err.message)
          ? `${pool} refused the attributes (${said}): it must have the tenant attribute ${ctx.tenantClaim} that the stack's appConfig.tenantClaim names; is this the stack's own pool?`
          : `Cognito refused ${ctx.operation}: ${said}`;
      case "InvalidPasswordException":
        return `the temporary password does not meet the pool's password policy (${said}); pipe another one`;
      case "AccessDeniedException":
      case "NotAuthorizedException":
        return `not allowed to call cognito-idp:${ctx.operation} on ${pool} (${said}): use a role that may administer this pool`;
      case "ExpiredTokenException":
        return `your AWS session has expired (${said}): sign in again (e.g. \`aws sso login\`)`;
      case "UnrecognizedClientException":
      case "InvalidSignatureException":
        return `AWS does not accept these credentials (${said}): sign in again, and check the clock and --region`;
      case "TooManyRequestsException":
        return `Cognito is throttling ${ctx.operation} (${said}): wait a moment and run the command again`;
      default:
        return `Cognito refused ${ctx.operation} (${err.code}): ${said}`;
    }
  })();
  return new AdminError(message, { cause: err });
}

export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}
