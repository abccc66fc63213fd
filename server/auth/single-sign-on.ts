import * as oidc from 'openid-client';
import { z } from 'zod';
import { findParty } from '../../db/repositories/parties.repository.ts';
import {
  findIdentityProvider,
  insertSsoSignIn,
  listIdentityProviders,
  saveIdentityProvider,
  takeSsoSignIn,
  type IdentityProvider,
  type RoleRule,
} from '../../db/repositories/identity-providers.repository.ts';
import {
  findUserByEmail,
  findUserById,
  findUserBySsoSubject,
  insertUser,
  updateUserFromProvider,
  type User,
} from '../../db/repositories/users.repository.ts';
import { ROLES, type Role } from '../../workflows/agreement/agreement.events.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { DomainError, type ErrorCode, NotFoundError } from '../errors.ts';
import { openPrivateKey, sealPrivateKey } from '../signing/key-vault.ts';
import { LANGUAGES, type Lang } from '../text/languages.ts';
import { userText } from '../text/safe-text.ts';
import { hashToken, newToken, startSsoWebSession } from './sessions.ts';
import { personLine } from './user-administration.ts';

/**
 * Single sign-on with each party's own OpenID Connect provider: the authorization code flow with
 * PKCE (S256), a state and a nonce, and the ID token's signature (the provider's JWKS), issuer,
 * audience, expiry and nonce checked by openid-client, never by us. The pending request lives in the
 * database (any process may receive the answer) and is taken once, bound to the browser that started
 * it by a cookie. A person the provider vouches for gets the same web session as a password gives;
 * their role follows the provider's claims at every sign-in.
 */
const PENDING_LIFETIME_MS = 10 * 60_000;

/** Why a sign-in through the provider was refused; each has its sentence on the sign-in page. */
export type SsoRefusalReason =
  | 'expired'
  | 'unverified'
  | 'provider-refused'
  | 'unreachable'
  | 'no-email'
  | 'no-role'
  | 'other-party'
  | 'disabled';

const REFUSAL_CODES: Record<SsoRefusalReason, ErrorCode> = {
  expired: 'UNAUTHENTICATED',
  unverified: 'UNAUTHENTICATED',
  'provider-refused': 'UNAUTHENTICATED',
  unreachable: 'SERVICE_UNAVAILABLE',
  'no-email': 'FORBIDDEN',
  'no-role': 'FORBIDDEN',
  'other-party': 'FORBIDDEN',
  disabled: 'FORBIDDEN',
};

export class SsoRefusal extends DomainError {
  constructor(
    readonly reason: SsoRefusalReason,
    detail: string,
  ) {
    super(REFUSAL_CODES[reason], detail);
  }
}

const claimName = z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/, 'a claim name: letters, digits and _ . : / -');
const label = userText(80, { singleLine: true }).trim().min(1);

/** What an operator gives to connect a party's provider (the admin command line reads it). */
export const identityProviderInput = z
  .object({
    labels: z.object({ ru: label, ko: label, en: label }),
    issuer: z.url({ protocol: /^https?$/ }).refine((issuer) => issuer.startsWith('https:') || isLoopback(new URL(issuer)), {
      message: 'the issuer must be https:// (http:// only for a provider on this host, at a loopback address)',
    }),
    clientId: z.string().min(1).max(255),
    clientSecret: z.string().min(1).max(1024),
    scopes: z
      .string()
      .regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'scopes separated by single spaces')
      .refine((scopes) => scopes.split(' ').includes('openid'), { message: 'the scopes must include openid' })
      .default('openid email profile'),
    emailClaim: claimName.default('email'),
    rolesClaim: claimName.default('groups'),
    roleMapping: z
      .array(z.object({ role: z.enum(ROLES), values: z.array(z.string().min(1).max(255)).min(1) }).strict())
      .min(1, 'map at least one value of the roles claim to a role'),
  })
  .strict();
export type IdentityProviderInput = z.input<typeof identityProviderInput>;

const sealOwner = (party: string) => `oidc-client-secret:${party}`;

/** Connects (or reconnects) a party's provider; the operator's use-case. Reaches the provider first, so a typo fails here. */
export async function configureIdentityProvider(deps: UseCaseDeps, party: string, input: IdentityProviderInput): Promise<IdentityProvider> {
  const checked = identityProviderInput.parse(input);
  if (!(await findParty(deps.db, party))) throw new NotFoundError(`There is no party "${party}"`);
  const provider: IdentityProvider = {
    party,
    labels: checked.labels,
    issuer: checked.issuer,
    clientId: checked.clientId,
    sealedClientSecret: sealPrivateKey(deps.config.secret, sealOwner(party), Buffer.from(checked.clientSecret, 'utf8')),
    scopes: checked.scopes,
    emailClaim: checked.emailClaim,
    rolesClaim: checked.rolesClaim,
    roleMapping: checked.roleMapping,
    updatedAt: deps.now().toISOString(),
  };
  await clientConfiguration(deps, provider);
  await saveIdentityProvider(deps.db, provider);
  return provider;
}

