import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { findIdentityProvider } from '../../db/repositories/identity-providers.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { MalformedRequestError, NotFoundError } from '../errors.ts';
import { clientConfiguration } from './single-sign-on.ts';
import { hashToken } from './sessions.ts';

/**
 * OpenID Connect Back-Channel Logout 1.0: a party's provider tells Bilateral, server to server, that
 * a person signed out there (or was signed out by the ministry), and the web sessions that sign-in
 * began end. The logout token is a JWT verified with jose against the provider's published keys
 * (its JWKS, as discovered by openid-client): the signature (asymmetric algorithms only), the issuer,
 * the audience (our client id), `iat` recent, a `jti`, the back-channel logout event, a `sid` or a
 * `sub`, and no `nonce` (so an ID token is never taken for one). A token is accepted once, in any
 * process: its `jti` is stored until the token would be too old anyway.
 */
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused; its jti is kept as long. */
const MAX_TOKEN_AGE_S = 5 * 60;
/** Clocks of the provider and of Bilateral may differ this much. */
const CLOCK_TOLERANCE_S = 60;
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

// jose keeps each key set's keys and refetches them (rate-limited) when a token names an unknown kid.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySetOf(jwksUri: string): ReturnType<typeof createRemoteJWKSet> {
  let keys = keySets.get(jwksUri);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000 });
    keySets.set(jwksUri, keys);
  }
  return keys;
}

export interface BackChannelLogoutResult {
  /** The web sessions ended (0 is a success too: the person may have signed out already). */
  readonly sessionsEnded: number;
}

/** Verifies a logout token sent by `party`'s provider and ends the sessions it names; one transaction. 400 when refused. */
export async function acceptBackChannelLogout(deps: UseCaseDeps, party: string, logoutToken: unknown): Promise<BackChannelLogoutResult> {
  const provider = await findIdentityProvider(deps.db, party);
  if (!provider) throw new NotFoundError(`The party "${party}" signs in with passwords only`);
  if (typeof logoutToken !== 'string' || logoutToken.length === 0 || logoutToken.length > 16_384) {
    throw new MalformedRequestError('Send logout_token, the provider’s logout token, as a form field', { field: 'logout_token' });
  }
  const metadata = (await clientConfiguration(deps, provider)).serverMetadata();
  if (!metadata.jwks_uri)
    throw new MalformedRequestError('The identity provider publishes no keys (jwks_uri): its logout tokens cannot be verified');
  const now = deps.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(logoutToken, keySetOf(metadata.jwks_uri), {
      issuer: metadata.issuer,
      audience: provider.clientId,
      algorithms: ASYMMETRIC,
      requiredClaims: ['iat', 'jti', 'events'],
      maxTokenAge: MAX_TOKEN_AGE_S,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: now,
    }));
  } catch (error) {
    const why = error instanceof joseErrors.JOSEError ? error.message : 'the token could not be read';
    throw new MalformedRequestError(`The logout token was refused: ${why}`, { field: 'logout_token' });
  }
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[LOGOUT_EVENT] : undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    throw new MalformedRequestError(`The logout token carries no ${LOGOUT_EVENT} event`, { field: 'logout_token' });
  }
  if ('nonce' in payload) throw new MalformedRequestError('A logout token must not carry a nonce', { field: 'logout_token' });
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  if (!sid && !sub)
    throw new MalformedRequestError('The logout token names neither a session (sid) nor a person (sub)', { field: 'logout_token' });
  if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw new MalformedRequestError('The logout token has no jti');

  const issuer = metadata.issuer;
  const keptUntil = new Date(((payload.iat ?? 0) + MAX_TOKEN_AGE_S + CLOCK_TOLERANCE_S) * 1000);
  return deps.db.transaction(async (trx) => {
    await trx('sso_logout_tokens').where('expires_at', '<=', now.toISOString()).delete();
    // The primary key decides between two deliveries of one token, in any processes: one inserts, the other finds it.
    const taken = await trx('sso_logout_tokens')
      .insert({ jti_hash: hashToken(`${issuer}\n${payload.jti}`), party_key: party, expires_at: keptUntil.toISOString() })
      .onConflict('jti_hash')
      .ignore()
      .returning('jti_hash');
    if (taken.length !== 1) throw new MalformedRequestError('This logout token has been received already', { field: 'logout_token' });
    const people = trx('users').where({ party_key: party, sso_issuer: issuer }).select('id');
    if (sub) people.andWhere({ sso_subject: sub });
    const sessions = trx('access_tokens').where({ kind: 'web-session' }).whereIn('user_id', people);
    if (sid) sessions.andWhere({ sso_sid: sid });
    const ended: { user_id: number }[] = await sessions.clone().select('user_id');
    if (ended.length > 0) await sessions.delete();
    for (const userId of new Set(ended.map((row) => Number(row.user_id)))) {
      await trx('account_security_events').insert({
        user_id: userId,
        actor_user_id: null,
        party_key: party,
        event: 'sso.back-channel-logout',
        at: now.toISOString(),
      });
    }
    return { sessionsEnded: ended.length };
  });
}
