import { deleteTokensOfUser } from '../../db/repositories/access-tokens.repository.ts';
import { updateUserLocale, updateUserPasswordHash, updateUserTimeZone, type User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { RuleViolationError } from '../errors.ts';
import type { Lang } from '../text/languages.ts';
import { assertAcceptablePassword, hashPassword, verifyPassword } from './passwords.ts';
import { hashToken } from './sessions.ts';

/**
 * Changes the user's password after checking the current one, and ends every other session and token:
 * whoever knew the old password is signed out; the session that asked stays signed in.
 */
export async function changeOwnPassword(
  deps: UseCaseDeps,
  user: User,
  change: { current: string; next: string },
  currentSessionToken: string,
): Promise<void> {
  if (!(await verifyPassword(change.current, user.passwordHash))) {
    throw new RuleViolationError('The current password is not right', { field: 'current' });
  }
  assertAcceptablePassword(change.next);
  const passwordHash = await hashPassword(change.next);
  await deps.db.transaction(async (trx) => {
    await updateUserPasswordHash(trx, user.id, passwordHash);
    await deleteTokensOfUser(trx, user.id, hashToken(currentSessionToken));
  });
}

/** The interface language the user reads in; null returns to the party's language. */
export async function choosePreferredLanguage(deps: UseCaseDeps, user: User, lang: Lang | null): Promise<void> {
  await updateUserLocale(deps.db, user.id, lang);
}

/** The zone the user reads times in (an IANA name the caller checked); null returns to the party's zone. */
export async function choosePreferredTimeZone(deps: UseCaseDeps, user: User, timeZone: string | null): Promise<void> {
  await updateUserTimeZone(deps.db, user.id, timeZone);
}
