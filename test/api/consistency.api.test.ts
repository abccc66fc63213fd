import { expect } from 'chai';
import { clauseLibrary } from '../../server/text/clause-library.ts';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe(`cross-language consistency gate (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  const ok = (response: ApiResponse, status = 200) => {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    return response.body;
  };

  before(async () => {
    server = await startTestServer();
    legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
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
    const seven = library.replaceAll('{{count noticeMonths "month"}}', '7 months');
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
});
