import { expect } from 'chai';
import { insertParty } from '../../db/repositories/parties.repository.ts';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Found {
  id: number;
  kind: string;
  title: string;
  state: string;
  waitingFor: string[];
  signedAt: string | null;
  hits?: { clause: string; heading: string | null; lang: string; excerpt: string; marks: { start: number; end: number }[] }[];
}

describe(`the register: GET /api/agreements (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;

  const find = async (query: string, client = legal): Promise<{ agreements: Found[]; next: string | null }> =>
    ok(await client.get(`/api/agreements?${query}`));
  /** Every page of a query, following `next`, with `between` run before each further page. */
  const allPages = async (query: string, between: () => Promise<void> = async () => {}) => {
    const seen: Found[] = [];
    let page = await find(query);
    seen.push(...page.agreements);
    while (page.next) {
      await between();
      page = ok(await legal.get(page.next));
      seen.push(...page.agreements);
    }
    return seen;
  };
  const create = async (body: object = { kind: 'letter-of-intent' }) =>
    ok(await legal.post('/api/agreements', { counterparty: 'gyeonggi', ...body }), 201);
  const writeClause = async (id: number, key: string, lang: string, text: string) => {
    const { version } = ok(await legal.get(`/api/agreements/${id}`));
    return ok(await legal.put(`/api/agreements/${id}/clauses/${key}`, { lang, text, expectedVersion: version, as: 'translation' }));
  };

  before(async () => {
    server = await startTestServer({ agreementsPerUserPerHour: 1000 });
    [legal, legalGyeonggi] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example'].map((email) => ApiClient.signIn(server.baseUrl, email)),
    );
  });
  after(async () => server?.close());

  describe('pages', () => {
    before(async () => {
      for (let index = 0; index < 12; index += 1) await create();
    });

    for (const sort of ['changed', 'title', 'signed']) {
      it(`when agreements are created between the pages (sort=${sort}), then every earlier agreement comes exactly once`, async () => {
        const before = (await allPages(`sort=${sort}&limit=100`)).map((agreement) => agreement.id);
        expect(before.length).to.be.greaterThan(12);
        const created: number[] = [];
        const seen = (
          await allPages(`sort=${sort}&limit=4`, async () => {
            created.push((await create()).id);
          })
        ).map((row) => row.id);
        expect(new Set(seen).size, 'no agreement twice').to.equal(seen.length);
        expect(seen.filter((id) => !created.includes(id))).to.have.members(before);
        expect(created.length).to.be.greaterThan(2);
      });
    }

    it('when sorted by title, then the titles come in order in the reader’s language', async () => {
      const titles = (await allPages('sort=title&limit=7&lang=ko')).map((agreement) => agreement.title);
      expect(titles).to.deep.equal([...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(titles.every((title) => /\p{Script=Hangul}/u.test(title))).to.equal(true);
    });

    it('when no language is asked for, then titles are in the user’s party language; asked for, in that one', async () => {
      const [russian] = (await find('limit=1')).agreements;
      const [korean] = (await find('limit=1', legalGyeonggi)).agreements;
      expect(russian!.title).to.match(/\p{Script=Cyrillic}/u);
      expect(korean!.title).to.match(/\p{Script=Hangul}/u);
      expect((await find('limit=1&lang=en')).agreements[0]!.title).to.match(/^Letter of Intent|^Agreement/);
    });

    it('when the parameters are malformed or a cursor belongs to another query, then 400 naming them, and nothing is listed', async () => {
      for (const [query, named] of [
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=x', 'limit'],
        ['sort=newest', 'sort'],
        ['state=drafting,nonsense', 'state'],
        ['kind=treaty', 'kind'],
        ['signedFrom=2024-13-01', 'signedFrom'],
        ['inForceOn=yesterday', 'inForceOn'],
        ['waitingForMe=maybe', 'waitingForMe'],
        ['cursor=bm90IGEgY3Vyc29y', 'cursor'],
        [`q=${'a'.repeat(201)}`, 'q'],
      ]) {
        const response = await legal.get(`/api/agreements?${query}`);
        expect(response.status, query).to.equal(400);
        expect(response.body.code).to.equal('MALFORMED_REQUEST');
        expect(response.body.detail, query).to.include(named);
      }
      const { next } = await find('limit=2&sort=title');
      const foreign = new URL(next!, server.baseUrl).searchParams.get('cursor')!;
      const refused = await legal.get(`/api/agreements?limit=2&sort=changed&cursor=${foreign}`);
      expect(refused.status).to.equal(400);
      expect(refused.body.detail).to.include('cursor');
    });
  });

  describe('filters', () => {
    it('when filtered by state and kind, then only those come back', async () => {
      const memorandum = await create({ kind: 'memorandum' });
      ok(await legal.post(`/api/agreements/${memorandum.id}/events`, { type: 'SUBMIT', expectedVersion: memorandum.version }));
      const inReview = await allPages('state=review');
      expect(inReview.map((agreement) => agreement.id)).to.include(memorandum.id);
      expect(inReview.every((agreement) => agreement.state === 'review')).to.equal(true);
      const memoranda = await allPages('kind=memorandum,twinning-agreement');
      expect(memoranda.map((agreement) => agreement.id)).to.include(memorandum.id);
      expect(memoranda.every((agreement) => agreement.kind === 'memorandum')).to.equal(true);
      expect((await allPages('state=drafting')).map((agreement) => agreement.id)).to.not.include(memorandum.id);
    });

    it('when filtered by counterparty, then only the agreements with that party', async () => {
      const gyeonggi = await server.db('parties').where({ key: 'gyeonggi' }).first();
      await insertParty(server.db, { key: 'busan', language: 'ko', names: JSON.parse(gyeonggi.names) }, new Date().toISOString());
      const withBusan = await create({ kind: 'memorandum', counterparty: 'busan' });
      expect((await allPages('counterparty=busan')).map((agreement) => agreement.id)).to.deep.equal([withBusan.id]);
      const withGyeonggi = (await allPages('counterparty=gyeonggi')).map((agreement) => agreement.id);
      expect(withGyeonggi).to.not.include(withBusan.id);
      expect(withGyeonggi.length).to.be.greaterThan(10);
      expect(await allPages('counterparty=nobody')).to.deep.equal([]);
      // Busan's agreement is not Gyeonggi's: Gyeonggi's users never see it.
      expect((await find('limit=100', legalGyeonggi)).agreements.map((agreement) => agreement.id)).to.not.include(withBusan.id);
    });

    it('when filtered by signature date and by the day in force, then the executed letter of intent is in exactly its range', async () => {
      const executed = (await allPages('state=executed,in-force')).filter((agreement) => agreement.signedAt !== null);
      expect(executed.length).to.be.greaterThan(0);
      const letter = executed[0]!;
      const signedOn = letter.signedAt!.slice(0, 10);
      const ids = async (query: string) => (await allPages(query)).map((agreement) => agreement.id);
      expect(await ids(`signedFrom=${signedOn}&signedTo=${signedOn}`)).to.include(letter.id);
      expect(await ids(`signedTo=${dayBefore(signedOn)}`)).to.not.include(letter.id);
      expect(await ids(`signedFrom=${dayAfter(signedOn)}`)).to.not.include(letter.id);
      const { dates } = ok(await legal.get(`/api/agreements/${letter.id}`));
      if (dates.inForceOn) {
        expect(await ids(`inForceOn=${dates.inForceOn}`)).to.include(letter.id);
        expect(await ids(`inForceOn=${dayBefore(dates.inForceOn)}`)).to.not.include(letter.id);
      }
      expect((await ids('sort=signed&limit=100')).indexOf(letter.id)).to.equal(0);
    });

    it('when waitingForMe, then only what this user may move forward now, as the policy says', async () => {
      const waiting = await allPages('waitingForMe=true&limit=3');
      expect(waiting.length).to.be.greaterThan(0);
      expect(waiting.every((agreement) => agreement.waitingFor.length > 0)).to.equal(true);
      const all = await allPages('limit=100');
      expect(waiting.map((agreement) => agreement.id)).to.have.members(
        all.filter((agreement) => agreement.waitingFor.length > 0).map((agreement) => agreement.id),
      );
      // Submitted by Sverdlovsk and approved by its legal staff: it waits for Gyeonggi's, no longer for Sverdlovsk's.
      const letter = await create();
      const submitted = ok(await legal.post(`/api/agreements/${letter.id}/events`, { type: 'SUBMIT', expectedVersion: letter.version }));
      ok(await legal.post(`/api/agreements/${letter.id}/events`, { type: 'APPROVE', expectedVersion: submitted.version }));
      expect((await allPages('waitingForMe=true')).map((agreement) => agreement.id)).to.not.include(letter.id);
      const forGyeonggi = (await find('waitingForMe=1&limit=100', legalGyeonggi)).agreements;
      expect(forGyeonggi.find((agreement) => agreement.id === letter.id)?.waitingFor).to.deep.equal(['APPROVE']);
    });
  });

  describe('search', () => {
    it('when searching a Russian word in another form, then the agreement is found with the article named and the word marked', async () => {
      const { id } = await create({ kind: 'cooperation-agreement' });
      await writeClause(id, 'purpose', 'ru', '<p>Стороны развивают сотрудничества в области виноградарства и садоводства.</p>');
      const { agreements } = await find(`q=${encodeURIComponent('виноградарство сотрудничество')}`);
      expect(agreements.map((agreement) => agreement.id)).to.deep.equal([id]);
      const [hit] = agreements[0]!.hits!;
      expect(hit).to.include({ clause: 'purpose', lang: 'ru' });
      expect(hit!.heading).to.match(/^Статья \d+$/);
      const marked = hit!.marks.map((mark) => hit!.excerpt.slice(mark.start, mark.end));
      expect(marked).to.include.members(['сотрудничества', 'виноградарства']);
    });

    it('when searching Korean with or without the space in a compound, then both spellings are found, each marked', async () => {
      const spaced = await create({ kind: 'cooperation-agreement' });
      const joined = await create({ kind: 'cooperation-agreement' });
      await writeClause(spaced.id, 'purpose', 'ko', '<p>양측은 인삼 재배 분야의 경제 협력을 발전시킨다.</p>');
      await writeClause(joined.id, 'purpose', 'ko', '<p>양측은 인삼재배 분야의 경제협력을 발전시킨다.</p>');
      for (const query of ['인삼재배', '인삼 재배']) {
        const { agreements } = await find(`q=${encodeURIComponent(query)}`, legalGyeonggi);
        expect(
          agreements.map((agreement) => agreement.id),
          query,
        ).to.have.members([spaced.id, joined.id]);
        for (const agreement of agreements) {
          const [hit] = agreement.hits!;
          expect(hit).to.include({ clause: 'purpose', lang: 'ko' });
          expect(hit!.heading).to.match(/^제\d+조$/);
          const marked = hit!.marks.map((mark) => hit!.excerpt.slice(mark.start, mark.end));
          expect(marked).to.deep.equal([agreement.id === spaced.id ? '인삼 재배' : '인삼재배']);
        }
      }
      for (const query of ['경제협력', '경제 협력']) {
        const ids = (await allPages(`q=${encodeURIComponent(query)}&limit=100`)).map((agreement) => agreement.id);
        expect(ids, query).to.include.members([spaced.id, joined.id]);
      }
    });

    it('when the text changes, then the search finds the current text only, and searches combine with filters and pages', async () => {
      const { id } = await create({ kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] });
      await writeClause(id, 'purpose', 'en', '<p>The Parties shall cooperate in beekeeping.</p>');
      expect((await find('q=beekeepers')).agreements.map((agreement) => agreement.id)).to.deep.equal([id]);
      await writeClause(id, 'purpose', 'en', '<p>The Parties shall cooperate in horticulture.</p>');
      expect((await find('q=beekeeping')).agreements).to.deep.equal([]);
      expect((await find('q=horticultural&kind=letter-of-intent')).agreements).to.deep.equal([]);
      expect((await find('q=horticulture&kind=cooperation-agreement')).agreements.map((agreement) => agreement.id)).to.deep.equal([id]);
      // Every agreement's title names the parties: a search for it pages through all of them without repeats.
      const all = await allPages('limit=100');
      const found = await allPages(`q=${encodeURIComponent('Свердловской')}&limit=5`);
      expect(new Set(found.map((agreement) => agreement.id)).size).to.equal(found.length);
      expect(found.map((agreement) => agreement.id)).to.have.members(all.map((agreement) => agreement.id));
    });

    it('when the query has no words, then nothing is found; another party’s agreements are never found', async () => {
      expect((await find(`q=${encodeURIComponent('!!! ...')}`)).agreements).to.deep.equal([]);
      const { id } = await create({ kind: 'memorandum', counterparty: 'busan' });
      await writeClause(id, 'purpose', 'ru', '<p>Стороны развивают пчеловодство.</p>');
      expect((await find('q=пчеловодство')).agreements.map((agreement) => agreement.id)).to.deep.equal([id]);
      expect((await find('q=пчеловодство', legalGyeonggi)).agreements).to.deep.equal([]);
    });
  });
});

function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
