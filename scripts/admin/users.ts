import { type CreateUserCommand, type GetUserCommand, Invitation } from "./args";
import { type DirectoryUser, type UserDirectory } from "./cognito";
import { AdminError } from "./errors";
import { explainFailure, type FailureContext } from "./failures";
import { type AdminTarget } from "./stack-outputs";

/** Where a command writes: one JSON line of result on `out`, warnings on `warn`. */
export interface AdminIo {
  out(line: string): void;
  warn(line: string): void;
}

/** Why `users set-tenant` does nothing: the tenant is part of every key a user owns. */
export const SET_TENANT_REFUSAL =
  "users set-tenant is refused by design. A user's tenant is the first part of every key they own " +
  "(tenants/<tenant>/home/<home>/…) and, for access-point and bucket tenants, names the access point or bucket, " +
  "so changing it would leave all their objects behind and give them an empty home. To move a user: copy their " +
  "objects from tenants/<old>/home/<home>/ to tenants/<new>/home/<home>/ (in the new tenant's bucket if it has one); " +
  "then change the attribute (aws cognito-idp admin-update-user-attributes) and sign them out (aws cognito-idp " +
  "admin-user-global-sign-out): tokens and STS credentials already issued keep the old tenant until they expire; " +
  "delete the old copies last. Or create a new user in the new tenant.";

/**
 * `users create`: checks every group first, so a typo creates nobody; creates the user with their
 * e-mail (verified: an administrator vouches for it) and tenant; adds them to the groups.
 */
export async function createUser(
  cmd: CreateUserCommand,
  target: AdminTarget,
  directory: UserDirectory,
  io: AdminIo,
  temporaryPassword?: string,
): Promise<void> {
  const ctx = (operation: FailureContext["operation"], extra: Partial<FailureContext> = {}): FailureContext => ({
    operation,
    region: target.region,
    userPoolId: target.userPoolId,
    email: cmd.email,
    tenantClaim: target.tenantClaim,
    secret: temporaryPassword,
    ...extra,
  });

  if (!(cmd.tenant in target.tenants)) {
    io.warn(
      `tenant "${cmd.tenant}" has no access point or bucket of its own in this stack (it is not in appConfig.storage.tenants of ${target.origin}), ` +
        `so its users' objects go to the pooled bucket${target.pooledBucket ? ` ${target.pooledBucket}` : ""}. That is right for a pooled tenant; ` +
        "if it should have its own, add it to mobile-s3:tenants with its tier and `pulumi up` before its users upload.",
    );
  }
  if (cmd.invitation === Invitation.suppress && temporaryPassword === undefined) {
    io.warn("--suppress-invite without --temporary-password-from-stdin: nobody learns the password Cognito generates; resend the invitation later to let them in.");
  }
  for (const group of cmd.groups) {
    let exists: boolean;
    try {
      exists = await directory.groupExists(group);
    } catch (err) {
      throw explainFailure(err, ctx("GetGroup", { group }));
    }
    if (!exists) {
      throw new AdminError(
        `group "${group}" does not exist in user pool ${target.userPoolId} (${target.region}); nobody was created. ` +
          `Create it (aws cognito-idp create-group --user-pool-id ${target.userPoolId} --group-name ${group}) or drop --group ${group}`,
      );
    }
  }

  let user: DirectoryUser;
  try {
    user = await directory.createUser({
      email: cmd.email,
      attributes: { [target.tenantClaim]: cmd.tenant },
      invitation: cmd.invitation,
      ...(temporaryPassword === undefined ? {} : { temporaryPassword }),
    });
  } catch (err) {
    throw explainFailure(err, ctx("AdminCreateUser"));
  }

  const added: string[] = [];
  for (const group of cmd.groups) {
    try {
      await directory.addToGroup(user.username, group);
      added.push(group);
    } catch (err) {
      io.out(resultLine(cmd, user, added));
      const why = explainFailure(err, ctx("AdminAddUserToGroup", { group })).message;
      throw new AdminError(`${cmd.email} was created (sub ${user.sub}) but not added to group "${group}": ${why}; add them with aws cognito-idp admin-add-user-to-group`);
    }
  }
  io.out(resultLine(cmd, user, added));
}

/** `users get`: the user's sub, tenant (from the stack's tenant claim), status and groups. */
export async function getUser(cmd: GetUserCommand, target: AdminTarget, directory: UserDirectory, io: AdminIo): Promise<void> {
  const ctx = (operation: FailureContext["operation"]): FailureContext => ({ operation, region: target.region, userPoolId: target.userPoolId, email: cmd.email });
  let user: DirectoryUser;
  let groups: string[];
  try {
    user = await directory.getUser(cmd.email);
  } catch (err) {
    throw explainFailure(err, ctx("AdminGetUser"));
  }
  try {
    groups = await directory.groupsOf(user.username);
  } catch (err) {
    throw explainFailure(err, ctx("AdminListGroupsForUser"));
  }
  io.out(
    JSON.stringify({
      email: user.attributes.email ?? cmd.email,
      sub: user.sub ?? null,
      tenant: user.attributes[target.tenantClaim] ?? null,
      status: user.status ?? null,
      enabled: user.enabled ?? null,
      groups,
    }),
  );
  if (user.attributes[target.tenantClaim] === undefined) {
    io.warn(`${cmd.email} has no ${target.tenantClaim}: the API refuses them (NoTenant) until they have a tenant`);
  }
}

function resultLine(cmd: CreateUserCommand, user: DirectoryUser, groups: string[]): string {
  return JSON.stringify({
    email: cmd.email,
    sub: user.sub ?? null,
    status: user.status ?? null,
    tenant: cmd.tenant,
    groups,
    invitation: cmd.invitation === Invitation.suppress ? "suppressed" : "sent",
  });
}
