import { RateLimiterPostgres, RateLimiterSQLite, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import { isPostgres, type Database } from '../../db/connection.ts';
import { addRateLimitPointsOnSqlite } from '../../db/repositories/rate-limits.repository.ts';

/**
 * A rate limiter whose counts live in the database (table `rate_limits`, made by the migrations), with
 * rate-limiter-flexible's own store for each engine: every server process on the database shares the
 * count, so N processes do not give N times the attempts. One atomic upsert per attempt.
 */
export function sharedLimiter(db: Database, options: { keyPrefix: string; points: number; duration: number }): RateLimiterStoreAbstract {
  const store = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, ...options };
  return isPostgres(db) ? new RateLimiterPostgres(store) : new SqliteLimiter(store, db);
}

/**
 * The SQLite store with its upsert sent through knex as one statement. The store's own upsert wraps
 * it in a savepoint on a connection it hands back to knex's pool before the savepoint is released, so
 * the application's next transaction on that one connection could not BEGIN. One INSERT ... ON
 * CONFLICT ... RETURNING is atomic by itself (db/repositories/rate-limits.repository.ts).
 */
class SqliteLimiter extends RateLimiterSQLite {
  constructor(
    options: ConstructorParameters<typeof RateLimiterSQLite>[0],
    private readonly db: Database,
  ) {
    super(options);
  }

  async _upsertTransaction(key: string, points: number, msDuration: number, forceExpire: boolean): Promise<unknown> {
    const now = Date.now();
    const expire = msDuration > 0 ? now + msDuration : null;
    return addRateLimitPointsOnSqlite(this.db, { key, points, expire, now, replace: forceExpire });
  }
}

/** One limiter per database and purpose: the use-cases that ask need not carry it around. */
export function limiterFor(
  cache: WeakMap<Database, RateLimiterStoreAbstract>,
  db: Database,
  options: { keyPrefix: string; points: number; duration: number },
): RateLimiterStoreAbstract {
  let limiter = cache.get(db);
  if (!limiter) {
    limiter = sharedLimiter(db, options);
    cache.set(db, limiter);
  }
  return limiter;
}
