import { expect } from 'chai';
import { verifyAgreementAudit } from '../../server/agreements/verify-audit.ts';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { serverProcessesOnFreshDatabase } from '../support/server-process.ts';

describe(`server processes (${TEST_DATABASE_KIND})`, function () {
  this.timeout(240_000);
  const processes = serverProcessesOnFreshDatabase();
  const { start } = processes;

  it('when the server is killed (SIGKILL) in a stream of requests, then no acknowledged change is lost, none is half-applied, and the restarted scheduler resumes', async () => {
    const first = await start({ SCHEDULER_INTERVAL_MS: '200' });
    const legal = await ApiClient.signIn(first.baseUrl, 'legal@sverdlovsk.example');
    const acknowledged: number[] = [];
    let stopping = false;
    const worker = async () => {
      while (!stopping) {
        const response = await legal.post('/api/agreements', { kind: 'letter-of-intent' }).catch(() => undefined);
        if (response?.status === 201) acknowledged.push(response.body.id);
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    while (acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 20));
    await first.stop('SIGKILL');
    stopping = true;
    await Promise.all(workers);

    // While it was down, a notice about the executed letter of intent came due. (Not its term's end:
    // a letter of intent has no duration clause, so it has no term since issue 20.)
    const dueAt = new Date(Date.now() - 60_000).toISOString();
    await processes
      .database()
      .db('scheduled_events')
      .insert({ agreement_id: 1, kind: 'overdue', due_at: dueAt, payload: '{}', status: 'pending', created_at: dueAt });
    const overdueNotices = () =>
      processes.database().db('notifications').where({ agreement_id: 1, kind: 'overdue' }).count({ n: '*' }).first();
    const before = Number((await overdueNotices())!.n);

    const second = await start({ SCHEDULER_INTERVAL_MS: '200' });
    const reader = await ApiClient.signIn(second.baseUrl, 'legal@sverdlovsk.example');
    for (const id of acknowledged) {
      const response = await reader.get(`/api/agreements/${id}`);
      expect(response.status, `acknowledged agreement ${id}`).to.equal(200);
      expect(response.body).to.include({ state: 'drafting', version: 1 });
    }
    const ids: number[] = await processes.database().db('agreements').pluck('id');
    for (const id of ids) {
      expect(await processes.database().db('text_versions').where({ agreement_id: id }).first(), `text of ${id}`).to.not.equal(undefined);
      expect((await verifyAgreementAudit(processes.database().db, id)).valid, `audit of ${id}`).to.equal(true);
    }
    for (let tries = 0; tries < 100; tries += 1) {
      const event = await processes.database().db('scheduled_events').where({ agreement_id: 1, kind: 'overdue', due_at: dueAt }).first();
      if (event.status === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await processes.database().db('scheduled_events').where({ agreement_id: 1, due_at: dueAt }).first()).status).to.equal('done');
    expect(Number((await overdueNotices())!.n)).to.be.above(before);
  });

  it('when two processes on one database serve a race for the same transition, then exactly one wins', async function () {
    if (TEST_DATABASE_KIND !== 'postgres') this.skip(); // several processes are how Bilateral runs on PostgreSQL
    const first = await start();
    const second = await start();
    const clients = [
      await ApiClient.signIn(first.baseUrl, 'legal@sverdlovsk.example'),
      await ApiClient.signIn(second.baseUrl, 'legal@sverdlovsk.example'),
    ];
    const { id } = (await clients[0]!.post('/api/agreements', { kind: 'letter-of-intent' })).body;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        clients[index % 2]!.post(`/api/agreements/${id}/events`, { type: 'SUBMIT', expectedVersion: 1 }),
      ),
    );
    expect(responses.filter((response) => response.status === 200)).to.have.length(1);
    expect(responses.filter((response) => response.status === 409)).to.have.length(49);
    const audit = (await clients[1]!.get(`/api/agreements/${id}/audit`)).body;
    expect(audit.filter((entry: { event: string }) => entry.event === 'SUBMIT')).to.have.length(1);
  });
});
