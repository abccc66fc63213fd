import { expect } from 'chai';
import { Secret, TOTP } from 'otpauth';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from '../web/web-client.ts';

const STEP_MS = 30_000;

/**
 * REQUIRE_SECOND_FACTOR=admin: an administrator sets passwords and resets second factors, so their
 * password alone must not administer the party's users. They enrol first, then give a code on the
 * users page (good for 15 minutes on that session) or with the API call.
 */
describe(`a second factor required to administer users (${TEST_DATABASE_KIND})`, function () {
  this.timeout(60_000);
  let server: TestServer;
  let secret = '';
  const code = () =>
    new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
      timestamp: server.clock.now().getTime(),
    });
  const advance = (ms = STEP_MS) => server.clock.set(new Date(server.clock.now().getTime() + ms));
  const legalId = async () => (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!.id;
  const disabledAt = async () => (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!.disabledAt;

  before(async () => {
    server = await startTestServer({ requireSecondFactor: ['signatory', 'admin'] });
    server.clock.set(new Date());
  });
  after(async () => server?.close());

  it('when the administrator has not enrolled, then the users page sends them to enrol and no user can be changed', async () => {
    const admin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
    const page = await admin.get('/users?lang=en');
    expect(page.status).to.equal(200);
    expect(page.html).to.contain('id="admin-factor-heading"').and.contain('href="/account"').and.not.contain('/disable"');
    const refused = await admin.postForm(`/users/${await legalId()}/disable`, {}, await admin.csrfTokenOf('/account'));
    expect(refused.status).to.equal(403);
    expect(refused.html).to.contain('enrol one on your account page first');
    expect(await disabledAt()).to.equal(null);
    const api = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    const reset = await api.request('DELETE', `/api/users/${await legalId()}/second-factor`, {});
    expect(reset.status).to.equal(403);
    expect(reset.body.detail).to.match(/enrol/);
    // A signatory (whose role must have a second factor too) is no administrator: refused as such.
    const signatory = await WebClient.signedIn(server.baseUrl, 'signatory@sverdlovsk.example');
    const notAdministrator = await signatory.get('/users');
    expect(notAdministrator.status).to.equal(403);
    expect(notAdministrator.html).to.not.contain('admin-factor-heading');
  });

  it('when the enrolled administrator gives a code on the users page, then they may administer, for 15 minutes', async () => {
    const api = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    const pending = await api.post('/api/account/second-factor', { password: DEMO_PASSWORD });
    expect(pending.status).to.equal(201);
    secret = pending.body.secret;
    expect((await api.post('/api/account/second-factor/confirm', { code: code() })).status).to.equal(200);
    advance();

    const admin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
    const gate = await admin.get('/users?lang=ru');
    expect(gate.html).to.contain('action="/users/second-factor"').and.contain('одного пароля здесь мало');
    const csrf = await admin.csrfTokenOf('/users');
    expect((await admin.postForm(`/users/${await legalId()}/disable`, {}, csrf)).status, 'before the code').to.equal(403);
    expect(await disabledAt()).to.equal(null);
    const wrong = await admin.postForm('/users/second-factor', { code: code() === '000000' ? '111111' : '000000' }, csrf);
    expect(wrong.status).to.equal(403);
    expect((await admin.get('/users')).html).to.contain('action="/users/second-factor"');

    expect((await admin.postForm('/users/second-factor', { code: code() }, csrf)).status).to.equal(303);
    const users = await admin.get('/users');
    expect(users.html).to.contain(`action="/users/${await legalId()}/disable"`);
    expect(users.html).to.not.contain('action="/users/second-factor"');
    expect((await admin.postForm(`/users/${await legalId()}/disable`, {}, await admin.csrfTokenOf('/users'))).status).to.equal(303);
    expect(await disabledAt()).to.be.a('string');

    // Another session of the same administrator has proven nothing.
    const elsewhere = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
    expect((await elsewhere.get('/users')).html).to.contain('action="/users/second-factor"');
    // Sixteen minutes later (used meanwhile, so the session is not idle), the code no longer counts.
    advance(8 * 60_000);
    expect((await admin.get('/users')).html).to.not.contain('action="/users/second-factor"');
    advance(8 * 60_000);
    expect((await admin.get('/users')).html).to.contain('action="/users/second-factor"');
    expect((await admin.postForm(`/users/${await legalId()}/enable`, {}, await admin.csrfTokenOf('/users'))).status).to.equal(403);
    expect(await disabledAt()).to.be.a('string');
  });

  it("when the administrator resets a signatory's second factor through the API, then it takes their own code with the call", async () => {
    const signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
    expect((await signatory.post('/api/account/second-factor', { password: DEMO_PASSWORD })).status).to.equal(201);
    const id = (await findUserByEmail(server.db, 'signatory@sverdlovsk.example'))!.id;
    const admin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    advance();
    const without = await admin.request('DELETE', `/api/users/${id}/second-factor`, {});
    expect(without.status).to.equal(403);
    expect(without.body).to.include({ field: 'code' });
    expect(await server.db('second_factors').where({ user_id: id })).to.have.length(1);
    expect((await admin.request('DELETE', `/api/users/${id}/second-factor`, { code: code() })).status).to.equal(204);
    expect(await server.db('second_factors').where({ user_id: id })).to.have.length(0);
    const log = await server.db('account_security_events').where({ user_id: id }).select('event');
    expect(log.map((row) => row.event)).to.deep.equal(['second-factor.reset']);
  });
});
