import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../../db/connection.ts';
import { sharedLimiter } from './shared-limits.ts';

/**
 * Slows down password guessing, for the API and the web sign-in alike (one instance serves both):
 * at most ACCOUNT_ATTEMPTS failed attempts per account and ADDRESS_ATTEMPTS per client address in a
 * window, then that account or address waits until the window ends.
 *
 * Every attempt takes its point *before* the password is checked, so parallel guesses cannot outrun
 * the count; a successful sign-in gives its points back, so only failures add up.
 *
 * The counts live in the database (shared-limits.ts), so every server process on it counts together.
 */
const WINDOW_SECONDS = 15 * 60;
const ACCOUNT_ATTEMPTS = 5;
const ADDRESS_ATTEMPTS = 30;

export type ThrottleVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export class LoginThrottle {
  private readonly byAccount;
  private readonly byAddress;

  constructor(db: Database) {
    this.byAccount = sharedLimiter(db, { keyPrefix: 'sign-in-account', points: ACCOUNT_ATTEMPTS, duration: WINDOW_SECONDS });
    this.byAddress = sharedLimiter(db, { keyPrefix: 'sign-in-address', points: ADDRESS_ATTEMPTS, duration: WINDOW_SECONDS });
  }

  /** Takes one attempt's point from the account and the address, or says how long to wait. Call it before checking the password. */
  async take(email: string, address: string): Promise<ThrottleVerdict> {
    try {
      await this.byAddress.consume(address);
    } catch (refusal) {
      return refused(refusal);
    }
    try {
      await this.byAccount.consume(accountKey(email));
    } catch (refusal) {
      // The address keeps its point: guessing at a locked account is still guessing.
      return refused(refusal);
    }
    return { allowed: true };
  }

  /** A correct password: the account starts afresh and the address gets its point back. */
  async succeeded(email: string, address: string): Promise<void> {
    await Promise.all([this.byAccount.delete(accountKey(email)), this.byAddress.reward(address, 1)]);
  }
}

const accountKey = (email: string) => email.trim().toLowerCase();

function refused(refusal: unknown): ThrottleVerdict & { allowed: false } {
  if (!(refusal instanceof RateLimiterRes)) throw refusal;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
}
