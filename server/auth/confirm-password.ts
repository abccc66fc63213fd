import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { User } from '../../db/repositories/users.repository.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { verifyPassword } from './passwords.ts';

/**
 * Signing and minting an API token ask for the user's password again: a session token left open on
 * a desk, or stolen, must not be enough to bind a government or to mint a credential that outlives
 * the session by a year. The password is checked and forgotten, never stored or logged. Wrong guesses
 * are limited per user, counted together for every action that asks, so these confirmations cannot
 * become a way to guess the password with a stolen token.
 */
const WINDOW_SECONDS = 15 * 60;
const ATTEMPTS = 5;

// In this process, like the sign-in throttle; a right password gives the user a fresh count.
const attempts = new RateLimiterMemory({ keyPrefix: 'password-confirmation', points: ATTEMPTS, duration: WINDOW_SECONDS });

/** What the password confirms, in the words of the refusals. */
const ACTIONS = {
  sign: {
    ask: 'Signing must be confirmed with your password: send "password" with the SIGN event',
    wrong: 'The password does not confirm the signature: it is not yours',
  },
  'mint-token': {
    ask: 'Creating an API token must be confirmed with your password: send "password"',
    wrong: 'The password does not confirm creating the token: it is not yours',
  },
  'second-factor': {
    ask: 'Changing your second factor must be confirmed with your password: send "password"',
    wrong: 'The password does not confirm the change to your second factor: it is not yours',
  },
} as const;
export type ConfirmedAction = keyof typeof ACTIONS;

/** Resolves when `password` is the user's own; 400 when it is missing, 403 when it is wrong or too many were. */
export async function confirmPassword(user: User, password: string | undefined, action: ConfirmedAction): Promise<void> {
  if (password === undefined || password === '') throw new MalformedRequestError(ACTIONS[action].ask, { field: 'password' });
  const key = String(user.id);
  const spent = await attempts.get(key);
  if (spent && spent.consumedPoints >= ATTEMPTS) {
    const minutes = Math.max(1, Math.ceil(spent.msBeforeNext / 60_000));
    throw new DomainError(
      'FORBIDDEN',
      `Too many wrong passwords given to confirm signing or a new token; try again in ${minutes} minute(s)`,
      { field: 'password', attemptsLeft: 0, retryInMinutes: minutes },
    );
  }
  // Only a wrong password counts: a signatory signing several originals at once is not guessing.
  if (!(await verifyPassword(password, user.passwordHash))) {
    const spentNow = await attempts.penalty(key, 1);
    // The person at the form is told how many tries remain before the confirmation locks for a while.
    throw new DomainError('FORBIDDEN', ACTIONS[action].wrong, {
      field: 'password',
      attemptsLeft: Math.max(0, ATTEMPTS - spentNow.consumedPoints),
      retryInMinutes: WINDOW_SECONDS / 60,
    });
  }
  await attempts.delete(key);
}
