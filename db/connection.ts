import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { migrationSource } from './migrations/index.ts';

export type Database = Knex;
/** What repositories accept: the database itself or an open transaction. */
export type Queryable = Knex | Knex.Transaction;

const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the database named by a URL: `sqlite:<path>` (the embedded default) or `postgres://...`.
 * SQLite gets WAL, enforced foreign keys and a busy timeout on every pooled connection, so
 * concurrent writers wait instead of failing with SQLITE_BUSY.
 */
export function openDatabase(url: string): Database {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    return knex({
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) {
          connection.serialize(() => {
            connection.run('PRAGMA journal_mode = WAL');
            connection.run('PRAGMA foreign_keys = ON');
            connection.run(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`, (error) => done(error, connection));
          });
        },
      },
    });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // No JIT: it compiles any query whose estimated cost is high, and the register's estimates are guesses
    // (PostgreSQL cannot tell how many texts a full-text query matches): 380 ms of compiling was seen for
    // a search that ran in 2 ms. Every query here is a short one that JIT cannot speed up.
    return knex({ client: 'pg', connection: { connectionString: url, options: '-c jit=off' }, pool: { min: 0, max: 10 } });
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres://, got "${url.split(':')[0]}:..."`);
}

interface SqliteConnection {
  serialize(callback: () => void): void;
  run(sql: string, callback?: (error: Error | null) => void): void;
}

/** Brings the schema up to date; safe to call at every start and from several processes. */
export async function migrateToLatest(db: Database): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

export function isPostgres(db: Queryable): boolean {
  return db.client.config.client === 'pg';
}
