import { expect } from 'chai';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { countRows, storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { WebClient } from '../web/web-client.ts';

/** The seeded agreement of cooperation, in drafting. */
const COOPERATION = 2;
const LETTER_OF_INTENT = 1;

function expectProblem(response: ApiResponse, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.contentType).to.match(/^application\/problem\+json/);
  expect(response.body).to.include({ status, code });
  expect(response.body.type).to.be.a('string');
  expect(response.body.title).to.be.a('string');
  expect(response.body.detail).to.be.a('string').and.not.empty;
}

describe(`agreements API (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;
  let official: ApiClient;
  let signatory: ApiClient;

  before(async () => {
    server = await startTestServer();
    [legal, legalGyeonggi, official, signatory] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example', 'official@sverdlovsk.example', 'signatory@sverdlovsk.example'].map((email) =>
        ApiClient.signIn(server.baseUrl, email),
      ),
    );
  });
  after(async () => server?.close());

  /** Runs a request that must be refused and checks that nothing about the agreement changed. */
  async function expectRefusedWithoutChange(agreementId: number, send: () => Promise<ApiResponse>, status: number, code: string) {
    const before = await storedAgreement(server.db, agreementId);
    expectProblem(await send(), status, code);
    expect(await storedAgreement(server.db, agreementId)).to.equal(before);
  }

  describe('sessions', () => {
    it('when the password is right, then a token and the user come back', async () => {
      const response = await new ApiClient(server.baseUrl).post('/api/sessions', {
        email: 'official@gyeonggi.example',
        password: 'test-password',
      });
      expect(response.status).to.equal(201);
      expect(response.body.token).to.be.a('string');
      expect(response.body.user).to.include({ email: 'official@gyeonggi.example', party: 'gyeonggi', role: 'official' });
    });

    it('when the password or the email is wrong, then 401 and no token is stored', async () => {
      const tokens = await countRows(server.db, 'access_tokens');
      const anonymous = new ApiClient(server.baseUrl);
      expectProblem(
        await anonymous.post('/api/sessions', { email: 'legal@sverdlovsk.example', password: 'wrong' }),
        401,
        'UNAUTHENTICATED',
      );
      expectProblem(await anonymous.post('/api/sessions', { email: 'nobody@nowhere.example', password: 'x' }), 401, 'UNAUTHENTICATED');
      expect(await countRows(server.db, 'access_tokens')).to.equal(tokens);
    });

    it('when the body is not JSON or misses a field, then 400', async () => {
      const anonymous = new ApiClient(server.baseUrl);
      expectProblem(await anonymous.request('POST', '/api/sessions', undefined, '{"email": '), 400, 'MALFORMED_REQUEST');
      expectProblem(await anonymous.post('/api/sessions', { email: 'legal@sverdlovsk.example' }), 400, 'MALFORMED_REQUEST');
    });
  });

  describe('reading', () => {
    it('when listing, then each party sees the agreements it is a party to', async () => {
      const response = await legal.get('/api/agreements');
      expect(response.status).to.equal(200);
      expect(response.body.agreements.map((agreement: { id: number }) => agreement.id)).to.have.members([LETTER_OF_INTENT, COOPERATION]);
      expect(response.body.next).to.equal(null);
      expect(response.body.agreements[0]).to.have.all.keys(
        'id',
        'kind',
        'title',
        'name',
        'state',
        'version',
        'updatedAt',
        'signedAt',
        'waitingFor',
        'registrations',
      );
    });

    it('when reading one, then its text, parties, approvals and the events this user may send come back', async () => {
      const response = await legal.get(`/api/agreements/${COOPERATION}`);
      expect(response.status).to.equal(200);
      const agreement = response.body;
      expect(agreement).to.include({ id: COOPERATION, kind: 'cooperation-agreement', state: 'drafting', basedOn: LETTER_OF_INTENT });
      expect(agreement.languages).to.deep.equal(['ru', 'ko', 'en']);
      expect(agreement.parties.map((party: { key: string }) => party.key)).to.deep.equal(['sverdlovsk', 'gyeonggi']);
      expect(agreement.clauses[0].key).to.equal('title');
      for (const clause of agreement.clauses) expect(clause.texts).to.have.all.keys('ru', 'ko', 'en');
      expect(agreement.nextEvents).to.deep.equal(['SUBMIT', 'WITHDRAW']);
      expect((await signatory.get(`/api/agreements/${COOPERATION}`)).body.nextEvents).to.deep.equal([]);
    });

    it('when there is no token or a bad one, then 401', async () => {
      expectProblem(await new ApiClient(server.baseUrl).get('/api/agreements'), 401, 'UNAUTHENTICATED');
      expectProblem(await new ApiClient(server.baseUrl, 'x'.repeat(43)).get('/api/agreements'), 401, 'UNAUTHENTICATED');
    });

    it('when the agreement does not exist or the id is not one, then 404', async () => {
      expectProblem(await legal.get('/api/agreements/999'), 404, 'NOT_FOUND');
      expectProblem(await legal.get('/api/agreements/..%2F..%2Fetc'), 404, 'NOT_FOUND');
      expectProblem(await legal.get('/api/nothing-here'), 404, 'NOT_FOUND');
    });
  });

  describe('creating', () => {
    it('when legal staff create an agreement, then it starts in drafting from the templates, complete in each language', async () => {
      const response = await legalGyeonggi.post('/api/agreements', { kind: 'letter-of-intent' });
      expect(response.status).to.equal(201);
      expect(response.body).to.include({ kind: 'letter-of-intent', state: 'drafting', version: 1 });
      expect(response.body.languages).to.deep.equal(['ko', 'ru']);
      expect(response.body.parties.map((party: { key: string }) => party.key)).to.deep.equal(['gyeonggi', 'sverdlovsk']);
      const audit = await legalGyeonggi.get(`/api/agreements/${response.body.id}/audit`);
      expect(audit.body).to.have.length(1);
      expect(audit.body[0]).to.include({ event: 'CREATE', actor: 'legal@gyeonggi.example', from: null, to: 'drafting' });
      const draft = await legalGyeonggi.get(`/api/agreements/${response.body.id}/pdf?original=gyeonggi`);
      expect(draft.status).to.equal(200);
      expect(draft.contentType).to.equal('application/pdf');
      expect(draft.bytes.subarray(0, 5).toString()).to.equal('%PDF-');
    });

    it('when an official tries to create one, then 403 and nothing is stored', async () => {
      const agreements = await countRows(server.db, 'agreements');
      expectProblem(await official.post('/api/agreements', { kind: 'letter-of-intent' }), 403, 'FORBIDDEN');
      expect(await countRows(server.db, 'agreements')).to.equal(agreements);
    });

    it('when the kind is unknown or a language is missing, then 422 and nothing is stored', async () => {
      const agreements = await countRows(server.db, 'agreements');
      expectProblem(await legal.post('/api/agreements', { kind: 'treaty-of-peace' }), 422, 'RULE_VIOLATION');
      expectProblem(await legal.post('/api/agreements', { kind: 'letter-of-intent', languages: ['ru', 'en'] }), 422, 'RULE_VIOLATION');
      expect(await countRows(server.db, 'agreements')).to.equal(agreements);
    });

    it('when the body has unknown fields or wrong types, then 400 and nothing is stored', async () => {
      const agreements = await countRows(server.db, 'agreements');
      expectProblem(await legal.post('/api/agreements', { kind: 'letter-of-intent', colour: 'red' }), 400, 'MALFORMED_REQUEST');
      expectProblem(await legal.post('/api/agreements', { kind: 42 }), 400, 'MALFORMED_REQUEST');
      expectProblem(await legal.post('/api/agreements', ['letter-of-intent']), 400, 'MALFORMED_REQUEST');
      expect(await countRows(server.db, 'agreements')).to.equal(agreements);
    });

    it('when it is based on an agreement that is not executed, then 422', async () => {
      expectProblem(await legal.post('/api/agreements', { kind: 'cooperation-agreement', basedOn: COOPERATION }), 422, 'RULE_VIOLATION');
    });

    it('when one user has created as many agreements as an hour allows, then the next is 429 with Retry-After, on the API and the pages alike, and nothing more is stored', async () => {
      const limited = await startTestServer({ agreementsPerUserPerHour: 3 });
      try {
        const api = await ApiClient.signIn(limited.baseUrl, 'legal@sverdlovsk.example');
        const web = await WebClient.signedIn(limited.baseUrl, 'legal@sverdlovsk.example');
        const createOnPage = async () =>
          web.send('/agreements', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams([
              ['kind', 'letter-of-intent'],
              ['languages', 'ru'],
              ['languages', 'ko'],
              ['_csrf', await web.csrfTokenOf('/agreements')],
            ]),
          });
        const before = await countRows(limited.db, 'agreements');

        // Refused creations do not use up the hour.
        for (let attempt = 0; attempt < 4; attempt++)
          expectProblem(await api.post('/api/agreements', { kind: 'treaty-of-peace' }), 422, 'RULE_VIOLATION');
        for (let created = 0; created < 2; created++)
          expect((await api.post('/api/agreements', { kind: 'letter-of-intent' })).status).to.equal(201);
        expect((await createOnPage()).status, 'the third, on the page').to.equal(303);
        const stored = await countRows(limited.db, 'agreements');
        expect(stored).to.equal(before + 3);
        const audit = await countRows(limited.db, 'audit_events');

        const refused = await api.post('/api/agreements', { kind: 'letter-of-intent' });
        expectProblem(refused, 429, 'TOO_MANY_REQUESTS');
        expect(refused.body.detail).to.match(/at most 3 agreements an hour/);
        expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 3600);
        const page = await createOnPage();
        expect(page.status).to.equal(429);
        expect(Number(page.headers.get('retry-after'))).to.be.within(1, 3600);
        expect(await countRows(limited.db, 'agreements')).to.equal(stored);
        expect(await countRows(limited.db, 'audit_events')).to.equal(audit);

        // The limit is per user: the other party's legal staff still create.
        const other = await ApiClient.signIn(limited.baseUrl, 'legal@gyeonggi.example');
        expect((await other.post('/api/agreements', { kind: 'letter-of-intent' })).status).to.equal(201);
      } finally {
        await limited.close();
      }
    });
  });

  describe('editing a clause', () => {
    it('when legal staff edit a clause while drafting, then the text is stored, the version moves and the audit says so', async () => {
      const before = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
      const text = '<p>Стороны осуществляют сотрудничество в соответствии с настоящим Соглашением.</p>';
      const response = await legal.put(`/api/agreements/${COOPERATION}/clauses/purpose`, {
        lang: 'ru',
        text,
        expectedVersion: before.version,
      });
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body.version).to.equal(before.version + 1);
      expect(response.body.clauses.find((clause: { key: string }) => clause.key === 'purpose').texts.ru).to.equal(text);
      const audit = (await legal.get(`/api/agreements/${COOPERATION}/audit`)).body;
      expect(audit.at(-1)).to.include({
        event: 'EDIT_TEXT',
        actor: 'legal@sverdlovsk.example',
        from: 'drafting',
        to: 'drafting',
        detail: 'edit purpose (ru)',
      });
    });

    it('when the expected version is stale, then 409 and nothing changes', async () => {
      // A version behind the current one, whatever earlier tests did to the seeded agreement.
      const { version } = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
      await expectRefusedWithoutChange(
        COOPERATION,
        () =>
          legal.put(`/api/agreements/${COOPERATION}/clauses/purpose`, { lang: 'ru', text: '<p>Текст.</p>', expectedVersion: version - 1 }),
        409,
        'VERSION_CONFLICT',
      );
    });

    it('when the text uses an unknown variable, markup outside the subset or a character no font has, then 422 naming it, and nothing changes', async () => {
      const { version } = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
      const attempt = (text: string) => () =>
        legal.put(`/api/agreements/${COOPERATION}/clauses/financing`, { lang: 'en', text, expectedVersion: version });
      await expectRefusedWithoutChange(COOPERATION, attempt('<p>Paid by {{treasurer.name}}.</p>'), 422, 'RULE_VIOLATION');
      await expectRefusedWithoutChange(COOPERATION, attempt('<p>Costs <script>alert(1)</script></p>'), 422, 'RULE_VIOLATION');
      await expectRefusedWithoutChange(COOPERATION, attempt('<p>Costs {{> ../secrets}}</p>'), 422, 'RULE_VIOLATION');
      const missingGlyph = await attempt('<p>Each Party bears its own costs \u{1F600}.</p>')();
      expectProblem(missingGlyph, 422, 'RULE_VIOLATION');
      expect(missingGlyph.body).to.include({ clause: 'financing', lang: 'en', codePoint: 'U+1F600' });
      const unknownVariable = await attempt('<p>Paid by {{treasurer}}.</p>')();
      expect(unknownVariable.body).to.include({ clause: 'financing', lang: 'en', variable: 'treasurer' });
    });

    it('when an official or the other party edits, or the clause does not exist, then 403/404 and nothing changes', async () => {
      const { version } = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
      const body = { lang: 'ru', text: '<p>Текст.</p>', expectedVersion: version };
      await expectRefusedWithoutChange(
        COOPERATION,
        () => official.put(`/api/agreements/${COOPERATION}/clauses/purpose`, body),
        403,
        'FORBIDDEN',
      );
      await expectRefusedWithoutChange(
        COOPERATION,
        () => legal.put(`/api/agreements/${COOPERATION}/clauses/no-such-clause`, body),
        404,
        'NOT_FOUND',
      );
      await expectRefusedWithoutChange(
        LETTER_OF_INTENT,
        () => legal.put(`/api/agreements/${LETTER_OF_INTENT}/clauses/purpose`, { ...body, expectedVersion: 8 }),
        409,
        'INVALID_TRANSITION',
      );
    });
  });

  describe('events', () => {
    it('when an event is malformed, then 400 and nothing changes', async () => {
      await expectRefusedWithoutChange(
        COOPERATION,
        () => legal.post(`/api/agreements/${COOPERATION}/events`, { type: 'PUBLISH', expectedVersion: 1 }),
        400,
        'MALFORMED_REQUEST',
      );
      await expectRefusedWithoutChange(
        COOPERATION,
        () => legal.post(`/api/agreements/${COOPERATION}/events`, { type: 'SUBMIT' }),
        400,
        'MALFORMED_REQUEST',
      );
    });

    it('when the role may not send it, then 403 and nothing changes', async () => {
      const { version } = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
      await expectRefusedWithoutChange(
        COOPERATION,
        () => official.post(`/api/agreements/${COOPERATION}/events`, { type: 'SUBMIT', expectedVersion: version }),
        403,
        'FORBIDDEN',
      );
    });

    it('when the event is not possible in this state, then 409 and nothing changes', async () => {
      const { version } = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
      await expectRefusedWithoutChange(
        COOPERATION,
        () => signatory.post(`/api/agreements/${COOPERATION}/events`, { type: 'SIGN', expectedVersion: version }),
        409,
        'INVALID_TRANSITION',
      );
      await expectRefusedWithoutChange(
        LETTER_OF_INTENT,
        () => legal.post(`/api/agreements/${LETTER_OF_INTENT}/events`, { type: 'WITHDRAW', expectedVersion: 8 }),
        409,
        'INVALID_TRANSITION',
      );
    });

    it('when the expected version is stale, then 409 and nothing changes', async () => {
      await expectRefusedWithoutChange(
        COOPERATION,
        () => legal.post(`/api/agreements/${COOPERATION}/events`, { type: 'SUBMIT', expectedVersion: 0 }),
        409,
        'VERSION_CONFLICT',
      );
    });

    it('when another party asks for the agreement of others, then 404', async () => {
      const created = await legalGyeonggi.post('/api/agreements', { kind: 'memorandum' });
      expect(created.status).to.equal(201);
      // Both demo parties are parties to every demo agreement; a third party proves the privacy rule.
      await server.db('parties').insert({
        key: 'outsider',
        language: 'en',
        names: (await server.db('parties').where({ key: 'gyeonggi' }).first()).names,
        created_at: new Date().toISOString(),
      });
      await server.db('users').insert({
        email: 'legal@outsider.example',
        party_key: 'outsider',
        role: 'legal',
        display_name: 'Outsider',
        profile: JSON.stringify({ name: { en: 'O', ru: 'О', ko: '오' }, title: { en: 'L', ru: 'Ю', ko: '법' } }),
        password_hash: (await server.db('users').where({ email: 'legal@sverdlovsk.example' }).first()).password_hash,
        created_at: new Date().toISOString(),
      });
      const outsider = await ApiClient.signIn(server.baseUrl, 'legal@outsider.example');
      expect((await outsider.get('/api/agreements')).body).to.deep.equal({ agreements: [], next: null });
      expectProblem(await outsider.get(`/api/agreements/${created.body.id}`), 404, 'NOT_FOUND');
      await expectRefusedWithoutChange(
        created.body.id,
        () => outsider.post(`/api/agreements/${created.body.id}/events`, { type: 'WITHDRAW', expectedVersion: 1 }),
        404,
        'NOT_FOUND',
      );
      expectProblem(await outsider.get(`/api/agreements/${created.body.id}/pdf?original=gyeonggi`), 404, 'NOT_FOUND');
    });

    it('when the download names no party of the agreement, then 400', async () => {
      expectProblem(await legal.get(`/api/agreements/${COOPERATION}/pdf?original=moscow`), 400, 'MALFORMED_REQUEST');
      expectProblem(await legal.get(`/api/agreements/${COOPERATION}/pdf`), 400, 'MALFORMED_REQUEST');
    });
  });
});
