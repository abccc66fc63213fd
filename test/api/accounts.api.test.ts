import { expect } from 'chai';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { countRows, storedAgreement } from '../support/snapshot.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from '../web/web-client.ts';

const NEW_PASSWORD = 'a long new password 2026';

function ok(response: ApiResponse, status = 200) {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  return response.body;
}

describe(`accounts: API tokens and the party administrator (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  describe('API tokens', () => {
    it('when the owner creates a token, then it works as a bearer token, is listed without its secret, and stops working once revoked', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
      const created = ok(await session.post('/api/tokens', { name: 'registry sync', expiresInDays: 30, password: DEMO_PASSWORD }), 201);
      expect(created.token).to.be.a('string');
      expect(created).to.include({ name: 'registry sync' });
      expect(new Date(created.expiresAt).getTime() - new Date(created.createdAt).getTime()).to.equal(30 * 24 * 3600 * 1000);

      const integration = new ApiClient(server.baseUrl, created.token);
      expect(ok(await integration.get('/api/agreements')).agreements.length).to.be.greaterThan(0);
      const listed = ok(await session.get('/api/tokens'));
      expect(listed).to.deep.equal([
        { id: created.id, name: 'registry sync', scope: 'read', createdAt: created.createdAt, expiresAt: created.expiresAt },
      ]);

      ok(await session.request('DELETE', `/api/tokens/${created.id}`), 204);
      expect((await integration.get('/api/agreements')).status).to.equal(401);
      expect(ok(await session.get('/api/tokens'))).to.deep.equal([]);
    });

    it('when another user tries to revoke a token, then 404 and the token still works', async () => {
      const owner = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
      const created = ok(await owner.post('/api/tokens', { name: 'mine', password: DEMO_PASSWORD }), 201);
      const stranger = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
      expect((await stranger.request('DELETE', `/api/tokens/${created.id}`)).status).to.equal(404);
      expect(ok(await stranger.get('/api/tokens'))).to.deep.equal([]);
      ok(await new ApiClient(server.baseUrl, created.token).get('/api/agreements'));
    });

    it('when a token is asked for without a name or for too long, then 400 and none is stored', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
      const tokens = await countRows(server.db, 'access_tokens');
      expect((await session.post('/api/tokens', { name: '', password: DEMO_PASSWORD })).status).to.equal(400);
      expect((await session.post('/api/tokens', { name: 'x', expiresInDays: 5000, password: DEMO_PASSWORD })).status).to.equal(400);
      expect((await session.post('/api/tokens', { name: 'x', scope: 'admin', password: DEMO_PASSWORD })).status).to.equal(400);
      expect(await countRows(server.db, 'access_tokens')).to.equal(tokens);
    });

    it('when a token is asked for without the password, or with a wrong one, then 400 or 403 and none is stored', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'observer@gyeonggi.example');
      const tokens = await countRows(server.db, 'access_tokens');
      const missing = await session.post('/api/tokens', { name: 'no password' });
      expect(missing.status).to.equal(400);
      expect(missing.body).to.include({ code: 'MALFORMED_REQUEST', field: 'password' });
      const wrong = await session.post('/api/tokens', { name: 'guess', password: 'not the password' });
      expect(wrong.status).to.equal(403);
      expect(wrong.body).to.include({ code: 'FORBIDDEN', field: 'password' });
      expect(await countRows(server.db, 'access_tokens')).to.equal(tokens);
    });

    it('when five wrong passwords are sent to mint tokens, then even the right one is refused for a while', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'official@sverdlovsk.example');
      for (let guess = 0; guess < 5; guess += 1)
        expect((await session.post('/api/tokens', { name: 'guess', password: `guess ${guess}` })).status).to.equal(403);
      const right = await session.post('/api/tokens', { name: 'right', password: DEMO_PASSWORD });
      expect(right.status).to.equal(403);
      expect(right.body.detail).to.include('Too many wrong passwords');
      expect(ok(await session.get('/api/tokens'))).to.deep.equal([]);
    });

    it('when a read-only token writes, then 403 naming the scope and nothing changes; it reads, and a write token writes', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
      const reader = new ApiClient(
        server.baseUrl,
        ok(await session.post('/api/tokens', { name: 'reader', scope: 'read', password: DEMO_PASSWORD }), 201).token,
      );
      const writer = new ApiClient(
        server.baseUrl,
        ok(await session.post('/api/tokens', { name: 'writer', scope: 'write', password: DEMO_PASSWORD }), 201).token,
      );
      const agreements = await countRows(server.db, 'agreements');
      const tokens = await countRows(server.db, 'access_tokens');

      const refused = await reader.post('/api/agreements', { kind: 'memorandum' });
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body).to.include({ code: 'FORBIDDEN', scope: 'read' });
      expect(refused.body.detail).to.include('"read"');
      expect((await reader.post('/api/tokens', { name: 'escalate', scope: 'write', password: DEMO_PASSWORD })).status).to.equal(403);
      expect(await countRows(server.db, 'agreements')).to.equal(agreements);
      expect(await countRows(server.db, 'access_tokens')).to.equal(tokens);

      expect(ok(await reader.get('/api/agreements')).agreements.length).to.be.greaterThan(0);
      ok(await writer.post('/api/agreements', { kind: 'memorandum' }), 201);
      expect(await countRows(server.db, 'agreements')).to.equal(agreements + 1);
    });

    it('when the account page creates a token, then it asks for the password and the scope chosen', async () => {
      const web = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
      const refused = await web.postForm(
        '/account/tokens',
        { name: 'from the page', expiresInDays: '30', scope: 'write', password: 'wrong' },
        await web.csrfTokenOf('/account'),
      );
      expect(refused.status).to.equal(403);
      const created = await web.postForm(
        '/account/tokens',
        { name: 'from the page', expiresInDays: '30', scope: 'write', password: DEMO_PASSWORD },
        await web.csrfTokenOf('/account'),
      );
      expect(created.status, created.html.slice(0, 300)).to.equal(201);
      const token = /id="new-token"[^>]*value="([A-Za-z0-9_-]+)"/.exec(created.html)![1]!;
      ok(await new ApiClient(server.baseUrl, token).post('/api/agreements', { kind: 'memorandum' }), 201);
      const user = (await findUserByEmail(server.db, 'legal@gyeonggi.example'))!;
      expect(await server.db('access_tokens').where({ user_id: user.id, name: 'from the page' }).select('kind', 'scope')).to.deep.equal([
        { kind: 'api-token', scope: 'write' },
      ]);
    });
  });

  describe('signing out of the API', () => {
    it('when a session signs out, then 204, its token is 401 and the user’s other sessions go on', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
      const other = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
      const tokens = await countRows(server.db, 'access_tokens');
      expect((await session.request('DELETE', '/api/sessions')).status).to.equal(204);
      expect((await session.get('/api/agreements')).status).to.equal(401);
      expect((await session.request('DELETE', '/api/sessions')).status).to.equal(401);
      ok(await other.get('/api/agreements'));
      expect(await countRows(server.db, 'access_tokens')).to.equal(tokens - 1);
    });

    it('when an API token is sent to sign out, then 404 and the token still works', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
      const integration = new ApiClient(
        server.baseUrl,
        ok(await session.post('/api/tokens', { name: 'kept', scope: 'write', password: DEMO_PASSWORD }), 201).token,
      );
      expect((await integration.request('DELETE', '/api/sessions')).status).to.equal(404);
      ok(await integration.get('/api/agreements'));
    });
  });

  describe('the party administrator', () => {
    it('when the administrator creates a user, then that user signs in with the role given and belongs to the party', async () => {
      const admin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
      const response = await admin.postForm(
        '/users',
        {
          email: 'Translator@Sverdlovsk.example',
          displayName: 'Olga Petrova',
          role: 'legal',
          password: NEW_PASSWORD,
          name_ru: 'Ольга Петрова',
        },
        await admin.csrfTokenOf('/users'),
      );
      expect(response.status, response.html).to.equal(303);
      const created = (await findUserByEmail(server.db, 'translator@sverdlovsk.example'))!;
      expect(created).to.include({ party: 'sverdlovsk', role: 'legal', displayName: 'Olga Petrova' });
      expect(created.profile.name).to.deep.equal({ en: 'Olga Petrova', ru: 'Ольга Петрова', ko: 'Olga Petrova' });
      ok(await (await ApiClient.signIn(server.baseUrl, 'translator@sverdlovsk.example', NEW_PASSWORD)).get('/api/agreements'));
    });

    it('when the administrator changes a role or resets a password, then it takes effect and the user’s sessions end', async () => {
      const admin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
      const observerSession = await ApiClient.signIn(server.baseUrl, 'observer@sverdlovsk.example');
      const observer = (await findUserByEmail(server.db, 'observer@sverdlovsk.example'))!;

      expect((await admin.postForm(`/users/${observer.id}/role`, { role: 'official' }, await admin.csrfTokenOf('/users'))).status).to.equal(
        303,
      );
      expect((await findUserByEmail(server.db, 'observer@sverdlovsk.example'))!.role).to.equal('official');

      expect(
        (await admin.postForm(`/users/${observer.id}/password`, { password: NEW_PASSWORD }, await admin.csrfTokenOf('/users'))).status,
      ).to.equal(303);
      expect((await observerSession.get('/api/agreements')).status).to.equal(401);
      expect(
        (await new ApiClient(server.baseUrl).post('/api/sessions', { email: 'observer@sverdlovsk.example', password: DEMO_PASSWORD }))
          .status,
      ).to.equal(401);
      await ApiClient.signIn(server.baseUrl, 'observer@sverdlovsk.example', NEW_PASSWORD);
    });

    it('when the administrator sets a short password, or acts on another party’s user, then it is refused and nothing changes', async () => {
      const admin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
      const korean = (await findUserByEmail(server.db, 'legal@gyeonggi.example'))!;
      const sverdlovskLegal = (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!;
      const short = await admin.postForm(`/users/${sverdlovskLegal.id}/password`, { password: 'short' }, await admin.csrfTokenOf('/users'));
      expect(short.status).to.equal(422);
      expect(short.html).to.include('at least 12 characters');
      expect((await admin.postForm(`/users/${korean.id}/role`, { role: 'observer' }, await admin.csrfTokenOf('/users'))).status).to.equal(
        404,
      );
      expect(
        (await admin.postForm(`/users/${korean.id}/password`, { password: NEW_PASSWORD }, await admin.csrfTokenOf('/users'))).status,
      ).to.equal(404);
      expect(await findUserByEmail(server.db, 'legal@gyeonggi.example')).to.deep.equal(korean);
      expect(await findUserByEmail(server.db, 'legal@sverdlovsk.example')).to.deep.equal(sverdlovskLegal);
    });

    it('when a name or title holds an emoji, U+202E or BEL, then 422 naming the character and no user is created', async () => {
      const admin = await WebClient.signedIn(server.baseUrl, 'admin@gyeonggi.example');
      const users = await countRows(server.db, 'users');
      const attempts: [Record<string, string>, string][] = [
        [{ displayName: 'Kim Minji \u{1F600}' }, 'U+1F600'],
        [{ name_ko: '김민지\u202E' }, 'U+202E'],
        [{ title_en: 'Director\u0007' }, 'U+0007'],
        [{ name_ru: 'Ким\nМинджи' }, 'U+000A'],
      ];
      for (const [fields, codePoint] of attempts) {
        const form = { email: 'kim@gyeonggi.example', displayName: 'Kim Minji', role: 'signatory', password: NEW_PASSWORD, ...fields };
        const response = await admin.postForm('/users', form, await admin.csrfTokenOf('/users'));
        expect(response.status, `${codePoint}: ${response.html.slice(0, 200)}`).to.equal(422);
        expect(response.html).to.include(codePoint);
      }
      expect(await countRows(server.db, 'users')).to.equal(users);
      expect(await findUserByEmail(server.db, 'kim@gyeonggi.example')).to.equal(undefined);
    });

    it('when names and titles are in Russian, Korean and English, then they are accepted and kept per language', async () => {
      const admin = await WebClient.signedIn(server.baseUrl, 'admin@gyeonggi.example');
      const form = {
        email: 'park@gyeonggi.example',
        displayName: 'Park Jiwoo',
        role: 'signatory',
        password: NEW_PASSWORD,
        name_ko: '박지우',
        name_ru: 'Пак Чиу',
        title_ko: '국제협력관',
        title_ru: 'Директор по международному сотрудничеству',
        title_en: 'Director of International Cooperation',
      };
      const response = await admin.postForm('/users', form, await admin.csrfTokenOf('/users'));
      expect(response.status, response.html).to.equal(303);
      const created = (await findUserByEmail(server.db, 'park@gyeonggi.example'))!;
      expect(created.profile.name).to.deep.equal({ en: 'Park Jiwoo', ru: 'Пак Чиу', ko: '박지우' });
      expect(created.profile.title).to.deep.equal({ en: form.title_en, ru: form.title_ru, ko: form.title_ko });
    });

    it('when someone who is not an administrator opens or posts to the users page, then 403 and no user is created', async () => {
      const legal = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
      expect((await legal.get('/users')).status).to.equal(403);
      const users = await countRows(server.db, 'users');
      const response = await legal.postForm(
        '/users',
        { email: 'x@gyeonggi.example', displayName: 'X', role: 'admin', password: NEW_PASSWORD },
        await legal.csrfTokenOf('/account'),
      );
      expect(response.status).to.equal(403);
      expect(await countRows(server.db, 'users')).to.equal(users);
    });
  });

  describe('one text rule for what people write', () => {
    const COOPERATION = 2;

    it('when a comment or an event comment holds an emoji, U+202E or BEL, then 422 naming the character and nothing changes', async () => {
      const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
      const before = await storedAgreement(server.db, COOPERATION);
      const { version } = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
      const refusals = [
        [
          await legal.post(`/api/agreements/${COOPERATION}/comments`, { clause: 'purpose', lang: 'ru', body: 'Согласны \u{1F44D}' }),
          'U+1F44D',
        ],
        [await legal.post(`/api/agreements/${COOPERATION}/comments`, { clause: 'purpose', lang: 'ru', body: 'abc\u202Edef' }), 'U+202E'],
        [
          await legal.post(`/api/agreements/${COOPERATION}/events`, { type: 'SUBMIT', expectedVersion: version, comment: 'ready\u0007' }),
          'U+0007',
        ],
      ] as const;
      for (const [response, codePoint] of refusals) {
        expect(response.status, JSON.stringify(response.body)).to.equal(422);
        expect(response.body).to.include({ code: 'RULE_VIOLATION', codePoint });
      }
      expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
    });

    it('when a token name holds a character no font can draw, then 422 and no token is stored', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
      const tokens = await countRows(server.db, 'access_tokens');
      const response = await session.post('/api/tokens', { name: 'sync \u{1F916}', password: DEMO_PASSWORD });
      expect(response.status, JSON.stringify(response.body)).to.equal(422);
      expect(response.body).to.include({ codePoint: 'U+1F916', field: 'name' });
      expect(await countRows(server.db, 'access_tokens')).to.equal(tokens);
    });
  });

  describe('the own account', () => {
    it('when a user changes their password, then the old one stops working and their other sessions end, but not this one', async () => {
      const web = await WebClient.signedIn(server.baseUrl, 'signatory@sverdlovsk.example');
      const api = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
      const response = await web.postForm(
        '/account/password',
        { current: DEMO_PASSWORD, next: NEW_PASSWORD, repeat: NEW_PASSWORD },
        await web.csrfTokenOf('/account'),
      );
      expect(response.status).to.equal(303);
      expect((await web.get('/account')).status).to.equal(200);
      expect((await api.get('/api/agreements')).status).to.equal(401);
      await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example', NEW_PASSWORD);
    });

    it('when a user chooses English, then the pages are in English although the party’s language is Korean', async () => {
      const web = await WebClient.signedIn(server.baseUrl, 'official@gyeonggi.example');
      expect((await web.get('/agreements')).html).to.include('<html lang="ko">');
      expect(
        (await web.postForm('/account/language', { lang: 'en', back: '/agreements' }, await web.csrfTokenOf('/account'))).status,
      ).to.equal(303);
      const page = await web.get('/agreements');
      expect(page.html).to.include('<html lang="en">').and.include('<h1>Agreements</h1>');
    });
  });
});