/** The buttons of the sign-in page: each party with a provider, named in the page's language. */
export async function signInProviders(deps: UseCaseDeps, lang: Lang): Promise<{ party: string; label: string }[]> {
  return (await listIdentityProviders(deps.db)).map((provider) => ({ party: provider.party, label: provider.labels[lang] }));
}

/** The provider's name in a language, for a page about this party's users (undefined: the party has none). */
export async function providerLabel(deps: UseCaseDeps, party: string, lang: Lang): Promise<string | undefined> {
  return (await findIdentityProvider(deps.db, party))?.labels[lang];
}

// Discovery once per process and configuration; a changed configuration (updatedAt) is discovered afresh.
const configurations = new Map<string, Promise<oidc.Configuration>>();

/** The provider's discovered configuration, once per process and configuration; refused as `unreachable`. */
export function clientConfiguration(deps: UseCaseDeps, provider: IdentityProvider): Promise<oidc.Configuration> {
  const key = [provider.party, provider.issuer, provider.clientId, provider.updatedAt].join('\n');
  let configuration = configurations.get(key);
  if (!configuration) {
    const secret = openPrivateKey(deps.config.secret, sealOwner(provider.party), provider.sealedClientSecret).toString('utf8');
    configuration = oidc
      .discovery(new URL(provider.issuer), provider.clientId, undefined, oidc.ClientSecretBasic(secret), {
        // The ID token's signature is checked against the provider's keys even though it came over TLS
        // from the token endpoint: the issue asks for it, and it costs one cached JWKS fetch.
        execute: isLoopback(new URL(provider.issuer))
          ? [oidc.enableNonRepudiationChecks, oidc.allowInsecureRequests]
          : [oidc.enableNonRepudiationChecks],
      })
      .catch((error: unknown) => {
        configurations.delete(key);
        throw new SsoRefusal('unreachable', `The identity provider ${provider.issuer} could not be reached: ${describe(error)}`);
      });
    configurations.set(key, configuration);
  }
  return configuration;
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface SsoStart {
  /** Where to send the browser: the provider's authorization endpoint. */
  readonly authorizationUrl: string;
  /** The cookie that binds the answer to this browser. */
  readonly browserSecret: string;
}

/**
 * Starts a sign-in at the party's provider. `fresh` asks the provider to have the person prove
 * themselves again (prompt=login, max_age=0), which is what a signature by an SSO user needs.
 */
export async function beginSsoSignIn(
  deps: UseCaseDeps,
  party: string,
  options: { readonly redirectUri: string; readonly nextPath: string; readonly fresh: boolean },
): Promise<SsoStart> {
  const provider = await findIdentityProvider(deps.db, party);
  if (!provider) throw new NotFoundError(`The party "${party}" signs in with passwords only`);
  const configuration = await clientConfiguration(deps, provider);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const browserSecret = newToken();
  await insertSsoSignIn(deps.db, {
    stateHash: hashToken(state),
    party,
    browserHash: hashToken(browserSecret),
    codeVerifier,
    nonce,
    nextPath: options.nextPath,
    fresh: options.fresh,
    expiresAt: new Date(deps.now().getTime() + PENDING_LIFETIME_MS).toISOString(),
  });
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: options.redirectUri,
    scope: provider.scopes,
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(options.fresh && { prompt: 'login', max_age: '0' }),
  });
  return { authorizationUrl: url.href, browserSecret };
}

/**
 * Completes a sign-in with the provider's answer (`callbackUrl`, the redirect URI with its query).
 * Nothing is created unless every check passed: the pending request taken once, by the browser that
 * started it, for this party; the code exchanged with the PKCE verifier; the ID token verified; an
 * e-mail and a role found in its claims; and the account, if one exists, of this party and enabled.
 */
