import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type StackConfig } from "../config";
import { assertAuthDomainPrefix, defaultAuthDomainPrefix } from "./domain-prefix";
import { authenticatedRoleTrustPolicy } from "./trust-policy";

export interface IdentityArgs {
  /** Identity settings from the stack config (home-key mode, tenant claim, MFA, token lifetimes, redirect URIs). */
  settings: StackConfig["identity"];
  /**
   * Keep the user pool when the stack is destroyed (deletion protection on).
   * @default true
   */
  protectUserPool?: boolean;
  /**
   * Hosted-UI domain prefix, unique per region across all AWS accounts.
   * @default `settings.authDomainPrefix`, else `<app>-<env>-<hash of account and region>` (`defaultAuthDomainPrefix`)
   */
  authDomainPrefix?: pulumi.Input<string>;
  /**
   * Names the default domain prefix when neither `authDomainPrefix` nor the settings give one.
   * @default the component name
   */
  names?: { app: string; environment: string };
  tags: Record<string, string>;
}

/**
 * Who the users are and how they get short-lived AWS credentials without any key in the app:
 * a Cognito user pool (strong passwords, optional MFA, federation-ready), a public PKCE client for
 * the app, a hosted-UI domain, an identity pool without guest access, and the single authenticated
 * role every user assumes. The role's access policy is attached by the storage that defines it.
 * The user-pool `sub` (home) and the tenant claim (tenant) become STS principal tags.
 */
