import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../db/connection.ts';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { createApp } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';
import { seedDemo } from '../../server/demo/seed-demo.ts';
import { createTestDatabase } from './database.ts';

export interface TestServer {
  readonly baseUrl: string;
  readonly db: Database;
  readonly deps: UseCaseDeps;
  readonly close: () => Promise<void>;
}

export const DEMO_PASSWORD = 'test-password';

/** A real HTTP server on port 0 over a fresh database with the demo data, as `npm start` would serve it. */
export async function startTestServer(): Promise<TestServer> {
  const database = await createTestDatabase();
  const config: Config = Object.freeze({
    port: 0,
    host: '127.0.0.1',
    demo: true,
    demoPassword: DEMO_PASSWORD,
    dataDir: '',
    databaseUrl: database.url,
    secret: randomBytes(32),
  });
  const deps: UseCaseDeps = { db: database.db, config, now: () => new Date() };
  await seedDemo(deps);
  const errors: unknown[] = [];
  const app = createApp(deps, { log: (message, error) => errors.push([message, error]) });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db: database.db,
    deps,
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
