import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { configureIdentityProvider } from '../../server/auth/single-sign-on.ts';
import type { Role } from '../../workflows/agreement/agreement.events.ts';

/** A person at the test's identity provider; mutable, so a test can move them to other groups. */
export interface ProviderAccount {
  email: string;
  name?: string;
  groups: string[];
  emailVerified?: boolean;
}

/** What a test may do to the ID token on its way from the token endpoint to Bilateral: an attacker in the middle. */
export type IdTokenTamper = (idToken: string, signWithProviderKey: (payload: Record<string, unknown>) => string) => string;

export interface TestIdentityProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accounts: Record<string, ProviderAccount>;
  /** Set to change the next ID tokens the token endpoint answers with; undefined: untouched. */
  tamper: IdTokenTamper | undefined;
  /** Signs a JWT with the provider's own key (RS256, its kid), as the provider itself would sign one. */
  readonly signWithProviderKey: (payload: Record<string, unknown>) => string;
  readonly close: () => Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on a loopback port: one tenant, one client (Bilateral, with
 * the redirect URIs given), its own RSA signing key, PKCE required, the development login pages
 * (any account id in `accounts` signs in; no consent screen, as for a government's own application),
 * and the scope claims (e-mail, name, groups) in the ID token, or, with `claimsIn: 'userinfo'`, only
 * from the userinfo endpoint (the ID token then carries `sub` and no claim of the scopes). With
 * `backChannelLogoutUri` the back-channel logout feature is on: signing out at the provider
 * (its end_session endpoint) posts a logout token naming the session (`sid`) there.
 */
export async function startIdentityProvider(options: {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly accounts: Record<string, ProviderAccount>;
  readonly claimsIn?: 'id-token' | 'userinfo';
  readonly backChannelLogoutUri?: string;
}): Promise<TestIdentityProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-signing-key';
  const clientSecret = `secret-of-${options.clientId}-at-${issuer}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: clientSecret,
        redirect_uris: [...options.redirectUris],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        ...(options.backChannelLogoutUri && {
          backchannel_logout_uri: options.backChannelLogoutUri,
          backchannel_logout_session_required: true,
        }),
      },
    ],
    features: { backchannelLogout: { enabled: Boolean(options.backChannelLogoutUri) } },
    // The provider refuses to call special-use addresses (SSRF protection by its own dispatcher);
    // here Bilateral's logout endpoint is on a loopback port, so the provider calls it with plain fetch.
    fetch: (url: string | URL | Request, init?: RequestInit) => {
      const { dispatcher: _protected, ...plain } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return fetch(url, plain);
    },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    conformIdTokenClaims: options.claimsIn === 'userinfo',
    pkce: { required: () => true },
    cookies: { keys: ['cookie key of the test provider'] },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: (_context, id) => {
      const account = options.accounts[id];
      return (
        account && {
          accountId: id,
          claims: () => ({
            sub: id,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name,
            groups: account.groups,
          }),
        }
      );
    },
    loadExistingGrant: async (context: KoaContextWithOIDC) => {
      const { client, session } = context.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new context.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  const result: TestIdentityProvider = {
    issuer,
    clientId: options.clientId,
    clientSecret,
    accounts: options.accounts,
    tamper: undefined,
    signWithProviderKey: (payload) => signJwt(payload, privateKey, kid),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const tamper = result.tamper;
    if (tamper && request.method === 'POST' && request.url?.startsWith('/token')) {
      rewriteIdToken(response, (idToken) => tamper(idToken, (payload) => signJwt(payload, privateKey, kid)));
    }
    void handle(request, response);
  });
  return result;
}

/** Replaces the id_token of the JSON body the provider is about to send. */
function rewriteIdToken(response: ServerResponse, change: (idToken: string) => string): void {
  const setHeader = response.setHeader.bind(response);
  response.setHeader = (name, value) => (name.toLowerCase() === 'content-length' ? response : setHeader(name, value));
  const end = response.end.bind(response) as (chunk?: unknown) => ServerResponse;
  response.end = ((chunk?: unknown) => {
    if (chunk === undefined || typeof chunk === 'function') return end(chunk);
    const body = JSON.parse(Buffer.from(chunk as string | Buffer).toString('utf8'));
    if (typeof body.id_token === 'string') body.id_token = change(body.id_token);
    return end(JSON.stringify(body));
  }) as ServerResponse['end'];
}

/** What an attacker holding the provider's key could sign (RS256, the provider's kid). */
function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', kid })}.${encode(payload)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
}

/** The payload of a compact JWS, read without checking it: what the attacker starts from. */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

/**
 * Connects the test's provider to Gyeonggi Province as its administrator does (`npm run admin --
 * connect-provider`): the sign-in button's labels, the provider's client, the standard scopes and the
 * group that makes a person `role`.
 */
export async function connectGyeonggiProvider(deps: UseCaseDeps, provider: TestIdentityProvider, role: Role, group: string): Promise<void> {
  await configureIdentityProvider(deps, 'gyeonggi', {
    labels: { ko: '경기도 통합인증', ru: 'ID Кёнгидо', en: 'Gyeonggi ID' },
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    scopes: 'openid email profile groups',
    roleMapping: [{ role, values: [group] }],
  });
}
