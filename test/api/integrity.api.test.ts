import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);

describe(`integrity (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;

  before(async () => {
    server = await startTestServer();
    legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    legalGyeonggi = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
  });
  after(async () => server?.close());

  it('when fifty requests race for the same transition, then exactly one wins, the others get 409, and the audit shows one event', async () => {
    const { id } = (await legal.post('/api/agreements', { kind: 'letter-of-intent' })).body;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => legal.post(`/api/agreements/${id}/events`, { type: 'SUBMIT', expectedVersion: 1 })),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).to.have.length(1);
    expect(statuses.filter((status) => status === 409)).to.have.length(49);
    const audit = (await legal.get(`/api/agreements/${id}/audit`)).body;
    expect(audit.filter((entry: { event: string }) => entry.event === 'SUBMIT')).to.have.length(1);
    expect((await legal.get(`/api/agreements/${id}`)).body).to.include({ state: 'review', version: 2 });
  });

  it('when two parties race to approve from the same version, then one wins and the other must reload', async () => {
    const { id } = (await legal.post('/api/agreements', { kind: 'letter-of-intent' })).body;
    await legal.post(`/api/agreements/${id}/events`, { type: 'SUBMIT', expectedVersion: 1 });
    const [first, second] = await Promise.all(
      [legal, legalGyeonggi].map((client) => client.post(`/api/agreements/${id}/events`, { type: 'APPROVE', expectedVersion: 2 })),
    );
    expect([first!.status, second!.status].sort()).to.deep.equal([200, 409]);
    const { approvals } = (await legal.get(`/api/agreements/${id}`)).body;
    expect(approvals.review).to.have.length(1);
  });

  describe('the audit chain', () => {
    let id: number;
    beforeEach(async () => {
      id = (await legal.post('/api/agreements', { kind: 'letter-of-intent' })).body.id;
      let version = 1;
      for (const [client, type] of [
        [legal, 'SUBMIT'],
        [legal, 'REQUEST_CHANGES'],
        [legal, 'SUBMIT'],
        [legalGyeonggi, 'APPROVE'],
      ] as const) {
        version = (await client.post(`/api/agreements/${id}/events`, { type, expectedVersion: version })).body.version;
      }
    });

    const verify = async () => (await legal.get(`/api/agreements/${id}/audit/verify`)).body;

    it('when nothing was touched, then the chain verifies', async () => {
      expect(await verify()).to.include({ valid: true, entries: 5 });
    });

    it('when an entry is edited in the database, then verification names it as altered', async () => {
      await server.db('audit_events').where({ agreement_id: id, seq: 3 }).update({ actor: 'someone@else.example' });
      expect(await verify()).to.include({ valid: false, firstBadSeq: 3, problem: 'altered' });
    });

    it('when an entry is deleted, then verification names the gap as removed', async () => {
      await server.db('audit_events').where({ agreement_id: id, seq: 2 }).delete();
      expect(await verify()).to.include({ valid: false, firstBadSeq: 3, problem: 'removed' });
    });

    it('when an entry is slipped in with a valid hash of its own, then verification names the insertion', async () => {
      const rows = await server.db('audit_events').where({ agreement_id: id }).orderBy('seq');
      const { auditHash } = await import('../../db/repositories/audit.repository.ts');
      // Renumber the tail, then insert a forged entry at 3 that links correctly to entry 2.
      for (const row of rows.slice(2).reverse()) {
        await server
          .db('audit_events')
          .where({ agreement_id: id, seq: row.seq })
          .update({ seq: row.seq + 1 });
      }
      const forged = {
        agreementId: id,
        seq: 3,
        at: rows[2].at,
        actor: 'forger@evil.example',
        party: 'sverdlovsk',
        role: 'official',
        ip: null,
        userAgent: null,
        event: 'APPROVE',
        from: 'review',
        to: 'review',
        detail: null,
        prevHash: rows[1].hash,
      };
      await server.db('audit_events').insert({
        agreement_id: id,
        seq: 3,
        at: forged.at,
        actor: forged.actor,
        party_key: forged.party,
        role: forged.role,
        event: forged.event,
        from_state: forged.from,
        to_state: forged.to,
        detail: null,
        prev_hash: forged.prevHash,
        hash: auditHash(forged),
      });
      const result = await verify();
      expect(result.valid).to.equal(false);
      expect(result.firstBadSeq).to.equal(4);
      expect(['altered', 'inserted']).to.include(result.problem);
    });

    it('when npm run audit:verify runs on the database, then it names the broken entry and exits 1', async () => {
      await server.db('audit_events').where({ agreement_id: id, seq: 4 }).update({ to_state: 'executed' });
      const environment = { ...process.env, DATABASE_URL: server.databaseUrl, BILATERAL_SECRET: randomBytes(32).toString('hex') };
      const failure = await run('node_modules/.bin/tsx', ['server/audit-verify-cli.ts', String(id)], { env: environment }).catch(
        (error) => error,
      );
      expect(failure.code).to.equal(1);
      expect(failure.stdout).to.include(`agreement ${id}: BROKEN at entry 4 (altered)`);
      const intact = await run('node_modules/.bin/tsx', ['server/audit-verify-cli.ts', '1'], { env: environment });
      expect(intact.stdout).to.match(/agreement 1: \d+ entries, chain intact/);
    });
  });
});
