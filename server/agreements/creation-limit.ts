import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { User } from '../../db/repositories/users.repository.ts';
import { TooManyRequestsError } from '../errors.ts';

const HOUR_SECONDS = 60 * 60;

/**
 * How many agreements one user may create per hour (AGREEMENTS_PER_USER_PER_HOUR), through the API and
 * the pages alike (one instance serves both): every creation renders and stores a whole draft, so
 * one account must not be able to fill the database for both governments in a minute.
 *
 * A creation takes its point before it runs, so parallel requests cannot outrun the count; one that
 * is refused (a rule, a conflict) gives it back, so only agreements that were created add up.
 * The counts live in this process, like the sign-in throttle's.
 */
export class AgreementCreationLimit {
  private readonly perUser: RateLimiterMemory;

  constructor(private readonly perHour: number) {
    this.perUser = new RateLimiterMemory({ keyPrefix: 'agreement-creation', points: perHour, duration: HOUR_SECONDS });
  }

  /** Runs `create` if the user has a creation left this hour; else a 429 saying when to try again, and nothing runs. */
  async spend<T>(user: User, create: () => Promise<T>): Promise<T> {
    const key = String(user.id);
    try {
      await this.perUser.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      throw new TooManyRequestsError(
        `One user creates at most ${this.perHour} agreements an hour; try again in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      );
    }
    try {
      return await create();
    } catch (error) {
      await this.perUser.reward(key, 1);
      throw error;
    }
  }
}
