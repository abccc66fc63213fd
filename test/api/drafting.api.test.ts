import { expect } from 'chai';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe(`drafting API (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;
  let officialGyeonggi: ApiClient;
  let officialSverdlovsk: ApiClient;
  let id: number;

  const current = async () => (await legal.get(`/api/agreements/${id}`)).body;
  before(async () => {
    server = await startTestServer();
    [legal, legalGyeonggi, officialGyeonggi, officialSverdlovsk] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example', 'official@gyeonggi.example', 'official@sverdlovsk.example'].map((email) =>
        ApiClient.signIn(server.baseUrl, email),
      ),
    );
  });
  after(async () => server?.close());

  beforeEach(async () => {
    id = ok(await legal.post('/api/agreements', { kind: 'cooperation-agreement', languages: ['ru', 'ko', 'en'] }), 201).id;
  });

  it('when the library is read, then every clause has Russian, Korean and English text and the kinds list their clauses', async () => {
    const library = ok(await legal.get('/api/library'));
    expect(library.kinds.map((kind: { kind: string }) => kind.kind)).to.have.members([
      'letter-of-intent',
      'memorandum',
      'cooperation-agreement',
      'twinning-agreement',
      'amendment',
    ]);
    for (const clause of library.clauses) expect(clause.texts).to.have.all.keys('ru', 'ko', 'en');
  });

  describe('translation parity', () => {
    it('when one language is edited, then the others need review and SUBMIT is refused listing each, with nothing changed', async () => {
      const edited = ok(
        await legal.put(`/api/agreements/${id}/clauses/financing`, {
          lang: 'ru',
          text: '<p>Каждая Сторона самостоятельно несёт расходы, связанные с участием в совместных мероприятиях.</p>',
          expectedVersion: 1,
        }),
      );
      const financing = edited.clauses.find((clause: { key: string }) => clause.key === 'financing');
      expect(financing.status).to.deep.equal({ ru: 'confirmed', ko: 'needs-review', en: 'needs-review' });
      expect(edited.parity).to.deep.equal([
        { clause: 'financing', lang: 'ko', status: 'needs-review' },
        { clause: 'financing', lang: 'en', status: 'needs-review' },
      ]);

      const before = await storedAgreement(server.db, id);
      const refused = await legal.post(`/api/agreements/${id}/events`, { type: 'SUBMIT', expectedVersion: edited.version });
      expect(refused.status).to.equal(422);
      expect(refused.contentType).to.match(/problem\+json/);
      expect(refused.body.detail).to.include('financing (ko: needs-review)').and.include('financing (en: needs-review)');
      expect(refused.body.unconfirmed).to.have.length(2);
      expect(await storedAgreement(server.db, id)).to.equal(before);
    });

    it('when the other languages are translated and confirmed, then SUBMIT passes', async () => {
      let version = ok(
        await legal.put(`/api/agreements/${id}/clauses/financing`, {
          lang: 'en',
          text: '<p>Each Party shall bear its own costs.</p>',
          expectedVersion: 1,
        }),
      ).version;
      // The counterparty's legal staff suggest their language's translation; the drafting party accepts it.
      const suggested = ok(
        await legalGyeonggi.post(`/api/agreements/${id}/suggestions`, {
          clause: 'financing',
          lang: 'ko',
          text: '<p>각 측은 자체 비용을 부담한다.</p>',
          expectedVersion: version,
        }),
        201,
      );
      const translated = ok(await legal.post(`/api/agreements/${id}/suggestions/${suggested.id}/accept`, { expectedVersion: version }));
      expect(translated.clauses.find((clause: { key: string }) => clause.key === 'financing').status.ko).to.equal('translated');
      version = translated.version;
      for (const [client, lang] of [
        [legalGyeonggi, 'ko'],
        [legal, 'ru'],
      ] as const) {
        version = ok(await client.post(`/api/agreements/${id}/clauses/financing/confirm`, { lang, expectedVersion: version })).version;
      }
      expect((await current()).parity).to.deep.equal([]);
      expect(ok(await legal.post(`/api/agreements/${id}/events`, { type: 'SUBMIT', expectedVersion: version }))).to.deep.equal({
        state: 'review',
        version: version + 1,
      });
    });

    it('when a confirmed language is confirmed again, then 422 and nothing changes', async () => {
      const before = await storedAgreement(server.db, id);
      const response = await legal.post(`/api/agreements/${id}/clauses/financing/confirm`, { lang: 'ko', expectedVersion: 1 });
      expect(response.status).to.equal(422);
      expect(await storedAgreement(server.db, id)).to.equal(before);
    });
  });

  describe('versions', () => {
    it('when the text is edited, then every edit is a version, and any version reads back as it was', async () => {
      const original = ok(await legal.get(`/api/agreements/${id}/versions/1`));
      let version = 1;
      for (const text of ['<p>Первая редакция.</p>', '<p>Вторая редакция.</p>']) {
        version = ok(
          await legal.put(`/api/agreements/${id}/clauses/purpose`, { lang: 'ru', text, expectedVersion: version, as: 'translation' }),
        ).version;
      }
      const { versions, next } = ok(await legal.get(`/api/agreements/${id}/versions`));
      expect(versions.map((entry: { version: number; change: { op: string } }) => [entry.version, entry.change.op])).to.deep.equal([
        [3, 'edit'],
        [2, 'edit'],
        [1, 'create'],
      ]);
      expect(next).to.equal(null);
      expect(versions[1]).to.include({ createdBy: 'legal@sverdlovsk.example' }).and.not.have.property('text');
      expect(ok(await legal.get(`/api/agreements/${id}/versions/1`))).to.deep.equal(original);
      const second = ok(await legal.get(`/api/agreements/${id}/versions/2`));
      expect(second.clauses.find((clause: { key: string }) => clause.key === 'purpose').languages.ru.text).to.equal(
        '<p>Первая редакция.</p>',
      );
      expect((await legal.get(`/api/agreements/${id}/versions/9`)).status).to.equal(404);
    });

    it('when the history is read page by page, then each page is at most the limit, newest first, and the pages hold every version once', async () => {
      let version = 1;
      const written = [1];
      for (let edit = 1; edit <= 7; edit += 1) {
        version = ok(
          await legal.put(`/api/agreements/${id}/clauses/purpose`, {
            lang: 'ru',
            text: `<p>Редакция ${edit}.</p>`,
            expectedVersion: version,
            as: 'translation',
          }),
        ).version;
        written.push(version);
      }
      // An event moves the agreement's version without writing a text: the list has a gap there.
      version = ok(await legal.post(`/api/agreements/${id}/events`, { type: 'WITHDRAW', expectedVersion: version })).version;

      const pages: number[][] = [];
      for (let next: string | null = `/api/agreements/${id}/versions?limit=3`; next !== null; ) {
        const page = ok(await legal.get(next));
        pages.push(page.versions.map((entry: { version: number }) => entry.version));
        next = page.next;
      }

      expect(pages).to.deep.equal([
        [8, 7, 6],
        [5, 4, 3],
        [2, 1],
      ]);
      expect(pages.flat()).to.deep.equal([...written].reverse());
      // A last page that is exactly full says so, rather than pointing at an empty one.
      expect(ok(await legal.get(`/api/agreements/${id}/versions?limit=4&before=5`))).to.deep.include({ next: null });
      expect(
        ok(await legal.get(`/api/agreements/${id}/versions?before=3`)).versions.map((entry: { version: number }) => entry.version),
      ).to.deep.equal([2, 1]);
      expect(ok(await legal.get(`/api/agreements/${id}/versions?limit=200`)).versions).to.have.length(8);
    });

    it('when a page is asked for with a limit out of range or a cursor that is not a number, then 400 and nothing changes', async () => {
      const before = await storedAgreement(server.db, id);
      for (const query of ['limit=0', 'limit=201', 'limit=ten', 'before=-1', 'before=1.5']) {
        const response = await legal.get(`/api/agreements/${id}/versions?${query}`);
        expect(response.status, query).to.equal(400);
        expect(response.body.code, query).to.equal('MALFORMED_REQUEST');
      }
      expect(await storedAgreement(server.db, id)).to.equal(before);
    });

    it('when two versions are compared, then the changed clause shows the words removed and added, per language', async () => {
      ok(
        await legal.put(`/api/agreements/${id}/clauses/dispute-settlement`, {
          lang: 'en',
          text: '<p>Any differences concerning the interpretation of this Agreement shall be settled by friendly consultations.</p>',
          expectedVersion: 1,
          as: 'translation',
        }),
      );
      const comparison = ok(await legal.get(`/api/agreements/${id}/compare?from=1&to=2`));
      const changed = comparison.clauses.filter((clause: { change: string }) => clause.change !== 'unchanged');
      expect(changed.map((clause: { key: string }) => clause.key)).to.deep.equal(['dispute-settlement']);
      const english = changed[0].languages.en;
      expect(english.filter((run: { added: boolean }) => run.added).map((run: { value: string }) => run.value.trim())).to.include(
        'friendly',
      );
      expect(
        english
          .filter((run: { removed: boolean }) => run.removed)
          .map((run: { value: string }) => run.value)
          .join(' '),
      ).to.include('application');
      expect(changed[0].languages.ru.every((run: { added: boolean; removed: boolean }) => !run.added && !run.removed)).to.equal(true);
    });
  });

  describe('approvals bound to content', () => {
    it('when an approval is given, changes are requested and the text edited, then the approvals are cleared, the audit says why, and compare shows what changed since my approval', async () => {
      let version = ok(await legal.post(`/api/agreements/${id}/events`, { type: 'SUBMIT', expectedVersion: 1 })).version;
      version = ok(await legalGyeonggi.post(`/api/agreements/${id}/events`, { type: 'APPROVE', expectedVersion: version })).version;
      const approvedHash = (await current()).contentHash;
      const [approval] = await server.db('approvals').where({ agreement_id: id });
      expect(approval).to.include({ stage: 'review', party_key: 'gyeonggi', content_hash: approvedHash, version: version - 1 });
      version = ok(
        await officialGyeonggi.post(`/api/agreements/${id}/events`, {
          type: 'REQUEST_CHANGES',
          expectedVersion: version,
          comment: 'Name the coordinators',
        }),
      ).version;
      expect((await current()).approvals).to.deep.equal({ review: [], approval: [] });
      ok(
        await legal.put(`/api/agreements/${id}/clauses/coordinators`, {
          lang: 'en',
          text: '<p>The Parties shall designate coordinators.</p>',
          expectedVersion: version,
          as: 'translation',
        }),
      );

      const audit = ok(await legal.get(`/api/agreements/${id}/audit`));
      const requested = audit.find((entry: { event: string }) => entry.event === 'REQUEST_CHANGES');
      expect(requested.detail).to.include('Name the coordinators').and.include('approvals cleared');
      expect(audit.find((entry: { event: string }) => entry.event === 'APPROVE').detail).to.include(approvedHash);

      const sinceApproval = ok(await legalGyeonggi.get(`/api/agreements/${id}/compare?from=my-last-approval`));
      expect(sinceApproval.from.contentHash).to.equal(approvedHash);
      expect(
        sinceApproval.clauses
          .filter((clause: { change: string }) => clause.change === 'changed')
          .map((clause: { key: string }) => clause.key),
      ).to.deep.equal(['coordinators']);
      expect((await officialSverdlovsk.get(`/api/agreements/${id}/compare?from=my-last-approval`)).status).to.equal(404);
    });
  });

  describe('clauses', () => {
    it('when clauses are added, reordered and removed, then the text follows and a fresh clause waits for its translations', async () => {
      let agreement = ok(
        await legal.post(`/api/agreements/${id}/clauses`, { libraryKey: 'twin-region-status', after: 'conference', expectedVersion: 1 }),
        201,
      );
      const keys = () => agreement.clauses.map((clause: { key: string }) => clause.key);
      expect(keys().indexOf('twin-region-status')).to.equal(keys().indexOf('conference') + 1);
      agreement = ok(
        await legal.post(`/api/agreements/${id}/clauses`, {
          lang: 'ko',
          text: '<p>양측은 청소년 교류를 장려한다.</p>',
          expectedVersion: agreement.version,
        }),
        201,
      );
      const custom = agreement.clauses.at(-2);
      expect(custom.key).to.equal('custom-1');
      expect(custom.status).to.deep.equal({ ru: 'needs-review', ko: 'confirmed', en: 'needs-review' });

      const order = keys().filter((key: string) => key !== 'custom-1');
      order.splice(2, 0, 'custom-1');
      agreement = ok(await legal.put(`/api/agreements/${id}/clause-order`, { order, expectedVersion: agreement.version }));
      expect(keys()[2]).to.equal('custom-1');
      agreement = ok(await legal.request('DELETE', `/api/agreements/${id}/clauses/conference?expectedVersion=${agreement.version}`));
      expect(keys()).to.not.include('conference');
    });

    it('when a change breaks the rules, then 422 or 404 and nothing changes', async () => {
      const before = await storedAgreement(server.db, id);
      const order = (await current()).clauses.map((clause: { key: string }) => clause.key).reverse();
      expect((await legal.put(`/api/agreements/${id}/clause-order`, { order, expectedVersion: 1 })).status).to.equal(422);
      expect((await legal.request('DELETE', `/api/agreements/${id}/clauses/title?expectedVersion=1`)).status).to.equal(422);
      expect((await legal.request('DELETE', `/api/agreements/${id}/clauses/nothing?expectedVersion=1`)).status).to.equal(404);
      expect((await legal.post(`/api/agreements/${id}/clauses`, { libraryKey: 'financing', expectedVersion: 1 })).status).to.equal(422);
      expect((await legal.post(`/api/agreements/${id}/clauses`, { libraryKey: 'no-such-clause', expectedVersion: 1 })).status).to.equal(
        422,
      );
      expect(
        (await legal.put(`/api/agreements/${id}/variables`, { variables: { placeOfSigning: 'moscow' }, expectedVersion: 1 })).status,
      ).to.equal(422);
      expect(
        (await officialGyeonggi.post(`/api/agreements/${id}/clauses`, { libraryKey: 'twin-region-status', expectedVersion: 1 })).status,
      ).to.equal(403);
      expect(await storedAgreement(server.db, id)).to.equal(before);
    });

    it('when the variables change, then the printed text follows', async () => {
      ok(await legal.put(`/api/agreements/${id}/variables`, { variables: { termYears: 10, layout: 'sequential' }, expectedVersion: 1 }));
      const comparison = ok(await legal.get(`/api/agreements/${id}/compare?from=1`));
      const duration = comparison.clauses.find((clause: { key: string }) => clause.key === 'duration-and-termination');
      expect(duration.change).to.equal('changed');
      expect(
        duration.languages.en
          .filter((run: { added: boolean }) => run.added)
          .map((run: { value: string }) => run.value)
          .join(''),
      ).to.include('10');
    });
  });

  describe('comments', () => {
    it('when a party comments internally, then the other party never sees it; public threads take replies and resolve', async () => {
      const internal = ok(
        await legal.post(`/api/agreements/${id}/comments`, {
          clause: 'financing',
          lang: 'ru',
          body: 'Согласовать с Минфином',
          internal: true,
        }),
        201,
      );
      const thread = ok(
        await legalGyeonggi.post(`/api/agreements/${id}/comments`, {
          clause: 'financing',
          lang: 'ko',
          body: '예산 조항을 확인해 주십시오.',
        }),
        201,
      );
      ok(
        await legal.post(`/api/agreements/${id}/comments`, { clause: 'financing', lang: 'ko', body: 'Проверено.', replyTo: thread.id }),
        201,
      );

      const seenByGyeonggi = ok(await officialGyeonggi.get(`/api/agreements/${id}/comments`));
      expect(seenByGyeonggi.map((comment: { id: number }) => comment.id)).to.not.include(internal.id);
      expect(seenByGyeonggi).to.have.length(2);
      expect(
        (
          await officialGyeonggi.post(`/api/agreements/${id}/comments`, {
            clause: 'financing',
            lang: 'ru',
            body: 'x',
            replyTo: internal.id,
          })
        ).status,
      ).to.equal(404);
      expect((await officialGyeonggi.post(`/api/agreements/${id}/comments/${internal.id}/resolve`)).status).to.equal(404);
      const seenBySverdlovsk = ok(await officialSverdlovsk.get(`/api/agreements/${id}/comments`));
      expect(seenBySverdlovsk.find((comment: { id: number }) => comment.id === internal.id)).to.include({
        internal: true,
        author: 'legal@sverdlovsk.example',
      });

      const resolved = ok(await officialGyeonggi.post(`/api/agreements/${id}/comments/${thread.id}/resolve`));
      expect(resolved).to.include({ resolvedBy: 'official@gyeonggi.example' });
      expect((await legal.post(`/api/agreements/${id}/comments/${thread.id}/resolve`)).status).to.equal(422);
      expect((await current()).version).to.equal(1);
    });

    it('when the comment names an unknown clause or a language not in the agreement, then it is refused', async () => {
      expect((await legal.post(`/api/agreements/${id}/comments`, { clause: 'nothing', lang: 'ru', body: 'x' })).status).to.equal(404);
      const letter = ok(await legal.post('/api/agreements', { kind: 'letter-of-intent' }), 201);
      expect((await legal.post(`/api/agreements/${letter.id}/comments`, { clause: 'purpose', lang: 'en', body: 'x' })).status).to.equal(
        422,
      );
    });
  });
});
