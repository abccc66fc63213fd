import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../db/connection.ts';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { createApp } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';
import { seedDemo } from '../../server/demo/seed-demo.ts';
import { createTestDatabase } from './database.ts';

export interface TestServer {
  readonly baseUrl: string;
  /** The database's DATABASE_URL, for commands run against it. */
  readonly databaseUrl: string;
  readonly db: Database;
  readonly deps: UseCaseDeps;
  /** The server's clock: real time until a test sets it. */
  readonly clock: TestClock;
  readonly close: () => Promise<void>;
}

export class TestClock {
  private fixed: Date | undefined;
  now = (): Date => (this.fixed ? new Date(this.fixed) : new Date());
  set(date: Date | string): void {
    this.fixed = new Date(date);
  }
}

export const DEMO_PASSWORD = 'test-password';

/**
 * A real HTTP server on port 0 over a fresh database with the demo data, as `npm start` would serve it;
 * `overrides` sets configuration a test depends on (a trusted proxy, an allow-listed webhook receiver).
 */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  // Listening first, so that the port is known before the demo certificates name it (their CRL and OCSP URLs).
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config: Config = Object.freeze({
    port,
    host: '127.0.0.1',
    demo: true,
    demoPassword: DEMO_PASSWORD,
    dataDir: '',
    databaseUrl: database.url,
    secret: randomBytes(32),
    schedulerIntervalMs: 1000,
    trustProxy: [],
    webhookAllowList: { networks: [], hosts: [] },
    agreementsPerUserPerHour: 30,
    mail: { requireTls: false, from: 'Bilateral <bilateral@localhost>' },
    ...overrides,
  });
  const clock = new TestClock();
  const deps: UseCaseDeps = { db: database.db, config, now: clock.now };
  await seedDemo(deps);
  const errors: unknown[] = [];
  const app = createApp(deps, { log: (message, error) => errors.push([message, error]) });
  server.on('request', app);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    db: database.db,
    deps,
    clock,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await database.drop();
      if (errors.length > 0) throw new Error(`the server logged unexpected errors: ${JSON.stringify(errors, errorReplacer)}`);
    },
  };
}

function errorReplacer(_key: string, value: unknown) {
  return value instanceof Error ? { message: value.message, stack: value.stack } : value;
}
