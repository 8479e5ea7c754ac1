import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ComponentArgs, LibraryComponent, type Transforms } from "../component";
import { type HomeKey } from "../tenancy/access-policies";
import { assertAuthDomainPrefix, defaultAuthDomainPrefix } from "./domain-prefix";
import { authenticatedRoleTrustPolicy } from "./trust-policy";

export interface IdentityArgs extends ComponentArgs<IdentityTransform> {
  /**
   * What names a user's home prefix: `userSub` (the user-pool `sub`, mapped to the `home` principal
   * tag) or `identityId` (the identity pool's id, which needs no tag).
   * @default "userSub"
   */
  homeKey?: HomeKey;
  /**
   * User-pool claim holding the user's tenant id: a custom attribute only administrators write,
   * mapped to the `tenant` principal tag.
   * @default "custom:tenant"
   */
  tenantClaim?: string;
  /**
   * Multi-factor authentication: OFF, OPTIONAL or ON (TOTP).
   * @default "OPTIONAL"
   */
  mfa?: "OFF" | "OPTIONAL" | "ON";
  /**
   * Lifetime of ID and access tokens in minutes (Short lifetimes).
   * @default 15
   */
  tokenMinutes?: number;
  /**
   * Lifetime of refresh tokens in days.
   * @default 7
   */
  refreshTokenDays?: number;
  /** OAuth redirect URIs of the app (custom scheme or https; http only for localhost). Required. */
  callbackUrls: string[];
  /**
   * Sign-out redirect URIs of the app.
   * @default []
   */
  logoutUrls?: string[];
  /**
   * Cognito sends its e-mails through this verified SES identity instead of its own, rate-limited sender.
   * @default Cognito's own sender
   */
  email?: { from: string; sourceArn: string };
  /**
   * Keep the user pool when the stack is destroyed (deletion protection on).
   * @default true
   */
  protectUserPool?: boolean;
  /**
   * Hosted-UI domain prefix, unique per region across all AWS accounts.
   * @default `<app>-<env>-<hash of account and region>` from `names` (`defaultAuthDomainPrefix`)
   */
  authDomainPrefix?: pulumi.Input<string>;
  /**
   * Names the default domain prefix when `authDomainPrefix` is not given.
   * @default { app: <component name>, environment: "auth" }
   */
  names?: { app: string; environment: string };
}

/** One `Transform` per child of `Identity`. */
export type IdentityTransform = Transforms<{
  userPool: aws.cognito.UserPoolArgs; domain: aws.cognito.UserPoolDomainArgs; client: aws.cognito.UserPoolClientArgs;
  identityPool: aws.cognito.IdentityPoolArgs; authenticatedRole: aws.iam.RoleArgs;
  principalTags: aws.cognito.IdentityPoolProviderPrincipalTagArgs;
  roleAttachment: aws.cognito.IdentityPoolRoleAttachmentArgs;
}>;

/**
 * Who the users are and how they get short-lived AWS credentials without any key in the app:
 * a Cognito user pool (strong passwords, optional MFA, federation-ready), a public PKCE client for
 * the app, a hosted-UI domain, an identity pool without guest access, and the single authenticated
 * role every user assumes. The role's access policy is attached by the storage that defines it.
 * The user-pool `sub` (home) and the tenant claim (tenant) become STS principal tags.
 */
