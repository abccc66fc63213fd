import type { Queryable } from '../connection.ts';

/** Stores a token by its hash only: a stolen database does not hand out sessions. */
export async function insertAccessToken(
  db: Queryable,
  token: { tokenHash: string; userId: number; createdAt: string; expiresAt: string },
): Promise<void> {
  await db('access_tokens').insert({
    token_hash: token.tokenHash,
    user_id: token.userId,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
  });
}

/** The user id behind a token that has not expired at `now`. */
export async function findTokenOwner(db: Queryable, tokenHash: string, now: string): Promise<number | undefined> {
  const row = await db('access_tokens').where({ token_hash: tokenHash }).andWhere('expires_at', '>', now).first('user_id');
  return row?.user_id;
}
