import { AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminGetUserCommand, AdminListGroupsForUserCommand, type AttributeType, CognitoIdentityProviderClient, CognitoIdentityProviderServiceException, GetGroupCommand } from "@aws-sdk/client-cognito-identity-provider";
import { type Invitation } from "./args";
import { AdminError } from "./errors";

export interface DirectoryOptions {
  region: string;
  userPoolId: string;
  /** A Cognito-compatible endpoint instead of `cognito-idp.<region>.amazonaws.com`. */
  endpoint?: string;
}

export interface NewUser {
  /** Also the username: the program's pool signs users in by e-mail. */
  email: string;
  /** Further attributes, e.g. the tenant claim. */
  attributes: Record<string, string>;
  invitation: Invitation;
  temporaryPassword?: string;
}

export interface DirectoryUser {
  /** The username Cognito keeps (a UUID in pools that sign in by e-mail). */
  username: string;
  sub?: string;
  status?: string;
  enabled?: boolean;
  attributes: Record<string, string>;
}

/** Cognito answered with an error; `code` is its exception name (UsernameExistsException, …). */
export class CognitoRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CognitoRefusal";
  }
}

/**
 * The user-pool calls the admin commands make, with the default credential chain (SSO, an assumed
 * role, environment variables). Service errors become `CognitoRefusal`s; a missing credential or an
 * unreachable endpoint becomes an `AdminError` saying what to do.
 */
export class UserDirectory {
  private readonly client: CognitoIdentityProviderClient;

  constructor(private readonly options: DirectoryOptions) {
    this.client = new CognitoIdentityProviderClient({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      maxAttempts: 3,
    });
  }

  get userPoolId(): string {
    return this.options.userPoolId;
  }

  async createUser(user: NewUser): Promise<DirectoryUser> {
    const { User } = await this.call(() =>
      this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.options.userPoolId,
          Username: user.email,
          UserAttributes: toAttributes({ email: user.email, email_verified: "true", ...user.attributes }),
          DesiredDeliveryMediums: ["EMAIL"],
          // No MessageAction: Cognito sends the invitation. RESEND is only for users who exist already.
          ...(user.invitation === "suppress" ? { MessageAction: "SUPPRESS" as const } : {}),
          ...(user.temporaryPassword === undefined ? {} : { TemporaryPassword: user.temporaryPassword }),
        }),
      ),
    );
    const attributes = fromAttributes(User?.Attributes);
    return { username: User?.Username ?? user.email, sub: attributes.sub, status: User?.UserStatus, enabled: User?.Enabled, attributes };
  }

  async groupExists(group: string): Promise<boolean> {
    try {
      await this.call(() => this.client.send(new GetGroupCommand({ UserPoolId: this.options.userPoolId, GroupName: group })));
      return true;
    } catch (err) {
      // Cognito says "Group not found." for a missing group and "User pool … does not exist." for a missing pool.
      if (err instanceof CognitoRefusal && err.code === "ResourceNotFoundException" && !/user pool/i.test(err.message)) {
        return false;
      }
      throw err;
    }
  }

  async addToGroup(username: string, group: string): Promise<void> {
    await this.call(() => this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.options.userPoolId, Username: username, GroupName: group })));
  }

  async getUser(username: string): Promise<DirectoryUser> {
    const answer = await this.call(() => this.client.send(new AdminGetUserCommand({ UserPoolId: this.options.userPoolId, Username: username })));
    const attributes = fromAttributes(answer.UserAttributes);
    return { username: answer.Username ?? username, sub: attributes.sub, status: answer.UserStatus, enabled: answer.Enabled, attributes };
  }

  async groupsOf(username: string): Promise<string[]> {
    const groups: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.options.userPoolId, Username: username, NextToken: token })),
      );
      groups.push(...(page.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])));
      token = page.NextToken;
    } while (token);
    return groups;
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): Error {
    if (err instanceof CognitoIdentityProviderServiceException) {
      return new CognitoRefusal(err.name, err.message, { cause: err });
    }
    const name = (err as Error)?.name;
    if (name === "CredentialsProviderError") {
      return new AdminError(
        "no AWS credentials found: sign in first (e.g. `aws sso login` with AWS_PROFILE set, or assume a role in CI); the default credential chain found none",
        { cause: err },
      );
    }
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code !== undefined && /^E[A-Z]+$/.test(code)) {
      const where = this.options.endpoint ?? `cognito-idp.${this.options.region}.amazonaws.com`;
      return new AdminError(`cannot reach Cognito at ${where} (${code}): check the network, --region and --endpoint`, { cause: err });
    }
    // The SDK's service errors from other packages (e.g. a signature error before the model knows it) still carry a name.
    return new CognitoRefusal(name ?? "Error", (err as Error)?.message ?? String(err), { cause: err });
  }
}

function toAttributes(values: Record<string, string>): AttributeType[] {
  return Object.entries(values).map(([Name, Value]) => ({ Name, Value }));
}

function fromAttributes(attributes: AttributeType[] | undefined): Record<string, string> {
  return Object.fromEntries((attributes ?? []).flatMap((a) => (a.Name === undefined ? [] : [[a.Name, a.Value ?? ""]])));
}
