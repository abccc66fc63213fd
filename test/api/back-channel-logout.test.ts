import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { connectGyeonggiProvider, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { signInThroughProvider, signOutAtProvider } from '../support/sso-walk.ts';
import { WebClient } from '../web/web-client.ts';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * OpenID Connect Back-Channel Logout against oidc-provider with its backchannelLogout feature: the
 * person signs out at Gyeonggi's provider and the provider posts a logout token to Bilateral (through
 * a relay in the test, which keeps a copy to replay). Forged and malformed tokens are posted directly.
 */
describe(`back-channel logout from the party's provider (${TEST_DATABASE_KIND})`, function () {
  this.timeout(60_000);
  let server: TestServer;
  let provider: TestIdentityProvider;
  let relay: Server;
  const delivered: { token: string; status: number }[] = [];
  const endpoint = '/api/sso/gyeonggi/back-channel-logout';

  before(async () => {
    server = await startTestServer();
    relay = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = await fetch(`${server.baseUrl}${endpoint}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      delivered.push({ token: new URLSearchParams(body).get('logout_token') ?? '', status: answer.status });
      response.writeHead(answer.status).end(await answer.text());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    provider = await startIdentityProvider({
      clientId: 'bilateral',
      redirectUris: [`${server.baseUrl}/sign-in/sso/gyeonggi/callback`],
      backChannelLogoutUri: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/logout`,
      accounts: { kim: { email: 'official@gyeonggi.example', name: '김민준', groups: ['bilateral-official'] } },
    });
    await connectGyeonggiProvider(server.deps, provider, 'official', 'bilateral-official');
  });
  after(async () => {
    await provider?.close();
    relay?.closeAllConnections();
    await new Promise((resolve) => relay?.close(resolve));
    await server?.close();
  });

  const webSessions = async () => {
    const official = (await findUserByEmail(server.db, 'official@gyeonggi.example'))!;
    return server.db('access_tokens').where({ user_id: official.id, kind: 'web-session' }).select('sso_sid');
  };
  const signedIn = async (browser: WebClient) => (await browser.get('/agreements')).status === 200;
  const post = (logoutToken: string, path = endpoint) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: logoutToken }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  /** A logout token as the provider would sign it, with `changes` applied (undefined removes a claim). */
  const logoutToken = (changes: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: provider.issuer,
      aud: provider.clientId,
      iat: now,
      exp: now + 120,
      jti: `jti-${Math.random().toString(36).slice(2)}`,
      sub: 'kim',
      events: { [LOGOUT_EVENT]: {} },
      ...changes,
    };
    return provider.signWithProviderKey(Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined)));
  };

  it('when the person signs out at the provider, then the session that sign-in began ends and the one from another sign-in stays', async () => {
    const first = new WebClient(server.baseUrl);
    const { response, atProvider } = await signInThroughProvider(first, 'gyeonggi', provider, 'kim');
    expect(response.status, response.html).to.equal(303);
    const second = new WebClient(server.baseUrl);
    expect((await signInThroughProvider(second, 'gyeonggi', provider, 'kim')).response.status).to.equal(303);
    const sessions = await webSessions();
    expect(sessions).to.have.length(2);
    expect(new Set(sessions.map((row) => row.sso_sid)).size, 'two sessions at the provider, each its sid').to.equal(2);

    await signOutAtProvider(atProvider);
    expect(delivered.map((delivery) => delivery.status)).to.deep.equal([200]);
    expect(await signedIn(first), 'the browser that signed out').to.equal(false);
    expect(await signedIn(second), 'the other sign-in').to.equal(true);
    const official = (await findUserByEmail(server.db, 'official@gyeonggi.example'))!;
    const log = await server.db('account_security_events').where({ user_id: official.id }).select('event', 'actor_user_id');
    expect(log).to.deep.equal([{ event: 'sso.back-channel-logout', actor_user_id: null }]);
  });

  it('when the same logout token is delivered again, then it is refused as a replay, with problem+json', async () => {
    const before = await webSessions();
    const replayed = await post(delivered[0]!.token);
    expect(replayed.status).to.equal(400);
    expect(replayed.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(((await replayed.json()) as { detail: string }).detail).to.match(/received already/);
    expect(await webSessions()).to.deep.equal(before);
  });

  it('when a token is forged, for another client, old, an ID token or not about anyone, then each is refused and no session ends', async () => {
    const before = await webSessions();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const genuine = logoutToken();
    const payload = genuine.split('.')[1];
    const otherKey = `${encode({ alg: 'RS256', kid: 'test-signing-key' })}.${payload}`;
    const refusals: Record<string, [token: string, because: RegExp]> = {
      'signed with another key': [`${otherKey}.${sign('sha256', Buffer.from(otherKey), privateKey).toString('base64url')}`, /signature/],
      'unsigned (alg none)': [`${encode({ alg: 'none' })}.${payload}.`, /"alg"/],
      'another audience': [logoutToken({ aud: 'another-application' }), /"aud"/],
      'another issuer': [logoutToken({ iss: 'http://127.0.0.1:1' }), /"iss"/],
      'issued long ago': [logoutToken({ iat: Math.floor(Date.now() / 1000) - 3600, exp: undefined }), /"iat"/],
      'no jti': [logoutToken({ jti: undefined }), /"jti"/],
      'no logout event': [logoutToken({ events: { 'http://schemas.openid.net/event/other': {} } }), /no .*backchannel-logout event/],
      'a nonce (an ID token)': [logoutToken({ nonce: 'n-0S6_WzA2Mj' }), /nonce/],
      'neither sid nor sub': [logoutToken({ sub: undefined }), /neither a session/],
      'not a JWT': ['hello', /JWS/],
    };
    for (const [why, [token, because]] of Object.entries(refusals)) {
      const answer = await post(token);
      expect(answer.status, why).to.equal(400);
      expect(answer.headers.get('content-type'), why).to.match(/^application\/problem\+json/);
      expect(((await answer.json()) as { detail: string }).detail, why).to.match(because);
    }
    expect((await post('')).status, 'no token').to.equal(400);
    expect((await post(logoutToken(), '/api/sso/sverdlovsk/back-channel-logout')).status, 'a party without a provider').to.equal(404);
    expect(await webSessions()).to.deep.equal(before);
  });

  it('when a genuine token names the person (sub) and no session, then every web session of that person ends', async () => {
    const browser = new WebClient(server.baseUrl);
    expect((await signInThroughProvider(browser, 'gyeonggi', provider, 'kim')).response.status).to.equal(303);
    expect((await webSessions()).length).to.be.at.least(2);
    const answer = await post(logoutToken());
    expect(answer.status).to.equal(200);
    expect(answer.headers.get('cache-control')).to.equal('no-store');
    expect(await webSessions()).to.deep.equal([]);
    expect(await signedIn(browser)).to.equal(false);
    // A password user of the same party is untouched.
    const admin = await WebClient.signedIn(server.baseUrl, 'admin@gyeonggi.example');
    expect((await post(logoutToken({ sub: 'admin' }))).status).to.equal(200);
    expect(await signedIn(admin)).to.equal(true);
  });
});
