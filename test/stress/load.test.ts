import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { lostUpdates, unexplainedAgreements } from '../support/audit-check.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from '../support/database.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { driveAgreements, signInDemoUsers } from '../support/workflow-driver.ts';

/**
 * Agreements per client: 1 in `npm test` / `npm run test:pg` (a 64-agreement load, about half a
 * minute of rendering and signing on two cores); `npm run test:stress` sets 3.
 */
const AGREEMENTS_PER_CLIENT = Number(process.env.BILATERAL_LOAD_AGREEMENTS ?? 1);
const CLIENTS = 64;
/** Several processes share one database on PostgreSQL, as Bilateral is deployed when one machine is not enough. */
const PROCESSES = TEST_DATABASE_KIND === 'postgres' ? 2 : 1;

describe(`load: ${CLIENTS} clients, ${PROCESSES} server process(es) (${TEST_DATABASE_KIND})`, function () {
  this.timeout(600_000);
  let database: TestDatabase;
  const servers: ServerProcess[] = [];

  before(async () => {
    database = await createTestDatabase();
    const secret = randomBytes(32).toString('hex');
    // Started one after the other: both migrate and seed at start, and the second finds it done.
    for (let index = 0; index < PROCESSES; index += 1)
      servers.push(await startServerProcess(database.url, secret, { SCHEDULER_INTERVAL_MS: '200' }));
  });
  after(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop('SIGKILL')));
    await database?.drop();
  });

  it(`when ${CLIENTS} clients at once carry ${CLIENTS * AGREEMENTS_PER_CLIENT} letters of intent from drafting to both signatures, racing each other at every approval, then all are executed, no acknowledged change is lost, every state is explained by a verifying audit, and each enters into force exactly once`, async () => {
    const tokens = await signInDemoUsers(servers[0]!.baseUrl);
    const baseUrls = servers.map((server) => server.baseUrl);

    const stats = await driveAgreements(tokens, {
      baseUrls: () => baseUrls,
      clients: CLIENTS,
      agreementsPerClient: AGREEMENTS_PER_CLIENT,
      race: true,
      timeLimitMs: 480_000,
    });

    expect(stats.failures.slice(0, 10), `${stats.failures.length} unexpected answers`).to.deep.equal([]);
    expect(stats.networkErrors).to.equal(0);
    expect(Object.keys(stats.byStatus).filter((status) => Number(status) >= 500)).to.deep.equal([]);
    expect(stats.completed).to.have.length(CLIENTS * AGREEMENTS_PER_CLIENT);
    // The races were real: each approval stage had a loser, who read again and went on.
    expect(stats.byStatus['409'] ?? 0).to.be.at.least(CLIENTS * AGREEMENTS_PER_CLIENT);

    const { db } = database;
    for (let tries = 0; tries < 300; tries += 1) {
      const waiting = await db('agreements').whereIn('id', stats.completed).whereNot({ state: 'in-force' }).count({ count: '*' });
      if (Number(waiting[0]!.count) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const states = await db('agreements').whereIn('id', stats.completed).distinct('state').pluck('state');
    expect(states, 'the scheduler put every executed agreement in force').to.deep.equal(['in-force']);

    expect(await lostUpdates(db, stats.acknowledged)).to.deep.equal([]);
    expect(await unexplainedAgreements(db)).to.deep.equal([]);

    // Each scheduled entry into force was sent once, by whichever process claimed it.
    const entries = await db('audit_events')
      .whereIn('agreement_id', stats.completed)
      .where({ event: 'ENTER_INTO_FORCE' })
      .groupBy('agreement_id')
      .select('agreement_id')
      .count({ count: '*' });
    expect(entries).to.have.length(stats.completed.length);
    expect(entries.filter((row) => Number(row.count) !== 1)).to.deep.equal([]);
    const scheduled = await db('scheduled_events')
      .whereIn('agreement_id', stats.completed)
      .where({ kind: 'enter-into-force' })
      .select('agreement_id', 'status');
    expect(scheduled).to.have.length(stats.completed.length);
    expect(scheduled.filter((row: { status: string }) => row.status !== 'done')).to.deep.equal([]);
  });
});
