import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/connection.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from './database.ts';
import { ensurePostgresRunning } from './postgres-service.ts';
import { DEMO_PASSWORD } from './server.ts';

export interface ServerProcess {
  readonly baseUrl: string;
  readonly process: ChildProcess;
  /** The last lines the process wrote to stdout and stderr, for saying why it stopped. */
  readonly outputTail: () => string;
  /** Sends the signal and resolves when the process is gone. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** How much of a server's output is kept, enough for the stack of what ended it. */
const OUTPUT_KEPT = 4_000;

/** Starts `npm start`'s entry point as a real process on a free port, against the given database. */
export async function startServerProcess(databaseUrl: string, secret: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      BILATERAL_SECRET: secret,
      DEMO_PASSWORD,
      BILATERAL_DEMO: '1',
      // The stress suites create agreements at machine speed on purpose; the API suites test the limit.
      AGREEMENTS_PER_USER_PER_HOUR: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`the server did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
      const match = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timeout);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseUrl,
    process: child,
    outputTail: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * Resolves once no scheduled event is due and pending: the work a fresh server's scheduler finds at
 * start (the demo's executed letter of intent gets its first long-term extension, a new version) is
 * done, so what changes after is what the test did. Fails naming what is still due after `timeoutMs`.
 */
export async function scheduledWorkDone(db: Database, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const due = await db('scheduled_events')
      .where('status', 'pending')
      .where('due_at', '<=', new Date().toISOString())
      .select('id', 'kind', 'due_at');
    if (due.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the scheduler left events due: ${JSON.stringify(due)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * For a suite of real server processes: a fresh database before each test, processes started on it
 * with one shared secret, all killed and the database dropped after each test (PostgreSQL left running).
 */
export function serverProcessesOnFreshDatabase(defaultEnv: Record<string, string> = {}) {
  const secret = randomBytes(32).toString('hex');
  const running: ServerProcess[] = [];
  let database: TestDatabase | undefined;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
    if (TEST_DATABASE_KIND === 'postgres') await ensurePostgresRunning();
    await database?.drop();
  });
  return {
    database: (): TestDatabase => database!,
    start: async (env: Record<string, string> = {}): Promise<ServerProcess> => {
      const server = await startServerProcess(database!.url, secret, { ...defaultEnv, ...env });
      running.push(server);
      return server;
    },
  };
}
