import { expect } from 'chai';
import knex from 'knex';
import { lostUpdates, unexplainedAgreements } from '../support/audit-check.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { ensurePostgresRunning, restartPostgres } from '../support/postgres-service.ts';
import { serverProcessesOnFreshDatabase } from '../support/server-process.ts';
import { driveAgreements, signInDemoUsers, type DriveStats } from '../support/workflow-driver.ts';

/** Clients driving one letter of intent each: 16 in the normal suites, 64 in `npm run test:stress`. */
const CLIENTS = Number(process.env.BILATERAL_FAULT_CLIENTS ?? 16);
/** Writes per letter of intent carried to execution: create, submit, two reviews, two approvals, two signatures. */
const WRITES_PER_AGREEMENT = 8;

describe(`faults under load: ${CLIENTS} clients (${TEST_DATABASE_KIND})`, function () {
  this.timeout(300_000);
  const processes = serverProcessesOnFreshDatabase({ SCHEDULER_INTERVAL_MS: '200' });
  const start = () => processes.start();

  /** After the load: everything carried through, nothing acknowledged lost, every state explained, each entry into force sent once. */
  async function expectSettled(stats: DriveStats): Promise<void> {
    expect(stats.failures.slice(0, 10), `${stats.failures.length} unexpected answers`).to.deep.equal([]);
    expect(stats.completed).to.have.length(CLIENTS);
    const { db } = processes.database();
    for (let tries = 0; tries < 300; tries += 1) {
      const [row] = await db('agreements').whereIn('id', stats.completed).whereNot({ state: 'in-force' }).count({ count: '*' });
      if (Number(row!.count) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await db('agreements').whereIn('id', stats.completed).distinct('state').pluck('state')).to.deep.equal(['in-force']);
    expect(await lostUpdates(db, stats.acknowledged)).to.deep.equal([]);
    expect(await unexplainedAgreements(db)).to.deep.equal([]);
    const entries = await db('audit_events')
      .whereIn('agreement_id', stats.completed)
      .where({ event: 'ENTER_INTO_FORCE' })
      .count({ count: '*' });
    expect(Number(entries[0]!.count)).to.equal(CLIENTS);
  }

  it('when the server is killed (SIGKILL) in the middle of the load and started again, then the clients carry on and every agreement ends executed with its audit intact', async () => {
    // On PostgreSQL two processes serve the load and one of them dies; on SQLite the only one does.
    const servers = [await start(), ...(TEST_DATABASE_KIND === 'postgres' ? [await start()] : [])];
    let baseUrls = servers.map((server) => server.baseUrl);
    const tokens = await signInDemoUsers(baseUrls[0]!);
    let restarted: Promise<void> | undefined;

    const stats = await driveAgreements(tokens, {
      baseUrls: () => baseUrls,
      clients: CLIENTS,
      agreementsPerClient: 1,
      race: true,
      timeLimitMs: 240_000,
      onProgress: (progress) => {
        if (restarted || progress.acknowledged.length < (CLIENTS * WRITES_PER_AGREEMENT) / 3) return;
        const victim = servers[0]!;
        restarted = (async () => {
          await victim.stop('SIGKILL');
          const replacement = await start();
          baseUrls = [replacement.baseUrl, ...baseUrls.filter((url) => url !== victim.baseUrl)];
        })();
      },
    });
    await restarted;

    expect(restarted, 'the kill happened during the load').to.not.equal(undefined);
    expect(stats.networkErrors, 'some requests found the server gone').to.be.greaterThan(0);
    await expectSettled(stats);
  });

  it('when another process holds the SQLite write lock longer than the busy timeout, then writes are answered 503 with Retry-After (never 500), and succeed when sent again', async function () {
    if (TEST_DATABASE_KIND !== 'sqlite') this.skip(); // SQLITE_BUSY is SQLite's
    // A quiet scheduler: its claims (every 200 ms in this suite) would take the process's one SQLite
    // connection before the requests, wait out the busy timeout themselves, and leave the requests
    // to find the lock gone.
    const server = await processes.start({ SCHEDULER_INTERVAL_MS: '3600000' });
    const tokens = await signInDemoUsers(server.baseUrl);
    const legal = tokens.get('legal@sverdlovsk.example')!;
    const send = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${legal}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as any,
      };
    };
    const created = await send('POST', '/api/agreements', { kind: 'letter-of-intent' });
    expect(created.status).to.equal(201);

    // A second process (this one) takes the write lock and keeps it past the server's 5 s busy timeout.
    const holder = knex({
      client: 'sqlite3',
      connection: { filename: processes.database().url.slice('sqlite:'.length) },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
    });
    const requests: Promise<Awaited<ReturnType<typeof send>>>[] = [];
    try {
      await holder.raw('BEGIN IMMEDIATE');
      requests.push(
        send('POST', '/api/agreements', { kind: 'letter-of-intent' }),
        send('POST', `/api/agreements/${created.body.id}/events`, { type: 'SUBMIT', expectedVersion: 1 }),
        send('POST', '/api/agreements', { kind: 'memorandum' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 7_000));
    } finally {
      await holder.raw('COMMIT').catch(() => undefined);
      await holder.destroy();
    }
    const answers = await Promise.all(requests);

    // The first write waited out the busy timeout and was refused; those queued behind it may have got through once the lock was gone.
    expect(answers.map((answer) => answer.status)).to.not.include(500);
    const refused = answers.filter((answer) => answer.status === 503);
    expect(refused.length, JSON.stringify(answers.map((answer) => answer.status))).to.be.greaterThan(0);
    for (const answer of refused) {
      expect(answer.contentType).to.match(/^application\/problem\+json/);
      expect(answer.body).to.include({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(Number(answer.retryAfter)).to.be.at.least(1);
    }
    for (const answer of answers.filter((answer) => answer.status !== 503))
      expect(answer.status, JSON.stringify(answer.body)).to.be.oneOf([200, 201]);

    // Sent again as they were, the refused ones go through (the SUBMIT unless it already had).
    const again = await Promise.all([
      send('POST', '/api/agreements', { kind: 'letter-of-intent' }),
      send('POST', `/api/agreements/${created.body.id}/events`, { type: 'SUBMIT', expectedVersion: 1 }),
    ]);
    expect(again[0]!.status).to.equal(201);
    expect(again[1]!.status).to.be.oneOf([200, 409]);
    expect((await send('GET', `/api/agreements/${created.body.id}`)).body.state).to.equal('review');
    expect(await unexplainedAgreements(processes.database().db)).to.deep.equal([]);
  });

  it('when PostgreSQL is restarted under load, then requests in flight fail cleanly with 503 and Retry-After, the servers reconnect, and the retried load completes', async function () {
    if (TEST_DATABASE_KIND !== 'postgres') this.skip(); // restarts the machine's PostgreSQL; test:pg only
    const servers = [await start(), await start()];
    const baseUrls = servers.map((server) => server.baseUrl);
    const tokens = await signInDemoUsers(baseUrls[0]!);
    let restarted: Promise<void> | undefined;

    try {
      const stats = await driveAgreements(tokens, {
        baseUrls: () => baseUrls,
        clients: CLIENTS,
        agreementsPerClient: 1,
        race: true,
        timeLimitMs: 240_000,
        onProgress: (progress) => {
          if (!restarted && progress.acknowledged.length >= (CLIENTS * WRITES_PER_AGREEMENT) / 3) restarted = restartPostgres();
        },
      });
      await restarted;

      expect(restarted, 'the restart happened during the load').to.not.equal(undefined);
      // Every answer during the outage was a well-formed 503 (the driver counts anything else as a failure).
      expect(stats.byStatus['503'] ?? 0, JSON.stringify(stats.byStatus)).to.be.greaterThan(0);
      expect(stats.byStatus['500']).to.equal(undefined);
      for (const server of servers) expect(server.process.exitCode, server.outputTail()).to.equal(null);
      await expectSettled(stats);
    } finally {
      await restarted?.catch(() => undefined);
      await ensurePostgresRunning();
    }
  });
});
