import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { sigV4Problem } from "./sigv4";

/**
 * A small Cognito user-pools service on 127.0.0.1 speaking the AWS JSON 1.1 protocol the SDK uses
 * (`POST /`, `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`, JSON body), for the
 * operations the admin CLI calls. Every request must be SigV4-signed for `cognito-idp` in the
 * stand-in's Region with its static key; users live in memory with the behaviour the AdminCreateUser,
 * AdminAddUserToGroup, GetGroup, AdminGetUser and AdminListGroupsForUser references describe.
 */
export interface StandInPool {
  id: string;
  /** Custom attributes of the pool's schema, without `custom:` (the program's pool has `tenant`). */
  customAttributes: string[];
  groups: string[];
}

export interface StandInOptions {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  pools: StandInPool[];
}

export interface StoredUser {
  /** Cognito's own username for pools that sign in by e-mail: a UUID, the same as `sub`. */
  username: string;
  attributes: Record<string, string>;
  status: "FORCE_CHANGE_PASSWORD";
  enabled: boolean;
  groups: Set<string>;
  temporaryPassword?: string;
  createdAt: number;
}

export interface SeenRequest {
  operation: string;
  /** Why the request was refused before it reached the pool (signature, unknown operation); undefined if it was served. */
  rejected?: string;
  /** The error code the stand-in answered with, if any. */
  error?: string;
}

export interface CognitoStandIn {
  url: string;
  requests: SeenRequest[];
  /** Invitations Cognito would have e-mailed: one per AdminCreateUser without MessageAction SUPPRESS. */
  invitations: { poolId: string; to: string; mediums: string[] }[];
  user(poolId: string, email: string): StoredUser | undefined;
  users(poolId: string): StoredUser[];
  stop(): Promise<void>;
}

