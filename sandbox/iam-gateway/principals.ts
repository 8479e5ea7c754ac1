import { randomBytes } from "node:crypto";
import { type KeyMaterial } from "./sigv4";

/** One access key the gateway accepts, and who signs with it. */
export interface Principal extends KeyMaterial {
  accessKeyId: string;
  secretAccessKey: string;
  /** The caller as IAM names it: `arn:aws:sts::<account>:assumed-role/<role>/<session>` for role sessions. */
  principalArn: string;
  /** The identity policies of the role (or user) behind the key. */
  identityPolicies: unknown[];
  /** Request context the session carries: `aws:PrincipalTag/*`, `cognito-identity.amazonaws.com:sub`… */
  context: Record<string, string | string[]>;
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  principalArn: string;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const pick = (chars: string, n: number) => Array.from(randomBytes(n), (b) => chars[b % chars.length]).join("");

/** A temporary key pair as STS issues them: `ASIA…` id, 40-character secret, an opaque session token. */
export function temporaryKeys(): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  return { accessKeyId: `ASIA${pick(ALNUM, 16)}`, secretAccessKey: pick(SECRET, 40), sessionToken: randomBytes(96).toString("base64") };
}

/** `arn:aws:sts::<acct>:assumed-role/<name>/<session>` → `arn:aws:iam::<acct>:role/<name>` (what `aws:PrincipalArn` holds for a role session). */
export function roleArnOfSession(principalArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(principalArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : principalArn;
}

export function accountOf(principalArn: string): string | undefined {
  return /^arn:[^:]+:(?:sts|iam)::(\d{12}):/.exec(principalArn)?.[1];
}

/**
 * Access key id → principal. The gateway looks keys up here; the identity pool stand-in and the
 * sandbox register keys here. Expired keys stay until `prune` (requests with them get ExpiredToken).
 */
export class PrincipalRegistry {
  private readonly byKey = new Map<string, Principal>();

  constructor(
    readonly accountId: string,
    readonly partition = "aws",
  ) {}

  register(principal: Principal): Principal {
    this.byKey.set(principal.accessKeyId, principal);
    return principal;
  }

  lookup(accessKeyId: string): Principal | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Forgets every key that expired before `now`. */
  prune(now = Date.now()): void {
    for (const [id, p] of this.byKey) {
      if (p.expiresAt !== undefined && p.expiresAt < now) {
        this.byKey.delete(id);
      }
    }
  }

  /**
   * A session of role `name` (a Lambda function's execution role) with `policy` as its identity
   * policy: one fresh temporary key pair, principal `…:assumed-role/<name>/<session>`.
   */
  registerRole(name: string, policy: unknown, options: { session?: string; lifetimeSeconds?: number; context?: Record<string, string | string[]> } = {}): RoleCredentials {
    const keys = temporaryKeys();
    const expiration = new Date(Date.now() + (options.lifetimeSeconds ?? 12 * 3600) * 1000);
    const principalArn = `arn:${this.partition}:sts::${this.accountId}:assumed-role/${name}/${options.session ?? name}`;
    this.register({ ...keys, principalArn, identityPolicies: [policy], context: options.context ?? {}, expiresAt: expiration.getTime() });
    return { ...keys, expiration, principalArn };
  }
}
