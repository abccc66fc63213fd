import { RateLimiterRes, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import type { Database } from '../../db/connection.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { verifyPassword } from './passwords.ts';
import type { SessionUser } from './sessions.ts';
import { limiterFor } from './shared-limits.ts';

/**
 * Signing and minting an API token ask for the user's password again: a session token left open on
 * a desk, or stolen, must not be enough to bind a government or to mint a credential that outlives
 * the session by a year. The password is checked and forgotten, never stored or logged. Wrong guesses
 * are limited per user, counted together for every action that asks, so these confirmations cannot
 * become a way to guess the password with a stolen token.
 *
 * A user who signs in through the party's identity provider has no password here: for them, a
 * sign-in at the provider within the last FRESH_SIGN_IN_MINUTES (the provider's auth_time; the
 * "sign in again" link asks it to prove the person again) stands in for the password.
 */
const WINDOW_SECONDS = 15 * 60;
const ATTEMPTS = 5;
export const FRESH_SIGN_IN_MINUTES = 10;

// In the database, like the sign-in throttle, so every process counts together; a right password gives the user a fresh count.
const limiters = new WeakMap<Database, RateLimiterStoreAbstract>();
const attemptsIn = (db: Database) =>
  limiterFor(limiters, db, { keyPrefix: 'password-confirmation', points: ATTEMPTS, duration: WINDOW_SECONDS });

/** What the password confirms, in the words of the refusals. */
const ACTIONS = {
  sign: {
    ask: 'Signing must be confirmed with your password: send "password" with the SIGN event',
    wrong: 'The password does not confirm the signature: it is not yours',
    again: 'signing',
  },
  'mint-token': {
    ask: 'Creating an API token must be confirmed with your password: send "password"',
    wrong: 'The password does not confirm creating the token: it is not yours',
    again: 'creating an API token',
  },
  'second-factor': {
    ask: 'Changing your second factor must be confirmed with your password: send "password"',
    wrong: 'The password does not confirm the change to your second factor: it is not yours',
    again: 'changing your second factor',
  },
} as const;
export type ConfirmedAction = keyof typeof ACTIONS;

/**
 * Resolves when `password` is the user's own (or, for a user without a password, when their session's
 * sign-in at the provider is fresh); 400 when it is missing, 403 when it is wrong or too many were.
 */
export async function confirmPassword(
  deps: UseCaseDeps,
  user: User | SessionUser,
  password: string | undefined,
  action: ConfirmedAction,
): Promise<void> {
  if (!hasPassword(user)) return confirmFreshSignIn(user, action, deps.now());
  const attempts = attemptsIn(deps.db);
  if (password === undefined || password === '') throw new MalformedRequestError(ACTIONS[action].ask, { field: 'password' });
  const key = String(user.id);
  // The attempt takes its point before the password is checked (one atomic upsert), so guesses sent
  // at once to several processes cannot outrun the count; a right password clears it.
  let attempt: RateLimiterRes;
  try {
    attempt = await attempts.consume(key);
  } catch (refusal) {
    if (!(refusal instanceof RateLimiterRes)) throw refusal;
    const minutes = Math.max(1, Math.ceil(refusal.msBeforeNext / 60_000));
    throw new DomainError(
      'FORBIDDEN',
      `Too many wrong passwords given to confirm signing or a new token; try again in ${minutes} minute(s)`,
      { field: 'password', attemptsLeft: 0, retryInMinutes: minutes },
    );
  }
  if (!(await verifyPassword(password, user.passwordHash))) {
    // The person at the form is told how many tries remain before the confirmation locks for a while.
    throw new DomainError('FORBIDDEN', ACTIONS[action].wrong, {
      field: 'password',
      attemptsLeft: attempt.remainingPoints,
      retryInMinutes: WINDOW_SECONDS / 60,
    });
  }
  await attempts.delete(key);
}

/** A user made by single sign-on has no password hash: the provider proves who they are. */
export function hasPassword(user: User): boolean {
  return user.passwordHash !== '';
}

/** Whether the session's user proved themselves within FRESH_SIGN_IN_MINUTES of `now`. */
export function signedInFreshly(user: User | SessionUser, now: Date): boolean {
  const at = 'authenticatedAt' in user && user.authenticatedAt ? Date.parse(user.authenticatedAt) : Number.NaN;
  return now.getTime() - at <= FRESH_SIGN_IN_MINUTES * 60_000;
}

function confirmFreshSignIn(user: User | SessionUser, action: ConfirmedAction, now: Date): void {
  if (signedInFreshly(user, now)) return;
  throw new DomainError(
    'FORBIDDEN',
    `You sign in through your party's identity provider: sign in there again ("sign in again") and confirm ${ACTIONS[action].again} within ${FRESH_SIGN_IN_MINUTES} minutes`,
    { field: 'password', reason: 'sign-in-again' },
  );
}
