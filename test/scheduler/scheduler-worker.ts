/**
 * Test-only: one scheduler process of the multi-process tests (test/scheduler/scheduler.test.ts).
 * Usage: tsx test/scheduler/scheduler-worker.ts <database-url> <process-id> <mode>
 *   drain: waits for "go" on stdin, then runs its scheduler until no due event is left pending, and
 *          prints {"processId", "handled"}; the handler records each event in handled_events.
 *   hang:  runs at once; its handler announces "handling <id>" and never returns (the test kills it).
 */
import { createInterface } from 'node:readline';
import { openDatabase } from '../../db/connection.ts';
import { createScheduler } from '../../server/scheduler/scheduler.ts';
import { testConfig } from './lifecycle-fixtures.ts';

const [databaseUrl, processId, mode] = process.argv.slice(2);
if (!databaseUrl || !processId || (mode !== 'drain' && mode !== 'hang'))
  throw new Error('usage: scheduler-worker <database-url> <process-id> drain|hang');

const db = openDatabase(databaseUrl);
const deps = { db, config: testConfig(databaseUrl), now: () => new Date() };
const scheduler = createScheduler(deps, {
  processId,
  batchSize: 5,
  leaseMs: Number(process.env.WORKER_LEASE_MS ?? 30_000),
  handlers: {
    reminder: async (trx, event) => {
      if (mode === 'hang') {
        process.stdout.write(`handling ${event.id}\n`);
        await new Promise(() => undefined);
      }
      await trx('handled_events').insert({ event_id: event.id, process_id: processId });
      // A little work inside the transaction, so the two processes' batches overlap in time.
      await new Promise((resolve) => setTimeout(resolve, 2));
    },
  },
  log: (message, error) => process.stderr.write(`${message} ${error instanceof Error ? error.stack : (error ?? '')}\n`),
});

async function drain(): Promise<number> {
  let handled = 0;
  for (;;) {
    handled += await scheduler.runOnce();
    const [row] = await db('scheduled_events')
      .where({ status: 'pending' })
      .where('due_at', '<=', new Date().toISOString())
      .count({ count: '*' });
    if (Number(row?.count ?? 0) === 0) return handled;
    // The rest is claimed by the other process right now.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

if (mode === 'hang') {
  await scheduler.runOnce();
} else {
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const handled = await drain();
  process.stdout.write(`${JSON.stringify({ processId, handled })}\n`);
  await db.destroy();
}
