import type { Queryable } from '../connection.ts';

/**
 * Second factors (a TOTP secret per user, sealed by the caller), their hashed recovery codes, the
 * wrong-code counter and the account-security log. Stored values only: codes are checked, secrets
 * opened and limits decided by server/auth/second-factor.ts. Times are ISO-8601 UTC strings.
 */
export interface StoredSecondFactor {
  readonly userId: number;
  readonly sealedSecret: string;
  readonly createdAt: string;
  readonly confirmedAt: string | null;
  /** The TOTP time step of the last code accepted; a code of that step or an earlier one is spent. */
  readonly lastUsedStep: number | null;
}

/** A recovery code: its first group (the selector) finds it, the rest is checked against the hash. */
export interface StoredRecoveryCode {
  readonly id: number;
  readonly codeHash: string;
}

export interface SecurityEventEntry {
  readonly userId: number;
  readonly actorUserId: number;
  readonly party: string;
  readonly event: string;
  readonly at: string;
}

interface SecondFactorRow {
  user_id: number;
  sealed_secret: string;
  created_at: string;
  confirmed_at: string | null;
  last_used_step: number | string | null;
}

/** The user's second factor, confirmed or waiting for its first code, or undefined. Reads only. */
export async function findSecondFactor(db: Queryable, userId: number): Promise<StoredSecondFactor | undefined> {
  const row = await db<SecondFactorRow>('second_factors').where({ user_id: userId }).first();
  if (!row) return undefined;
  return {
    userId: row.user_id,
    sealedSecret: row.sealed_secret,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
  };
}

/** Replaces whatever second factor the user has with a new one waiting for its first code. Call inside a transaction. */
export async function replaceWithPendingSecondFactor(db: Queryable, userId: number, sealedSecret: string, at: string): Promise<void> {
  await db('second_factors').where({ user_id: userId }).delete();
  await db('second_factors').insert({ user_id: userId, sealed_secret: sealedSecret, created_at: at });
}

/** Confirms a waiting second factor; false when none was waiting (a concurrent confirmation won). */
export async function markSecondFactorConfirmed(db: Queryable, userId: number, at: string): Promise<boolean> {
  const confirmed = await db('second_factors').where({ user_id: userId }).whereNull('confirmed_at').update({ confirmed_at: at });
  return confirmed === 1;
}

/**
 * Records `step` as the last one used, only if it is later than the stored one: of two requests with
 * the same code, in any processes, one moves the step and the other gets false.
 */
export async function advanceLastUsedStep(db: Queryable, userId: number, step: number): Promise<boolean> {
  const moved = await db('second_factors')
    .where({ user_id: userId })
    .andWhere((query) => query.whereNull('last_used_step').orWhere('last_used_step', '<', step))
    .update({ last_used_step: step });
  return moved === 1;
}

/** Removes the user's second factor, its recovery codes and its wrong-code count. Call inside a transaction. */
export async function deleteSecondFactor(db: Queryable, userId: number): Promise<void> {
  await db('second_factors').where({ user_id: userId }).delete();
  await db('recovery_codes').where({ user_id: userId }).delete();
  await db('second_factor_attempts').where({ user_id: userId }).delete();
}

/** Which of these users have a confirmed second factor. Reads only. */
export async function usersWithConfirmedSecondFactor(db: Queryable, userIds: readonly number[]): Promise<Set<number>> {
  const rows: { user_id: number }[] = await db('second_factors').whereIn('user_id', userIds).whereNotNull('confirmed_at').select('user_id');
  return new Set(rows.map((row) => Number(row.user_id)));
}

/** Replaces the user's recovery codes with these (selector and hash each). Call inside a transaction. */
export async function replaceRecoveryCodes(
  db: Queryable,
  userId: number,
  codes: readonly { readonly selector: string; readonly codeHash: string }[],
): Promise<void> {
  await db('recovery_codes').where({ user_id: userId }).delete();
  await db('recovery_codes').insert(codes.map((code) => ({ user_id: userId, selector: code.selector, code_hash: code.codeHash })));
}

/** How many of the user's recovery codes are unused. Reads only. */
export async function countUnusedRecoveryCodes(db: Queryable, userId: number): Promise<number> {
  const row = await db('recovery_codes').where({ user_id: userId }).whereNull('used_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** The user's unused recovery codes with this selector. Reads only. */
export async function findUnusedRecoveryCodes(db: Queryable, userId: number, selector: string): Promise<StoredRecoveryCode[]> {
  const rows: { id: number; code_hash: string }[] = await db('recovery_codes')
    .where({ user_id: userId, selector })
    .whereNull('used_at')
    .select('id', 'code_hash');
  return rows.map((row) => ({ id: row.id, codeHash: row.code_hash }));
}

/** Marks a recovery code used; false when it was used already (a concurrent use won). */
export async function markRecoveryCodeUsed(db: Queryable, id: number, at: string): Promise<boolean> {
  const used = await db('recovery_codes').where({ id }).whereNull('used_at').update({ used_at: at });
  return used === 1;
}

/** Appends one entry to the account-security log (enrolment, disabling, reset, a recovery code used). */
export async function appendSecurityEvent(db: Queryable, entry: SecurityEventEntry): Promise<void> {
  await db('account_security_events').insert({
    user_id: entry.userId,
    actor_user_id: entry.actorUserId,
    party_key: entry.party,
    event: entry.event,
    at: entry.at,
  });
}

/**
 * Counts one wrong-code attempt before the code is checked, atomically: the window restarts when it
 * is older than `windowMs`, and the count rises only while under `limit`, so concurrent guesses in
 * several processes cannot pass it. Returns undefined when counted, or when the window started if
 * the limit is reached.
 */
export async function countCodeAttempt(
  db: Queryable,
  userId: number,
  limit: number,
  windowMs: number,
  now: Date,
): Promise<{ readonly windowStartedAt: string } | undefined> {
  const table = () => db('second_factor_attempts');
  await table().insert({ user_id: userId, failures: 0, window_started_at: now.toISOString() }).onConflict('user_id').ignore();
  const cutoff = new Date(now.getTime() - windowMs).toISOString();
  await table()
    .where({ user_id: userId })
    .andWhere('window_started_at', '<', cutoff)
    .update({ failures: 0, window_started_at: now.toISOString() });
  const counted = await table()
    .where({ user_id: userId })
    .andWhere('failures', '<', limit)
    .update({ failures: db.raw('failures + 1') });
  if (counted === 1) return undefined;
  const row = await table().where({ user_id: userId }).first();
  return { windowStartedAt: row.window_started_at };
}

/** Sets the user's wrong-code count back to zero (a right code forgives). */
export async function forgiveCodeAttempts(db: Queryable, userId: number): Promise<void> {
  await db('second_factor_attempts').where({ user_id: userId }).update({ failures: 0 });
}