export async function completeSsoSignIn(
  deps: UseCaseDeps,
  party: string,
  answer: { readonly callbackUrl: URL; readonly browserSecret: string | undefined },
): Promise<{ token: string; user: User; nextPath: string }> {
  const state = answer.callbackUrl.searchParams.get('state');
  const pending = state ? await takeSsoSignIn(deps.db, hashToken(state), deps.now().toISOString()) : undefined;
  if (!pending || !state || pending.party !== party || pending.browserHash !== hashToken(answer.browserSecret ?? '')) {
    throw new SsoRefusal('expired', 'This sign-in answer is unknown, was used already, expired, or belongs to another browser or party');
  }
  const provider = await findIdentityProvider(deps.db, party);
  if (!provider) throw new SsoRefusal('expired', `The party "${party}" no longer signs in through a provider`);
  const configuration = await clientConfiguration(deps, provider);
  let claims: oidc.IDToken;
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(configuration, answer.callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      ...(pending.fresh && { maxAge: 0 }),
    });
    claims = tokens.claims()!;
  } catch (error) {
    if (error instanceof oidc.AuthorizationResponseError) {
      throw new SsoRefusal('provider-refused', `The identity provider refused: ${error.error}`);
    }
    throw new SsoRefusal('unverified', `The identity provider's answer did not pass the checks: ${describe(error)}`);
  }
  const person = await personClaims(configuration, provider, claims, tokens.access_token);
  const email = readEmail(provider, person);
  const role = mapRole(provider.roleMapping, person[provider.rolesClaim]);
  if (!role) throw new SsoRefusal('no-role', `The claim "${provider.rolesClaim}" names no value mapped to a Bilateral role`);
  const sso = { issuer: claims.iss, subject: claims.sub };
  const now = deps.now();
  // auth_time is when the person last proved themselves at the provider; unknown, a signature needs a fresh sign-in.
  const authenticatedAt = typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : null;
  return deps.db.transaction(async (trx) => {
    const existing = (await findUserBySsoSubject(trx, sso.issuer, sso.subject)) ?? (await findUserByEmail(trx, email));
    if (
      existing &&
      (existing.party !== party || (existing.sso && (existing.sso.issuer !== sso.issuer || existing.sso.subject !== sso.subject)))
    ) {
      throw new SsoRefusal('other-party', `${email} is a user of another party, or bound to another person at a provider`);
    }
    if (existing?.disabledAt) throw new SsoRefusal('disabled', `${email} has been disabled by the party's administrator`);
    let userId: number;
    if (existing) {
      await updateUserFromProvider(trx, existing.id, sso, role);
      userId = existing.id;
    } else {
      const displayName = personLine().min(1).safeParse(person.name).data ?? email;
      userId = await insertUser(
        trx,
        {
          email,
          party,
          role,
          displayName,
          profile: {
            name: Object.fromEntries(LANGUAGES.map((lang) => [lang, displayName])) as Record<Lang, string>,
            title: Object.fromEntries(LANGUAGES.map((lang) => [lang, ''])) as Record<Lang, string>,
          },
          // No password: this user signs in through the provider only.
          passwordHash: '',
          sso,
        },
        now.toISOString(),
      );
    }
    const user = (await findUserById(trx, userId))!;
    const sid = typeof claims.sid === 'string' && claims.sid.length <= 255 ? claims.sid : undefined;
    const token = await startSsoWebSession(trx, user, now, authenticatedAt, sid);
    return { token, user, nextPath: pending.nextPath };
  });
}

/**
 * The claims about the person: the ID token's, completed from the provider's userinfo endpoint when
 * the e-mail or the groups claim is not in it (many providers put only `sub` in the ID token). The
 * userinfo answer must be about the ID token's subject (openid-client checks `sub`); the ID token's
 * own claims win where both have one.
 */
async function personClaims(
  configuration: oidc.Configuration,
  provider: IdentityProvider,
  claims: oidc.IDToken,
  accessToken: string,
): Promise<Record<string, unknown>> {
  if (claims[provider.emailClaim] !== undefined && claims[provider.rolesClaim] !== undefined) return claims;
  let userInfo: oidc.UserInfoResponse;
  try {
    userInfo = await oidc.fetchUserInfo(configuration, accessToken, claims.sub);
  } catch (error) {
    throw new SsoRefusal('unverified', `The identity provider's userinfo answer did not pass the checks: ${describe(error)}`);
  }
  return { ...userInfo, ...claims };
}

function readEmail(provider: IdentityProvider, claims: Record<string, unknown>): string {
  const email = z.email().max(254).safeParse(claims[provider.emailClaim]).data;
  if (!email) throw new SsoRefusal('no-email', `The ID token has no e-mail address in the claim "${provider.emailClaim}"`);
  if (claims.email_verified === false) throw new SsoRefusal('no-email', `The identity provider has not verified ${email}`);
  return email.toLowerCase();
}

/** The role of the first rule whose values the claim holds (a string or a list of strings); pure. */
export function mapRole(rules: readonly RoleRule[], claim: unknown): Role | undefined {
  const held = new Set((Array.isArray(claim) ? claim : [claim]).filter((value): value is string => typeof value === 'string'));
  return rules.find((rule) => rule.values.some((value) => held.has(value)))?.role;
}
