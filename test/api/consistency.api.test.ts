import { expect } from 'chai';
import { clauseLibrary } from '../../server/text/clause-library.ts';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe(`cross-language consistency gate (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  let gyeonggiLegal: ApiClient;
  let observer: ApiClient;
  before(async () => {
    server = await startTestServer();
    legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    gyeonggiLegal = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    observer = await ApiClient.signIn(server.baseUrl, 'observer@sverdlovsk.example');
  });
  after(async () => server?.close());

  /** Writes the English duration clause as the source, then confirms Russian and Korean against it. */
  async function writeEnglishDuration(id: number, text: string, version: number): Promise<number> {
    let agreement = ok(
      await legal.put(`/api/agreements/${id}/clauses/duration-and-termination`, { lang: 'en', text, expectedVersion: version }),
    );
    for (const lang of ['ru', 'ko']) {
      agreement = ok(
        await legal.post(`/api/agreements/${id}/clauses/duration-and-termination/confirm`, { lang, expectedVersion: agreement.version }),
      );
    }
    expect(agreement.parity).to.deep.equal([]);
    return agreement.version;
  }

  it('when a number is changed in one language, then SUBMIT is refused naming the clause, languages and numbers, and accepted after the fix', async () => {
    const created = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201);
    expect(created.consistency).to.deep.equal([]);
    const library = clauseLibrary().clauses.get('duration-and-termination')!.texts.en;
    const seven = library.replaceAll('{{count noticeMonths "month" words=true}}', '7 months');
    const version = await writeEnglishDuration(created.id, seven, created.version);

    const shown = ok(await legal.get(`/api/agreements/${created.id}`));
    expect(shown.consistency).to.have.length(1);
    expect(shown.consistency[0]).to.deep.include({ clause: 'duration-and-termination', rule: 'numbers' });
    expect(shown.consistency[0].found).to.deep.equal({ ru: ['5', '5', '6'], ko: ['5', '5', '6'], en: ['5', '5', '7'] });

    const auditBefore = ok(await legal.get(`/api/agreements/${created.id}/audit`)).length;
    const refused = await legal.post(`/api/agreements/${created.id}/events`, { type: 'SUBMIT', expectedVersion: version });
    expect(refused.status).to.equal(422);
    expect(refused.body.detail).to.include('clause "duration-and-termination"');
    expect(refused.body.detail).to.include('ru: 5, 5, 6').and.include('en: 5, 5, 7');
    expect(refused.body.inconsistent[0]).to.include({ clause: 'duration-and-termination', rule: 'numbers' });
    const unchanged = ok(await legal.get(`/api/agreements/${created.id}`));
    expect(unchanged).to.include({ state: 'drafting', version });
    expect(ok(await legal.get(`/api/agreements/${created.id}/audit`)).length).to.equal(auditBefore);

    const fixed = await writeEnglishDuration(created.id, library, version);
    expect(ok(await legal.get(`/api/agreements/${created.id}`)).consistency).to.deep.equal([]);
    expect(ok(await legal.post(`/api/agreements/${created.id}/events`, { type: 'SUBMIT', expectedVersion: fixed }))).to.include({
      state: 'review',
    });
  });

  it('when each party marks a difference as intended, then SUBMIT lets it pass, and a change to the clause makes it new again', async () => {
    const created = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201);
    const library = clauseLibrary().clauses.get('duration-and-termination')!.texts.en;
    let version = await writeEnglishDuration(
      created.id,
      library.replaceAll('{{count noticeMonths "month" words=true}}', '7 months'),
      created.version,
    );
    const intended = `/api/agreements/${created.id}/consistency/duration-and-termination/intended`;
    const reason = 'Gyeonggi asked for a longer notice in the English text; both legal departments agreed.';

    // Refused: no reason, a rule that found nothing, an observer; none changes anything.
    const before = await storedAgreement(server.db, created.id);
    expect((await legal.post(intended, { rule: 'numbers', reason: ' ', expectedVersion: version })).status).to.equal(400);
    const noSuch = await legal.post(intended, { rule: 'names', reason, expectedVersion: version });
    expect(noSuch.status).to.equal(404);
    expect(noSuch.body.detail).to.include('it has: numbers');
    expect((await observer.post(intended, { rule: 'numbers', reason, expectedVersion: version })).status).to.equal(403);
    expect((await legal.post(intended, { rule: 'numbers', reason, expectedVersion: version - 1 })).status).to.equal(409);
    expect(await storedAgreement(server.db, created.id)).to.equal(before);

    let agreement = ok(await legal.post(intended, { rule: 'numbers', reason, expectedVersion: version }));
    expect(agreement.version).to.equal(version + 1);
    expect(agreement.consistency[0]).to.include({ intended: false });
    expect(agreement.consistency[0].intendedBy).to.deep.equal([
      { party: 'sverdlovsk', by: 'legal@sverdlovsk.example', reason, at: agreement.consistency[0].intendedBy[0].at },
    ]);
    const twice = await legal.post(intended, { rule: 'numbers', reason, expectedVersion: agreement.version });
    expect(twice.status).to.equal(422);
    // One party's mark is not enough.
    expect(
      (await legal.post(`/api/agreements/${created.id}/events`, { type: 'SUBMIT', expectedVersion: agreement.version })).status,
    ).to.equal(422);
    agreement = ok(await gyeonggiLegal.post(intended, { rule: 'numbers', reason, expectedVersion: agreement.version }));
    expect(agreement.consistency[0]).to.include({ intended: true });
    const audit = ok(await legal.get(`/api/agreements/${created.id}/audit`));
    const marks = audit.filter((entry: { event: string }) => entry.event === 'MARK_INTENDED');
    expect(marks.map((entry: { party: string; detail: string }) => [entry.party, entry.detail.endsWith(reason)])).to.deep.equal([
      ['sverdlovsk', true],
      ['gyeonggi', true],
    ]);

    // The text changes (to 8 months): the marks no longer hold, and SUBMIT is refused again.
    version = await writeEnglishDuration(
      created.id,
      library.replaceAll('{{count noticeMonths "month" words=true}}', '8 months'),
      agreement.version,
    );
    const changed = ok(await legal.get(`/api/agreements/${created.id}`));
    expect(changed.consistency[0]).to.deep.include({ intended: false, intendedBy: [] });
    expect((await legal.post(`/api/agreements/${created.id}/events`, { type: 'SUBMIT', expectedVersion: version })).status).to.equal(422);

    // Marked again by both, on the new text: SUBMIT passes; in review nobody marks any more.
    agreement = ok(await legal.post(intended, { rule: 'numbers', reason, expectedVersion: version }));
    agreement = ok(await gyeonggiLegal.post(intended, { rule: 'numbers', reason, expectedVersion: agreement.version }));
    const submitted = ok(await legal.post(`/api/agreements/${created.id}/events`, { type: 'SUBMIT', expectedVersion: agreement.version }));
    expect(submitted).to.include({ state: 'review' });
    expect((await gyeonggiLegal.post(intended, { rule: 'numbers', reason, expectedVersion: submitted.version })).status).to.equal(409);
  });
});
