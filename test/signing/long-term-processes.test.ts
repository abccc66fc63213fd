import { expect } from 'chai';
import { LONG_TERM_TIMESTAMP } from '../../server/signatures/extend-long-term-validation.ts';
import { verifyPdf } from '../../server/signing/verify-pdf.ts';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, DEMO_ORIGINALS, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { serverProcessesOnFreshDatabase } from '../support/server-process.ts';

/**
 * The B-LTA extension as deployed: real `server/main.ts` processes whose schedulers poll every 200 ms.
 * On PostgreSQL two of them race for the extension of the agreement executed through one of them;
 * SQLite serves one process (README: deployment), so there it is one.
 */
describe(`long-term validation by the schedulers of server processes (${TEST_DATABASE_KIND})`, function () {
  this.timeout(240_000);
  const processes = serverProcessesOnFreshDatabase({ SCHEDULER_INTERVAL_MS: '200' });

  it('when the last signature is committed, then the originals get their DSS and document timestamp exactly once, by one process', async () => {
    const first = await processes.start({ PORT: '41601' });
    const others = TEST_DATABASE_KIND === 'postgres' ? [await processes.start({ PORT: '41602' })] : [];
    await runEvents(first, COOPERATION, HAPPY_PATH);
    const { db } = processes.database();
    let events: { status: string; claimed_by: string | null }[] = [];
    for (let tries = 0; tries < 300; tries += 1) {
      events = await db('scheduled_events').where({ agreement_id: COOPERATION, kind: LONG_TERM_TIMESTAMP }).orderBy('due_at');
      if (events.some((event) => event.status === 'done')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Done once; the next extension waits its turn (two years away).
    expect(events.map((event) => event.status)).to.deep.equal(['done', 'pending']);
    expect(events[0]!.claimed_by).to.be.a('string');
    for (const party of DEMO_ORIGINALS) {
      const rows = await db('originals').where({ agreement_id: COOPERATION, party_key: party }).orderBy('revision');
      expect(rows.map((row: { revision: number }) => row.revision)).to.deep.equal([1, 2, 3, 4]);
    }
    // Every process serves the newest revision, B-LTA.
    const anchors = (await db('credentials').where({ purpose: 'ca' }).whereNull('user_id')).map(
      (row: { party_key: string; certificate_pem: string }) => ({ party: row.party_key, certificatePem: row.certificate_pem }),
    );
    for (const server of [first, ...others]) {
      for (const party of DEMO_ORIGINALS) {
        const official = await ApiClient.signIn(server.baseUrl, `official@${party}.example`);
        const pdf = (await official.get(`/api/agreements/${COOPERATION}/pdf?original=${party}`)).bytes;
        const stored = await db('originals').where({ agreement_id: COOPERATION, party_key: party, revision: 4 }).first();
        expect(pdf.equals(Buffer.from(stored.pdf))).to.equal(true);
        const report = await verifyPdf(pdf, anchors);
        expect(report).to.include({ valid: true, level: 'B-LTA' });
      }
    }
  });
});
