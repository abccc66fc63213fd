import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import type { Knex } from 'knex';
import {
  cancelPendingEvents,
  claimDueEvents,
  completeClaimedEvent,
  findScheduledEvent,
  listScheduledEvents,
  scheduleEvent,
  type ScheduledEvent,
} from '../../db/repositories/scheduled-events.repository.ts';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { createScheduler, type ScheduledEventHandler, type SchedulerOptions } from '../../server/scheduler/scheduler.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from '../support/database.ts';
import { insertAgreementRow, insertParties, insertTestUser, TestClock, testDeps } from './lifecycle-fixtures.ts';

const START = new Date('2027-03-01T09:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const LEASE_MS = 5 * MINUTE;

describe(`scheduler (${TEST_DATABASE_KIND})`, () => {
  let database: TestDatabase;
  let clock: TestClock;
  let deps: UseCaseDeps;
  let agreementId: number;
  let logged: { message: string; error?: unknown }[];

  /** A handler that records the event in a side table, in the scheduler's transaction. */
  const recording: ScheduledEventHandler = async (trx, event, now) => {
    await trx('handled_events').insert({ event_id: event.id, process_id: 'in-test', handled_at: now.toISOString() });
  };
  const scheduler = (handlers: SchedulerOptions['handlers'] = { reminder: recording, overdue: recording }, processId = 'process-a') =>
    createScheduler(deps, {
      handlers,
      processId,
      leaseMs: LEASE_MS,
      batchSize: 25,
      log: (message, error) => logged.push({ message, error }),
    });
  const schedule = (dueAt: Date, kind = 'reminder', payload: Record<string, unknown> = {}) =>
    scheduleEvent(deps.db, { agreementId, kind, dueAt, payload }, clock.now());
  const handledIds = async (): Promise<number[]> => (await deps.db('handled_events').orderBy('id').pluck('event_id')).map(Number);

  beforeEach(async () => {
    database = await createTestDatabase();
    clock = new TestClock(START);
    deps = testDeps(database.db, database.url, clock);
    logged = [];
    await insertParties(database.db);
    const user = await insertTestUser(database.db, 'sverdlovsk', 'legal');
    agreementId = await insertAgreementRow(database.db, user.id);
    await createSideTable(database.db);
  });
  afterEach(async () => database?.drop());

  it('when events are due, then each is handled once and marked done, and one not yet due is left untouched', async () => {
    const due = [
      await schedule(new Date(START.getTime() - DAY)),
      await schedule(new Date(START.getTime() - MINUTE), 'overdue'),
      await schedule(START),
    ];
    const later = await schedule(new Date(START.getTime() + MINUTE));

    expect(await scheduler().runOnce()).to.equal(3);
    expect(await scheduler().runOnce()).to.equal(0);

    expect(await handledIds()).to.deep.equal(due.map((event) => event.id));
    for (const event of due) {
      expect(await findScheduledEvent(deps.db, event.id)).to.include({
        status: 'done',
        processedAt: START.toISOString(),
        claimedUntil: null,
      });
    }
    expect(await findScheduledEvent(deps.db, later.id)).to.include({
      status: 'pending',
      claimedBy: null,
      claimedUntil: null,
      processedAt: null,
    });

    clock.advance(MINUTE);
    expect(await scheduler().runOnce()).to.equal(1);
    expect(await handledIds()).to.deep.equal([...due, later].map((event) => event.id));
  });

  it('when the same event is scheduled twice, then it exists once; a cancelled one is not sent, and scheduling it again re-arms it', async () => {
    const dueAt = new Date(START.getTime() - MINUTE);
    const first = await schedule(dueAt, 'reminder', { stage: 'review' });
    const again = await schedule(dueAt, 'reminder', { stage: 'changed' });
    expect(again.id).to.equal(first.id);
    expect(again.payload).to.deep.equal({ stage: 'review' });
    expect(await listScheduledEvents(deps.db, agreementId)).to.have.length(1);

    expect(await cancelPendingEvents(deps.db, agreementId, ['reminder'])).to.equal(1);
    expect(await scheduler().runOnce()).to.equal(0);
    expect(await findScheduledEvent(deps.db, first.id)).to.include({ status: 'cancelled' });

    const rearmed = await schedule(dueAt, 'reminder', { stage: 'approval' });
    expect(rearmed).to.include({ id: first.id, status: 'pending' });
    expect(rearmed.payload).to.deep.equal({ stage: 'approval' });
    expect(await scheduler().runOnce()).to.equal(1);
    expect(await cancelPendingEvents(deps.db, agreementId)).to.equal(0);
    expect(await findScheduledEvent(deps.db, first.id)).to.include({ status: 'done' });
  });

  it('when the server was down for a month, then on start it catches up on the whole backlog, oldest first', async () => {
    const backlog: ScheduledEvent[] = [];
    for (let index = 0; index < 120; index += 1) backlog.push(await schedule(new Date(START.getTime() - (120 - index) * 6 * 60 * MINUTE)));
    const running = scheduler();

    running.start(60 * MINUTE);
    await eventually(async () => (await handledIds()).length === backlog.length);
    await running.stop();

    expect(await handledIds()).to.deep.equal(backlog.map((event) => event.id));
    const statuses = await deps.db('scheduled_events').distinct('status').pluck('status');
    expect(statuses).to.deep.equal(['done']);
  });

  it('when a handler throws, then its work is rolled back, the event stays pending, and it is retried once its lease has run out', async () => {
    const event = await schedule(new Date(START.getTime() - MINUTE));
    let calls = 0;
    const flaky: ScheduledEventHandler = async (trx, claimed, now) => {
      calls += 1;
      await recording(trx, claimed, now);
      if (calls === 1) throw new Error('the mail relay is down');
    };

    expect(await scheduler({ reminder: flaky }).runOnce()).to.equal(0);
    const failed = (await findScheduledEvent(deps.db, event.id))!;
    expect(failed).to.include({ status: 'pending', attempts: 1, lastError: 'the mail relay is down', claimedBy: 'process-a' });
    expect(failed.claimedUntil).to.equal(new Date(START.getTime() + LEASE_MS).toISOString());
    expect(failed.payload).to.deep.equal({});
    expect(await handledIds()).to.deep.equal([]);
    expect(logged.map((entry) => entry.message).join('\n')).to.match(/event \d+ \(reminder.*failed on attempt 1/);

    clock.advance(LEASE_MS - 1);
    expect(await scheduler({ reminder: flaky }, 'process-b').runOnce()).to.equal(0);
    expect(calls).to.equal(1);

    clock.advance(2);
    expect(await scheduler({ reminder: flaky }, 'process-b').runOnce()).to.equal(1);
    expect(calls).to.equal(2);
    expect(await handledIds()).to.deep.equal([event.id]);
    expect(await findScheduledEvent(deps.db, event.id)).to.include({ status: 'done', attempts: 1 });
  });

  it('when a claim runs out before its process completes the event, then another process handles it and the first cannot complete it', async () => {
    const event = await schedule(new Date(START.getTime() - MINUTE));
    const [claimed] = await claimDueEvents(deps.db, {
      processId: 'stalled',
      now: clock.now(),
      leaseMs: LEASE_MS,
      limit: 10,
      kinds: ['reminder'],
    });
    expect(claimed).to.include({ id: event.id, claimedBy: 'stalled' });

    expect(await scheduler().runOnce()).to.equal(0);
    clock.advance(LEASE_MS + 1);
    expect(await scheduler().runOnce()).to.equal(1);

    const stale = { id: claimed!.id, claimedBy: 'stalled', claimedUntil: claimed!.claimedUntil! };
    expect(await deps.db.transaction((trx) => completeClaimedEvent(trx, stale, clock.now()))).to.equal(false);
    expect(await handledIds()).to.deep.equal([event.id]);
  });

  it('when an event has a kind no handler here knows, then it is neither claimed nor marked done, and the start says so', async () => {
    const unknown = await schedule(new Date(START.getTime() - MINUTE), 'renew');
    const known = await schedule(new Date(START.getTime() - MINUTE), 'reminder');
    const running = scheduler();

    running.start(60 * MINUTE);
    await eventually(async () => (await handledIds()).length === 1 && logged.length > 0);
    await running.stop();

    expect(await handledIds()).to.deep.equal([known.id]);
    expect(await findScheduledEvent(deps.db, unknown.id)).to.include({ status: 'pending', claimedBy: null });
    expect(logged.map((entry) => entry.message)).to.deep.equal([
      `scheduler process-a: due events with no handler here are left pending: {"renew":1}`,
    ]);
    expect(await scheduler({ renew: recording }).runOnce()).to.equal(1);
  });

  // SQLite is one file with one writer and no SKIP LOCKED: several server processes are a PostgreSQL deployment.
  const onPostgres = TEST_DATABASE_KIND === 'postgres';
  (onPostgres ? it : it.skip)(
    'when two server processes run their schedulers on one PostgreSQL database, then each of 200 due events is handled exactly once' +
      (onPostgres ? '' : ' [SKIPPED on SQLite: PostgreSQL only, run it with BILATERAL_TEST_DATABASE=postgres]'),
    async function () {
      this.timeout(120_000);
      const now = new Date();
      const events = [];
      for (let index = 0; index < 200; index += 1) {
        events.push(
          await scheduleEvent(deps.db, { agreementId, kind: 'reminder', dueAt: new Date(now.getTime() - (200 - index) * MINUTE) }, now),
        );
      }

      const workers = ['worker-1', 'worker-2'].map((processId) => startWorker(database.url, processId, 'drain'));
      await Promise.all(workers.map((worker) => worker.line(/^ready$/)));
      for (const worker of workers) worker.child.stdin.write('go\n');
      const results = await Promise.all(
        workers.map(async (worker) => JSON.parse(await worker.line(/^\{/)) as { processId: string; handled: number }),
      );
      await Promise.all(workers.map((worker) => worker.exited));

      const rows: { event_id: number; process_id: string }[] = await deps.db('handled_events').select('event_id', 'process_id');
      const handledPerEvent = new Map<number, number>();
      for (const row of rows) handledPerEvent.set(row.event_id, (handledPerEvent.get(row.event_id) ?? 0) + 1);
      expect(rows).to.have.length(200);
      expect([...handledPerEvent.keys()].sort((a, b) => a - b)).to.deep.equal(events.map((event) => event.id));
      expect([...handledPerEvent.values()].every((count) => count === 1)).to.equal(true);
      expect(await deps.db('scheduled_events').distinct('status').pluck('status')).to.deep.equal(['done']);
      // Both really took part: the events were split between them, and each one's count matches its rows.
      for (const result of results) {
        expect(result.handled, `${result.processId} handled none: the test did not race`).to.be.greaterThan(0);
        expect(rows.filter((row) => row.process_id === result.processId)).to.have.length(result.handled);
      }
      expect(results[0]!.handled + results[1]!.handled).to.equal(200);
      console.log(
        `      split: ${results.map((result) => `${result.processId} ${result.handled}`).join(', ')}; 200 rows, 200 distinct events`,
      );
    },
  );

  it('when a process is killed in the middle of handling, then its work is gone and another process handles the events once its lease runs out', async function () {
    this.timeout(60_000);
    const now = new Date();
    clock.set(now);
    const events = [];
    for (let index = 0; index < 3; index += 1) events.push(await schedule(new Date(now.getTime() - (3 - index) * MINUTE)));

    const doomed = startWorker(database.url, 'doomed', 'hang', { WORKER_LEASE_MS: String(LEASE_MS) });
    const [, announced] = /^handling (\d+)$/.exec(await doomed.line(/^handling \d+$/))!;
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // PostgreSQL rolls the dead process's transaction back when it notices the closed connection; wait for its row locks to go.
    await deps.db.transaction(async (trx) => trx('scheduled_events').where({ agreement_id: agreementId }).forUpdate().select('id'));
    const claimed = (await findScheduledEvent(deps.db, Number(announced)))!;
    expect(claimed).to.include({ status: 'pending', claimedBy: 'doomed' });

    expect(await scheduler().runOnce()).to.equal(0);
    clock.set(new Date(Date.parse(claimed.claimedUntil!) + 1));
    expect(await scheduler().runOnce()).to.equal(3);
    expect(await handledIds()).to.deep.equal(events.map((event) => event.id));
  });
});

async function createSideTable(db: Knex): Promise<void> {
  await db.schema.createTable('handled_events', (table) => {
    table.increments('id').primary();
    // Deliberately no unique constraint: a second handling must show up as a second row.
    table.integer('event_id').notNullable();
    table.string('process_id', 64).notNullable();
    table.string('handled_at', 32).nullable();
  });
}

/** Polls until the condition holds; for work running in the background (the loop), not for dates. */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<void>;
  /** The first stdout line (from now on) that matches. */
  line(pattern: RegExp): Promise<string>;
}

function startWorker(databaseUrl: string, processId: string, mode: 'drain' | 'hang', env: Record<string, string> = {}): Worker {
  // `node --import tsx` rather than the tsx CLI, which runs the script in a grandchild that a SIGKILL would orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/scheduler/scheduler-worker.ts', databaseUrl, processId, mode], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const index = waiters.findIndex((waiter) => waiter.pattern.test(line));
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(line);
    else lines.push(line);
  });
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) =>
      code === 0 || signal === 'SIGKILL' ? resolve() : reject(new Error(`${processId} exited with ${code ?? signal}: ${stderr}`)),
    ),
  );
  return {
    child,
    exited,
    line: (pattern) => {
      const index = lines.findIndex((line) => pattern.test(line));
      if (index >= 0) return Promise.resolve(lines.splice(index, 1)[0]!);
      return Promise.race([
        new Promise<string>((resolve) => waiters.push({ pattern, resolve })),
        exited.then(() => {
          throw new Error(`${processId} exited before printing ${pattern}: ${stderr}`);
        }),
      ]);
    },
  };
}
