import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { isPostgresReady } from '../test/support/postgres-service.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Where the benchmarks' PostgreSQL databases are made (the test suites' server by default). */
const POSTGRES_ADMIN_URL = process.env.BILATERAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The kinds to measure: BENCH_DATABASES=sqlite,postgres (the default); PostgreSQL only when it answers. */
export async function benchDatabaseKinds(): Promise<DatabaseKind[]> {
  const wanted = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((kind) => kind.trim());
  const kinds: DatabaseKind[] = [];
  if (wanted.includes('sqlite')) kinds.push('sqlite');
  if (wanted.includes('postgres')) {
    if (await isPostgresReady()) kinds.push('postgres');
    else console.warn('PostgreSQL does not answer on 127.0.0.1:5432; measuring SQLite only');
  }
  return kinds;
}

export const KIND_LABEL: Record<DatabaseKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** An empty database of the kind, for a server process to migrate and seed; and a way to throw it away. */
export async function createBenchDatabase(kind: DatabaseKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'postgres') {
    const name = `bilateral_bench_${randomBytes(6).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: POSTGRES_ADMIN_URL, pool: { min: 0, max: 1 } });
    await admin.raw('CREATE DATABASE ??', [name]);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
        await admin.destroy();
      },
    };
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'bilateral-bench-'));
  return { url: `sqlite:${path.join(directory, 'bench.sqlite')}`, drop: async () => rmSync(directory, { recursive: true, force: true }) };
}
