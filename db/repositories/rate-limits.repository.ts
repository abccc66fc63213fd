import type { Queryable } from '../connection.ts';

/** What a rate limit has counted for a key, and when the count lapses (epoch ms; null: never). */
export interface CountedPoints {
  readonly points: number;
  readonly expire: number | null;
}

/**
 * Adds `points` to the key's count in `rate_limits` (SQLite), in one atomic INSERT ... ON CONFLICT ...
 * RETURNING: a lapsed count starts again; `replace` sets the count and its lapse outright. The SQL is
 * rate-limiter-flexible's own for its SQLite store.
 */
export async function addRateLimitPointsOnSqlite(
  db: Queryable,
  input: { readonly key: string; readonly points: number; readonly expire: number | null; readonly now: number; readonly replace: boolean },
): Promise<CountedPoints> {
  const { key, points, expire, now } = input;
  const rows: CountedPoints[] = input.replace
    ? await db.raw('INSERT OR REPLACE INTO rate_limits (key, points, expire) VALUES (?, ?, ?) RETURNING points, expire', [
        key,
        points,
        expire,
      ])
    : await db.raw(
        `INSERT INTO rate_limits (key, points, expire) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET
           points = CASE WHEN expire IS NULL OR expire > ? THEN points + excluded.points ELSE excluded.points END,
           expire = CASE WHEN expire IS NULL OR expire > ? THEN expire ELSE excluded.expire END
         RETURNING points, expire`,
        [key, points, expire, now, now],
      );
  return rows[0]!;
}