export class Identity extends LibraryComponent {
  readonly userPool: aws.cognito.UserPool;
  readonly domain: aws.cognito.UserPoolDomain;
  readonly client: aws.cognito.UserPoolClient;
  readonly identityPool: aws.cognito.IdentityPool;
  readonly authenticatedRole: aws.iam.Role;
  readonly principalTags: aws.cognito.IdentityPoolProviderPrincipalTag;
  readonly roleAttachment: aws.cognito.IdentityPoolRoleAttachment;
  readonly authDomain: pulumi.Output<string>;
  /** JWT issuer of the user pool: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: pulumi.Output<string>;

  constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:identity:Identity", name, args.tags, opts);
    const t = args.transform ?? {};
    const mfa = args.mfa ?? "OPTIONAL";
    const tenantClaim = args.tenantClaim ?? "custom:tenant";
    const tokenMinutes = args.tokenMinutes ?? 15;
    const region = aws.getRegionOutput({}, { parent: this });
    const protect = args.protectUserPool !== false;

    this.userPool = this.child(
      aws.cognito.UserPool,
      name,
      {
        usernameAttributes: ["email"],
        autoVerifiedAttributes: ["email"],
        passwordPolicy: {
          minimumLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: true,
          temporaryPasswordValidityDays: 3,
        },
        mfaConfiguration: mfa,
        ...(mfa === "OFF" ? {} : { softwareTokenMfaConfiguration: { enabled: true } }),
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        // Only administrators create tenants' users, so the tenant claim is never self-chosen.
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        schemas: [
          {
            name: tenantClaim.slice("custom:".length),
            attributeDataType: "String",
            mutable: true,
            developerOnlyAttribute: false,
            required: false,
            stringAttributeConstraints: { minLength: "1", maxLength: "32" },
          },
        ],
        // Cognito's own sender allows only a few e-mails a day ("Email settings for Amazon Cognito user
        // pools"); production pools send through a verified SES identity.
        ...(args.email
          ? { emailConfiguration: { emailSendingAccount: "DEVELOPER", sourceArn: args.email.sourceArn, fromEmailAddress: args.email.from } }
          : {}),
        // Usernames are e-mail addresses: Ann@x and ann@x are one user, never two with two tenants
        // ("User pool attributes": case insensitivity is the recommended setting, fixed at creation).
        usernameConfiguration: { caseSensitive: false },
        deletionProtection: protect ? "ACTIVE" : "INACTIVE",
      },
      t.userPool,
      // A protected pool is kept by `pulumi destroy` (dropped from the stack, not deleted), so the
      // destroy completes instead of failing on Cognito's deletion protection.
      { retainOnDelete: protect },
    );
    this.domain = this.child(aws.cognito.UserPoolDomain, name, { domain: this.domainPrefix(name, args, region), userPoolId: this.userPool.id }, t.domain);
    this.client = this.child(
      aws.cognito.UserPoolClient,
      name,
      {
        userPoolId: this.userPool.id,
        // A public client: the app can keep no secret, so it uses the code flow with PKCE.
        generateSecret: false,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: ["openid", "email", "profile"],
        callbackUrls: args.callbackUrls,
        logoutUrls: args.logoutUrls ?? [],
        // Add federated providers (SignInWithApple, Google, SAML, OIDC) here as they are configured.
        supportedIdentityProviders: ["COGNITO"],
        explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
        accessTokenValidity: tokenMinutes,
        idTokenValidity: tokenMinutes,
        refreshTokenValidity: args.refreshTokenDays ?? 7,
        tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
        readAttributes: ["email", "email_verified", tenantClaim],
        // The tenant claim is readable, never writable by users.
        writeAttributes: ["email"],
      },
      t.client,
    );
    this.identityPool = this.child(
      aws.cognito.IdentityPool,
      name,
      {
        identityPoolName: name.replace(/-/g, "_"),
        allowUnauthenticatedIdentities: false,
        allowClassicFlow: false,
        cognitoIdentityProviders: [{ clientId: this.client.id, providerName: this.userPool.endpoint, serverSideTokenCheck: true }],
      },
      t.identityPool,
    );
    this.authenticatedRole = this.child(
      aws.iam.Role,
      `${name}-app-user`,
      {
        description: "Assumed by signed-in app users through the identity pool; scoped to their own home by principal tags.",
        assumeRolePolicy: this.identityPool.id.apply((id) => JSON.stringify(authenticatedRoleTrustPolicy(id))),
        maxSessionDuration: 3600,
      },
      t.authenticatedRole,
    );
    const principalTags: Record<string, string> = { tenant: tenantClaim, ...((args.homeKey ?? "userSub") === "userSub" ? { home: "sub" } : {}) };
    this.principalTags = this.child(
      aws.cognito.IdentityPoolProviderPrincipalTag,
      name,
      { identityPoolId: this.identityPool.id, identityProviderName: this.userPool.endpoint, principalTags, useDefaults: false },
      t.principalTags,
    );
    // One role for every user: isolation comes from principal tags (ABAC), so no rules-based
    // role mapping is needed and Cognito's 25-rules-per-provider limit never applies.
    this.roleAttachment = this.child(
      aws.cognito.IdentityPoolRoleAttachment,
      name,
      { identityPoolId: this.identityPool.id, roles: { authenticated: this.authenticatedRole.arn } },
      t.roleAttachment,
    );

    this.authDomain = pulumi.interpolate`${this.domain.domain}.auth.${region.region}.amazoncognito.com`;
    this.issuer = pulumi.interpolate`https://${this.userPool.endpoint}`;
    this.registerOutputs({
      userPoolId: this.userPool.id,
      clientId: this.client.id,
      identityPoolId: this.identityPool.id,
      authenticatedRoleArn: this.authenticatedRole.arn,
      authDomain: this.authDomain,
    });
  }

  private domainPrefix(name: string, args: IdentityArgs, region: pulumi.Output<aws.GetRegionResult>): pulumi.Input<string> {
    if (typeof args.authDomainPrefix === "string") {
      return assertAuthDomainPrefix(args.authDomainPrefix);
    }
    if (args.authDomainPrefix !== undefined) {
      return pulumi.output(args.authDomainPrefix).apply(assertAuthDomainPrefix);
    }
    const names = args.names ?? { app: name, environment: "auth" };
    const account = aws.getCallerIdentityOutput({}, { parent: this });
    return pulumi.all([account.accountId, region.region]).apply(([accountId, r]) => defaultAuthDomainPrefix({ ...names, accountId, region: r }));
  }
}
