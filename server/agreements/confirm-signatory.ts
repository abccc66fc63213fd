import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { User } from '../../db/repositories/users.repository.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';

/**
 * Signing asks for the signatory's password again: a session token left open on a desk, or stolen,
 * must not be enough to bind a government. The password is checked and forgotten, never stored or
 * logged. Wrong guesses are limited per signatory, so the confirmation cannot become a way to guess
 * the password with a stolen token.
 */
const WINDOW_SECONDS = 15 * 60;
const ATTEMPTS = 5;

// In this process, like the sign-in throttle; a right password gives the signatory a fresh count.
const attempts = new RateLimiterMemory({ keyPrefix: 'sign-confirmation', points: ATTEMPTS, duration: WINDOW_SECONDS });

/** Resolves when `password` is the user's own; 400 when it is missing, 403 when it is wrong or too many were. */
export async function confirmSignatory(user: User, password: string | undefined): Promise<void> {
  if (password === undefined || password === '') {
    throw new MalformedRequestError('Signing must be confirmed with your password: send "password" with the SIGN event', { field: 'password' });
  }
  const key = String(user.id);
  const spent = await attempts.get(key);
  if (spent && spent.consumedPoints >= ATTEMPTS) {
    const minutes = Math.max(1, Math.ceil(spent.msBeforeNext / 60_000));
    throw new DomainError('FORBIDDEN', `Too many wrong passwords to confirm signing; try again in ${minutes} minute(s)`, { field: 'password' });
  }
  // Only a wrong password counts: a signatory signing several originals at once is not guessing.
  if (!(await verifyPassword(password, user.passwordHash))) {
    await attempts.penalty(key, 1);
    throw new DomainError('FORBIDDEN', 'The password does not confirm the signature: it is not yours', { field: 'password' });
  }
  await attempts.delete(key);
}