export class Identity extends pulumi.ComponentResource {
  readonly userPool: aws.cognito.UserPool;
  readonly client: aws.cognito.UserPoolClient;
  readonly identityPool: aws.cognito.IdentityPool;
  readonly authenticatedRole: aws.iam.Role;
  readonly authDomain: pulumi.Output<string>;
  /** JWT issuer of the user pool: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: pulumi.Output<string>;

  constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:identity:Identity", name, {}, opts);
    const s = args.settings;
    const tenantAttribute = s.tenantClaim.slice("custom:".length);
    const region = aws.getRegionOutput({}, { parent: this });

    const userPool = createUserPool(this);
    const domain = new aws.cognito.UserPoolDomain(name, { domain: domainPrefix(this), userPoolId: userPool.id }, { parent: this });
    const client = createAppClient(this);
    const identityPool = createIdentityPool(this);
    const role = createAuthenticatedRole(this);
    mapPrincipalTags(this);
    new aws.cognito.IdentityPoolRoleAttachment(
      name,
      // One role for every user: isolation comes from principal tags (ABAC), so no rules-based
      // role mapping is needed and Cognito's 25-rules-per-provider limit never applies.
      { identityPoolId: identityPool.id, roles: { authenticated: role.arn } },
      { parent: this },
    );

    this.userPool = userPool;
    this.client = client;
    this.identityPool = identityPool;
    this.authenticatedRole = role;
    this.authDomain = pulumi.interpolate`${domain.domain}.auth.${region.region}.amazoncognito.com`;
    this.issuer = pulumi.interpolate`https://${userPool.endpoint}`;
    this.registerOutputs({
      userPoolId: userPool.id,
      clientId: client.id,
      identityPoolId: identityPool.id,
      authenticatedRoleArn: role.arn,
      authDomain: this.authDomain,
    });

    function domainPrefix(self: Identity): pulumi.Input<string> {
      if (args.authDomainPrefix !== undefined) {
        return pulumi.output(args.authDomainPrefix).apply(assertAuthDomainPrefix);
      }
      if (s.authDomainPrefix !== undefined) {
        return assertAuthDomainPrefix(s.authDomainPrefix);
      }
      const names = args.names ?? { app: name, environment: "auth" };
      const account = aws.getCallerIdentityOutput({}, { parent: self });
      return pulumi
        .all([account.accountId, region.region])
        .apply(([accountId, r]) => defaultAuthDomainPrefix({ ...names, accountId, region: r }));
    }

    function createUserPool(self: Identity) {
      return new aws.cognito.UserPool(
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
          mfaConfiguration: s.mfa,
          ...(s.mfa === "OFF" ? {} : { softwareTokenMfaConfiguration: { enabled: true } }),
          accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
          // Only administrators create tenants' users, so the tenant claim is never self-chosen.
          adminCreateUserConfig: { allowAdminCreateUserOnly: true },
          schemas: [
            {
              name: tenantAttribute,
              attributeDataType: "String",
              mutable: true,
              developerOnlyAttribute: false,
              required: false,
              stringAttributeConstraints: { minLength: "1", maxLength: "32" },
            },
          ],
          // Cognito's own sender allows only a few e-mails a day ("Email settings for Amazon Cognito user
          // pools"); production pools send through a verified SES identity.
          ...(s.email
            ? { emailConfiguration: { emailSendingAccount: "DEVELOPER", sourceArn: s.email.sourceArn, fromEmailAddress: s.email.from } }
            : {}),
          // Usernames are e-mail addresses: Ann@x and ann@x are one user, never two with two tenants
          // ("User pool attributes": case insensitivity is the recommended setting, fixed at creation).
          usernameConfiguration: { caseSensitive: false },
          deletionProtection: args.protectUserPool === false ? "INACTIVE" : "ACTIVE",
          tags: args.tags,
        },
        // A protected pool is kept by `pulumi destroy` (dropped from the stack, not deleted), so the
        // destroy completes instead of failing on Cognito's deletion protection.
        { parent: self, retainOnDelete: args.protectUserPool !== false },
      );
    }

    function createAppClient(self: Identity) {
      return new aws.cognito.UserPoolClient(
        name,
        {
          userPoolId: userPool.id,
          // A public client: the app can keep no secret, so it uses the code flow with PKCE.
          generateSecret: false,
          allowedOauthFlowsUserPoolClient: true,
          allowedOauthFlows: ["code"],
          allowedOauthScopes: ["openid", "email", "profile"],
          callbackUrls: s.callbackUrls,
          logoutUrls: s.logoutUrls,
          // Add federated providers (SignInWithApple, Google, SAML, OIDC) here as they are configured.
          supportedIdentityProviders: ["COGNITO"],
          explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
          preventUserExistenceErrors: "ENABLED",
          enableTokenRevocation: true,
          accessTokenValidity: s.tokenMinutes,
          idTokenValidity: s.tokenMinutes,
          refreshTokenValidity: s.refreshTokenDays,
          tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
          readAttributes: ["email", "email_verified", s.tenantClaim],
          // The tenant claim is readable, never writable by users.
          writeAttributes: ["email"],
        },
        { parent: self },
      );
    }

    function createIdentityPool(self: Identity) {
      return new aws.cognito.IdentityPool(
        name,
        {
          identityPoolName: name.replace(/-/g, "_"),
          allowUnauthenticatedIdentities: false,
          allowClassicFlow: false,
          cognitoIdentityProviders: [{ clientId: client.id, providerName: userPool.endpoint, serverSideTokenCheck: true }],
          tags: args.tags,
        },
        { parent: self },
      );
    }

    function createAuthenticatedRole(self: Identity) {
      return new aws.iam.Role(
        `${name}-app-user`,
        {
          description: "Assumed by signed-in app users through the identity pool; scoped to their own home by principal tags.",
          assumeRolePolicy: identityPool.id.apply((id) => JSON.stringify(authenticatedRoleTrustPolicy(id))),
          maxSessionDuration: 3600,
          tags: args.tags,
        },
        { parent: self },
      );
    }

    function mapPrincipalTags(self: Identity) {
      const tags: Record<string, string> = { tenant: s.tenantClaim };
      if (s.homeKey === "userSub") {
        tags.home = "sub";
      }
      return new aws.cognito.IdentityPoolProviderPrincipalTag(
        name,
        { identityPoolId: identityPool.id, identityProviderName: userPool.endpoint, principalTags: tags, useDefaults: false },
        { parent: self },
      );
    }
  }
}
