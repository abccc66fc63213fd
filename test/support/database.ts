import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { migrateToLatest, openDatabase, type Database } from '../../db/connection.ts';

/** Which database the suites run on: SQLite unless BILATERAL_TEST_DATABASE=postgres (npm run test:pg). */
export const TEST_DATABASE_KIND = process.env.BILATERAL_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/** Where the PostgreSQL server is; the suite creates and drops its own database on it. */
const POSTGRES_ADMIN_URL = process.env.BILATERAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly db: Database;
  readonly drop: () => Promise<void>;
}

/** A fresh, migrated database of the kind under test, and a way to throw it away. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DATABASE_KIND === 'postgres') {
    const name = `bilateral_test_${randomBytes(6).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: POSTGRES_ADMIN_URL });
    await admin.raw('CREATE DATABASE ??', [name]);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    const db = openDatabase(url.toString());
    await migrateToLatest(db);
    return {
      url: url.toString(),
      db,
      drop: async () => {
        await db.destroy();
        await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
        await admin.destroy();
      },
    };
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'bilateral-test-'));
  const url = `sqlite:${path.join(directory, 'test.sqlite')}`;
  const db = openDatabase(url);
  await migrateToLatest(db);
  return {
    url,
    db,
    drop: async () => {
      await db.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