/** Standard attributes of a user pool (the "Standard attributes" table of the Cognito Developer Guide). */
const STANDARD_ATTRIBUTES = new Set([
  "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale", "middle_name", "name",
  "nickname", "phone_number", "phone_number_verified", "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
]);
/** The program's tenant attribute schema: `stringAttributeConstraints` 1-32. */
const CUSTOM_MAX = 32;
const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startCognitoStandIn(options: StandInOptions): Promise<CognitoStandIn> {
  const pools = new Map(options.pools.map((p) => [p.id, { ...p, users: new Map<string, StoredUser>() }]));
  const requests: SeenRequest[] = [];
  const invitations: CognitoStandIn["invitations"] = [];

  type Pool = NonNullable<ReturnType<typeof pools.get>>;
  const poolOf = (body: Record<string, unknown>): Pool => {
    const pool = pools.get(String(body.UserPoolId));
    if (!pool) throw new Refusal("ResourceNotFoundException", `User pool ${String(body.UserPoolId)} does not exist.`);
    return pool;
  };
  // Pools that sign in by e-mail accept the e-mail (an alias) or the UUID username wherever a Username goes.
  const findUser = (pool: Pool, username: unknown): StoredUser | undefined =>
    [...pool.users.values()].find((u) => u.username === username || u.attributes.email === username);
  const userOf = (pool: Pool, username: unknown): StoredUser => {
    const user = findUser(pool, username);
    if (!user) throw new Refusal("UserNotFoundException", "User does not exist.");
    return user;
  };
  const groupOf = (pool: Pool, name: unknown): string => {
    if (!pool.groups.includes(String(name))) throw new Refusal("ResourceNotFoundException", "Group not found.");
    return String(name);
  };
  const userJson = (u: StoredUser) => ({
    Username: u.username,
    Enabled: u.enabled,
    UserStatus: u.status,
    UserCreateDate: u.createdAt,
    UserLastModifiedDate: u.createdAt,
  });
  const attributesJson = (u: StoredUser) => Object.entries(u.attributes).map(([Name, Value]) => ({ Name, Value }));

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    AdminCreateUser(body) {
      const pool = poolOf(body);
      const username = String(body.Username ?? "");
      if (!/^[^\s@]+@[^\s@]+$/.test(username)) throw new Refusal("InvalidParameterException", "Username should be an email.");
      const attributes: Record<string, string> = {};
      for (const { Name, Value } of (body.UserAttributes ?? []) as { Name: string; Value: string }[]) {
        const custom = Name.startsWith("custom:") ? Name.slice("custom:".length) : undefined;
        if (custom !== undefined ? !pool.customAttributes.includes(custom) : !STANDARD_ATTRIBUTES.has(Name)) {
          throw new Refusal("InvalidParameterException", `Attributes did not conform to the schema: Type for attribute {${Name}} could not be determined`);
        }
        if (custom !== undefined && (Value.length < 1 || Value.length > CUSTOM_MAX)) {
          throw new Refusal("InvalidParameterException", `Attributes did not conform to the schema: ${Name}: String must be no longer than ${CUSTOM_MAX} characters`);
        }
        attributes[Name] = Value;
      }
      if (body.MessageAction === "RESEND") {
        if (!findUser(pool, username)) throw new Refusal("UserNotFoundException", "User does not exist.");
        return { User: userJson(findUser(pool, username)!) };
      }
      // The program's pool sets no UsernameConfiguration, so usernames compare case-sensitively.
      if ([...pool.users.values()].some((u) => u.attributes.email === username)) {
        throw new Refusal("UsernameExistsException", "An account with the given email already exists.");
      }
      const password = body.TemporaryPassword as string | undefined;
      if (password !== undefined && !(password.length >= 12 && /[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password) && /[^A-Za-z0-9]/.test(password))) {
        throw new Refusal("InvalidPasswordException", "Password did not conform with policy: Password not long enough");
      }
      const sub = randomUUID();
      const user: StoredUser = {
        username: sub,
        attributes: { sub, email: username, ...attributes },
        status: "FORCE_CHANGE_PASSWORD",
        enabled: true,
        groups: new Set(),
        ...(password === undefined ? {} : { temporaryPassword: password }),
        createdAt: Math.floor(Date.now() / 1000),
      };
      pool.users.set(sub, user);
      if (body.MessageAction !== "SUPPRESS") {
        invitations.push({ poolId: pool.id, to: user.attributes.email, mediums: (body.DesiredDeliveryMediums as string[] | undefined) ?? ["SMS"] });
      }
      return { User: { ...userJson(user), Attributes: attributesJson(user) } };
    },
    AdminAddUserToGroup(body) {
      const pool = poolOf(body);
      const group = groupOf(pool, body.GroupName);
      userOf(pool, body.Username).groups.add(group);
      return {};
    },
    GetGroup(body) {
      const pool = poolOf(body);
      return { Group: { GroupName: groupOf(pool, body.GroupName), UserPoolId: pool.id } };
    },
    AdminGetUser(body) {
      const user = userOf(poolOf(body), body.Username);
      return { ...userJson(user), UserAttributes: attributesJson(user) };
    },
    AdminListGroupsForUser(body) {
      const pool = poolOf(body);
      const user = userOf(pool, body.Username);
      return { Groups: [...user.groups].map((GroupName) => ({ GroupName, UserPoolId: pool.id })) };
    },
  };

  const server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const seen: SeenRequest = { operation };
    requests.push(seen);
    try {
      const problem = sigV4Problem(
        { method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body },
        { ...options, service: "cognito-idp", now: new Date() },
      );
      if (problem !== undefined) {
        seen.rejected = problem;
        throw new Refusal(/Region|service/.test(problem) ? "InvalidSignatureException" : "UnrecognizedClientException", `The request signature is not valid: ${problem}`, 403);
      }
      const handler = req.method === "POST" && req.url === "/" ? operations[operation] : undefined;
      if (!handler) {
        seen.rejected = `unknown operation ${target}`;
        throw new Refusal("UnknownOperationException", `Unknown operation ${target}`);
      }
      answer(res, 200, handler(JSON.parse(body || "{}") as Record<string, unknown>));
    } catch (err) {
      const refusal = err instanceof Refusal ? err : new Refusal("InternalErrorException", (err as Error).message, 500);
      seen.error = refusal.code;
      answer(res, refusal.status, { __type: refusal.code, message: refusal.message }, refusal.code);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    invitations,
    user: (poolId, email) => [...(pools.get(poolId)?.users.values() ?? [])].find((u) => u.attributes.email === email),
    users: (poolId) => [...(pools.get(poolId)?.users.values() ?? [])],
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-requestid": randomUUID(),
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
  });
  res.end(JSON.stringify(body));
}
