import type { Queryable } from '../connection.ts';

/**
 * What a token opens: an API session (POST /api/sessions), a web session (the cookie) or a named API
 * token an integration keeps. A bearer token is never accepted as a cookie, nor a cookie as a bearer.
 */
export type TokenKind = 'api-session' | 'web-session' | 'api-token';

/** What a token may do: `read` only GET and HEAD; `write` whatever the user's role allows. */
export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface NewAccessToken {
  readonly tokenHash: string;
  readonly userId: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Defaults to an API session, what POST /api/sessions issues. */
  readonly kind?: TokenKind;
  /** Named API tokens only: how the owner lists and revokes them without the secret. */
  readonly publicId?: string;
  readonly name?: string;
  /** Defaults to `write`: a session can do what its user can. */
  readonly scope?: TokenScope;
  /** Sessions: when the person proved who they are (the password, or the identity provider's auth_time). */
  readonly authenticatedAt?: string;
  /** Web sessions by single sign-on: the provider's session (`sid`) it began from, which a back-channel logout names. */
  readonly ssoSid?: string;
}

/** A named API token as its owner sees it: never the token or its hash. */
export interface ApiTokenSummary {
  readonly id: string;
  readonly name: string;
  readonly scope: TokenScope;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** Stores a token by its hash only: a stolen database does not hand out sessions. */
export async function insertAccessToken(db: Queryable, token: NewAccessToken): Promise<void> {
  await db('access_tokens').insert({
    token_hash: token.tokenHash,
    user_id: token.userId,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    kind: token.kind ?? 'api-session',
    public_id: token.publicId ?? null,
    name: token.name ?? null,
    scope: token.scope ?? 'write',
    authenticated_at: token.authenticatedAt ?? null,
    sso_sid: token.ssoSid ?? null,
  });
}

/** A token's owner and what the session checks need to know of it. */
export interface TokenOwner {
  readonly userId: number;
  readonly kind: TokenKind;
  readonly scope: TokenScope;
  /** When the token was last used (web sessions), else when it was made: the idle timeout counts from here. */
  readonly lastUsedAt: string;
  readonly authenticatedAt: string | null;
  /** When the user last proved their second factor on this session (to administer users), or null. */
  readonly secondFactorAt: string | null;
}

/** The user id behind a token of one of these kinds that has not expired at `now`, with the token's kind and scope. */
export async function findTokenOwner(
  db: Queryable,
  tokenHash: string,
  now: string,
  kinds: readonly TokenKind[] = ['api-session', 'api-token'],
): Promise<TokenOwner | undefined> {
  const row = await db('access_tokens')
    .where({ token_hash: tokenHash })
    .whereIn('kind', [...kinds])
    .andWhere('expires_at', '>', now)
    .first('user_id', 'kind', 'scope', 'created_at', 'last_used_at', 'authenticated_at', 'second_factor_at');
  return (
    row && {
      userId: row.user_id,
      kind: row.kind,
      scope: row.scope,
      lastUsedAt: row.last_used_at ?? row.created_at,
      authenticatedAt: row.authenticated_at ?? null,
      secondFactorAt: row.second_factor_at ?? null,
    }
  );
}

/** Records that the session's user proved their second factor at `at`. */
export async function markSecondFactorProven(db: Queryable, tokenHash: string, at: string): Promise<void> {
  await db('access_tokens').where({ token_hash: tokenHash }).update({ second_factor_at: at });
}

/** Records that a token was used at `at` (the web session's idle clock). */
export async function touchAccessToken(db: Queryable, tokenHash: string, at: string): Promise<void> {
  await db('access_tokens').where({ token_hash: tokenHash }).update({ last_used_at: at });
}

/** The user's named API tokens that have not expired, newest first. */
export async function listApiTokens(db: Queryable, userId: number, now: string): Promise<ApiTokenSummary[]> {
  const rows = await db('access_tokens')
    .where({ user_id: userId, kind: 'api-token' })
    .andWhere('expires_at', '>', now)
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'public_id' }])
    .select('public_id', 'name', 'scope', 'created_at', 'expires_at');
  return rows.map((row) => ({ id: row.public_id, name: row.name, scope: row.scope, createdAt: row.created_at, expiresAt: row.expires_at }));
}

/** Deletes one of the user's named API tokens; false when the user has none with that id. */
export async function deleteApiToken(db: Queryable, userId: number, publicId: string): Promise<boolean> {
  return (await db('access_tokens').where({ user_id: userId, kind: 'api-token', public_id: publicId }).delete()) === 1;
}

/** Deletes one token of one kind, e.g. the session being signed out; false when there was none. */
export async function deleteAccessToken(db: Queryable, tokenHash: string, kind: TokenKind): Promise<boolean> {
  return (await db('access_tokens').where({ token_hash: tokenHash, kind }).delete()) === 1;
}

/** Deletes every token of a user but, optionally, one to keep (the session that asked). */
export async function deleteTokensOfUser(db: Queryable, userId: number, keepTokenHash?: string): Promise<void> {
  const query = db('access_tokens').where({ user_id: userId });
  if (keepTokenHash !== undefined) query.whereNot({ token_hash: keepTokenHash });
  await query.delete();
}
