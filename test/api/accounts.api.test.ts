import { expect } from 'chai';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { countRows } from '../support/snapshot.ts';
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
      const created = ok(await session.post('/api/tokens', { name: 'registry sync', expiresInDays: 30 }), 201);
      expect(created.token).to.be.a('string');
      expect(created).to.include({ name: 'registry sync' });
      expect(new Date(created.expiresAt).getTime() - new Date(created.createdAt).getTime()).to.equal(30 * 24 * 3600 * 1000);

      const integration = new ApiClient(server.baseUrl, created.token);
      expect(ok(await integration.get('/api/agreements')).length).to.be.greaterThan(0);
      const listed = ok(await session.get('/api/tokens'));
      expect(listed).to.deep.equal([{ id: created.id, name: 'registry sync', createdAt: created.createdAt, expiresAt: created.expiresAt }]);

      ok(await session.request('DELETE', `/api/tokens/${created.id}`), 204);
      expect((await integration.get('/api/agreements')).status).to.equal(401);
      expect(ok(await session.get('/api/tokens'))).to.deep.equal([]);
    });

    it('when another user tries to revoke a token, then 404 and the token still works', async () => {
      const owner = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
      const created = ok(await owner.post('/api/tokens', { name: 'mine' }), 201);
      const stranger = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
      expect((await stranger.request('DELETE', `/api/tokens/${created.id}`)).status).to.equal(404);
      expect(ok(await stranger.get('/api/tokens'))).to.deep.equal([]);
      ok(await new ApiClient(server.baseUrl, created.token).get('/api/agreements'));
    });

    it('when a token is asked for without a name or for too long, then 400 and none is stored', async () => {
      const session = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
      const tokens = await countRows(server.db, 'access_tokens');
      expect((await session.post('/api/tokens', { name: '' })).status).to.equal(400);
      expect((await session.post('/api/tokens', { name: 'x', expiresInDays: 5000 })).status).to.equal(400);
      expect(await countRows(server.db, 'access_tokens')).to.equal(tokens);
    });
  });

  describe('the party administrator', () => {
    it('when the administrator creates a user, then that user signs in with the role given and belongs to the party', async () => {
      const admin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
      const response = await admin.postForm(
        '/users',
        { email: 'Translator@Sverdlovsk.example', displayName: 'Olga Petrova', role: 'legal', password: NEW_PASSWORD, name_ru: 'Ольга Петрова' },
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

      expect((await admin.postForm(`/users/${observer.id}/role`, { role: 'official' }, await admin.csrfTokenOf('/users'))).status).to.equal(303);
      expect((await findUserByEmail(server.db, 'observer@sverdlovsk.example'))!.role).to.equal('official');

      expect((await admin.postForm(`/users/${observer.id}/password`, { password: NEW_PASSWORD }, await admin.csrfTokenOf('/users'))).status).to.equal(303);
      expect((await observerSession.get('/api/agreements')).status).to.equal(401);
      expect((await new ApiClient(server.baseUrl).post('/api/sessions', { email: 'observer@sverdlovsk.example', password: DEMO_PASSWORD })).status).to.equal(401);
      await ApiClient.signIn(server.baseUrl, 'observer@sverdlovsk.example', NEW_PASSWORD);
    });

    it('when the administrator sets a short password, or acts on another party’s user, then it is refused and nothing changes', async () => {
      const admin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
      const korean = (await findUserByEmail(server.db, 'legal@gyeonggi.example'))!;
      const sverdlovskLegal = (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!;
      const short = await admin.postForm(`/users/${sverdlovskLegal.id}/password`, { password: 'short' }, await admin.csrfTokenOf('/users'));
      expect(short.status).to.equal(422);
      expect(short.html).to.include('at least 12 characters');
      expect((await admin.postForm(`/users/${korean.id}/role`, { role: 'observer' }, await admin.csrfTokenOf('/users'))).status).to.equal(404);
      expect((await admin.postForm(`/users/${korean.id}/password`, { password: NEW_PASSWORD }, await admin.csrfTokenOf('/users'))).status).to.equal(404);
      expect(await findUserByEmail(server.db, 'legal@gyeonggi.example')).to.deep.equal(korean);
      expect(await findUserByEmail(server.db, 'legal@sverdlovsk.example')).to.deep.equal(sverdlovskLegal);
    });

    it('when someone who is not an administrator opens or posts to the users page, then 403 and no user is created', async () => {
      const legal = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
      expect((await legal.get('/users')).status).to.equal(403);
      const users = await countRows(server.db, 'users');
      const response = await legal.postForm('/users', { email: 'x@gyeonggi.example', displayName: 'X', role: 'admin', password: NEW_PASSWORD }, await legal.csrfTokenOf('/account'));
      expect(response.status).to.equal(403);
      expect(await countRows(server.db, 'users')).to.equal(users);
    });
  });

  describe('the own account', () => {
    it('when a user changes their password, then the old one stops working and their other sessions end, but not this one', async () => {
      const web = await WebClient.signedIn(server.baseUrl, 'signatory@sverdlovsk.example');
      const api = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
      const response = await web.postForm('/account/password', { current: DEMO_PASSWORD, next: NEW_PASSWORD, repeat: NEW_PASSWORD }, await web.csrfTokenOf('/account'));
      expect(response.status).to.equal(303);
      expect((await web.get('/account')).status).to.equal(200);
      expect((await api.get('/api/agreements')).status).to.equal(401);
      await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example', NEW_PASSWORD);
    });

    it('when a user chooses English, then the pages are in English although the party’s language is Korean', async () => {
      const web = await WebClient.signedIn(server.baseUrl, 'official@gyeonggi.example');
      expect((await web.get('/agreements')).html).to.include('<html lang="ko">');
      expect((await web.postForm('/account/language', { lang: 'en', back: '/agreements' }, await web.csrfTokenOf('/account'))).status).to.equal(303);
      const page = await web.get('/agreements');
      expect(page.html).to.include('<html lang="en">').and.include('<h1>Agreements</h1>');
    });
  });
});
