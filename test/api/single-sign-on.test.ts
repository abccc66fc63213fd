import { expect } from 'chai';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { configureIdentityProvider } from '../../server/auth/single-sign-on.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { jwtPayload, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { walkThroughProvider } from '../support/sso-walk.ts';
import { WebClient } from '../web/web-client.ts';

/**
 * Single sign-on against two real OpenID providers (oidc-provider on loopback ports), one per party,
 * driven as a browser would: the sign-in page's button, the provider's login form, the redirect back.
 */
describe(`single sign-on through each party's OpenID provider (${TEST_DATABASE_KIND})`, function () {
  this.timeout(60_000);
  let server: TestServer;
  let sverdlovsk: TestIdentityProvider;
  let gyeonggi: TestIdentityProvider;

  before(async () => {
    server = await startTestServer();
    const callback = (party: string) => `${server.baseUrl}/sign-in/sso/${party}/callback`;
    sverdlovsk = await startIdentityProvider({
      clientId: 'bilateral',
      redirectUris: [callback('sverdlovsk')],
      accounts: {
        ivanova: { email: 'legal@sverdlovsk.example', name: 'Ирина Иванова', groups: ['minjust-bilateral-legal'] },
        sidorov: { email: 'sidorov@sverdlovsk.example', groups: ['staff'] },
      },
    });
    gyeonggi = await startIdentityProvider({
      clientId: 'bilateral-gyeonggi',
      redirectUris: [callback('gyeonggi')],
      accounts: {
        kim: { email: 'official@gyeonggi.example', name: '김민준', groups: ['staff', 'bilateral-official'] },
        lee: { email: 'lee.signatory@gyeonggi.example', name: '이서연', groups: ['bilateral-signatory'] },
        // Gyeonggi's directory lists an address that is a Sverdlovsk user's.
        intruder: { email: 'legal@sverdlovsk.example', groups: ['bilateral-legal'] },
      },
    });
    const mapping = (prefix: string) =>
      (['legal', 'official', 'signatory', 'observer', 'admin'] as const).map((role) => ({ role, values: [`${prefix}bilateral-${role}`] }));
    for (const [party, provider, prefix, labels] of [
      ['sverdlovsk', sverdlovsk, 'minjust-', { ru: 'ЕСИА Свердловской области', ko: '스베르들롭스크 ID', en: 'Sverdlovsk ID' }],
      ['gyeonggi', gyeonggi, '', { ru: 'ID Кёнгидо', ko: '경기도 통합인증', en: 'Gyeonggi ID' }],
    ] as const) {
      await configureIdentityProvider(server.deps, party, {
        labels,
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        scopes: 'openid email profile groups',
        roleMapping: mapping(prefix),
      });
    }
  });

  after(async () => {
    await Promise.all([sverdlovsk?.close(), gyeonggi?.close()]);
    await server?.close();
  });

  afterEach(() => {
    sverdlovsk.tamper = undefined;
    gyeonggi.tamper = undefined;
  });

  /** What a refusal must leave unchanged: the users and the sessions. */
  async function rows() {
    const count = async (table: string) => Number((await server.db(table).count({ n: '*' }).first())?.n);
    return { users: await count('users'), sessions: await count('access_tokens') };
  }

  /**
   * Clicks "Sign in with ..." for `party`, signs in at `provider` as `account` and stops at the
   * redirect back to Bilateral: its callback path, not yet followed.
   */
  async function throughProvider(browser: WebClient, party: string, provider: TestIdentityProvider, account: string, query = '') {
    const walked = await walkThroughProvider(browser, party, provider, account, query);
    expect(walked.authorization.origin).to.equal(provider.issuer);
    expect(walked.authorization.searchParams.get('code_challenge_method')).to.equal('S256');
    return walked.callback;
  }

  async function signIn(browser: WebClient, party: string, provider: TestIdentityProvider, account: string, query = '') {
    return browser.get(await throughProvider(browser, party, provider, account, query));
  }

  it('when the sign-in page is shown in Korean, then it offers each party provider by its Korean name', async () => {
    const page = await new WebClient(server.baseUrl).get('/sign-in?lang=ko');
    expect(page.html).to.contain('경기도 통합인증(으)로 로그인').and.contain('스베르들롭스크 ID(으)로 로그인');
    expect(page.html).to.match(/href="\/sign-in\/sso\/gyeonggi\?next(=|&#x3D;)%2Fagreements"/);
  });

  it('when a Gyeonggi official signs in through Gyeonggi ID, then the existing account gets a web session and the mapped role', async () => {
    const browser = new WebClient(server.baseUrl);
    const back = await signIn(browser, 'gyeonggi', gyeonggi, 'kim');
    expect(back.status, back.html).to.equal(303);
    expect(back.headers.get('location')).to.equal('/agreements');
    const user = (await findUserByEmail(server.db, 'official@gyeonggi.example'))!;
    const list = await browser.get('/agreements');
    expect(list.status).to.equal(200);
    // Named on the Korean page in Korean script, from the user's profile.
    expect(list.html).to.contain(user.profile.name.ko);
    expect(user).to.deep.include({ role: 'official', party: 'gyeonggi', sso: { issuer: gyeonggi.issuer, subject: 'kim' } });
    const session = await server.db('access_tokens').where({ user_id: user.id, kind: 'web-session' }).first();
    expect(session, 'a web session row').to.exist;
  });

  it('when a new person signs in, then a user is made with the role their groups give, refreshed at the next sign-in', async () => {
    const browser = new WebClient(server.baseUrl);
    expect((await signIn(browser, 'gyeonggi', gyeonggi, 'lee')).status).to.equal(303);
    const made = (await findUserByEmail(server.db, 'lee.signatory@gyeonggi.example'))!;
    expect(made).to.deep.include({ role: 'signatory', party: 'gyeonggi', displayName: '이서연', passwordHash: '' });
    gyeonggi.accounts.lee!.groups = ['bilateral-observer'];
    expect((await signIn(new WebClient(server.baseUrl), 'gyeonggi', gyeonggi, 'lee')).status).to.equal(303);
    expect((await findUserByEmail(server.db, 'lee.signatory@gyeonggi.example'))!.role).to.equal('observer');
    gyeonggi.accounts.lee!.groups = ['bilateral-signatory'];
  });

  it('when the ID token is tampered with on its way, then the sign-in is refused with a readable page and nothing is created', async () => {
    const before = await rows();
    gyeonggi.tamper = (idToken) => {
      const [header, , signature] = idToken.split('.');
      const payload = { ...jwtPayload(idToken), groups: ['bilateral-admin'] };
      return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    };
    const browser = new WebClient(server.baseUrl);
    await browser.get('/sign-in?lang=en');
    const refused = await signIn(browser, 'gyeonggi', gyeonggi, 'kim');
    expect(refused.status).to.equal(401);
    expect(refused.html).to.contain('Gyeonggi ID&#x27;s answer could not be verified');
    expect(await rows()).to.deep.equal(before);
    expect((await findUserByEmail(server.db, 'official@gyeonggi.example'))!.role).to.equal('official');
  });

  it('when the ID token was issued to another client (wrong audience), then it is refused in the visitor language', async () => {
    const before = await rows();
    gyeonggi.tamper = (idToken, signWithProviderKey) => signWithProviderKey({ ...jwtPayload(idToken), aud: 'another-application' });
    const browser = new WebClient(server.baseUrl);
    await browser.get('/sign-in?lang=ko');
    const refused = await signIn(browser, 'gyeonggi', gyeonggi, 'kim');
    expect(refused.status).to.equal(401);
    expect(refused.html).to.contain('경기도 통합인증의 응답을 검증할 수 없어');
    expect(await rows()).to.deep.equal(before);
  });

  it('when the provider answer is replayed, then the second use is refused and no second session is made', async () => {
    const browser = new WebClient(server.baseUrl);
    const callback = await throughProvider(browser, 'sverdlovsk', sverdlovsk, 'ivanova');
    expect((await browser.get(callback)).status).to.equal(303);
    const before = await rows();
    const replayed = await browser.get(callback);
    expect(replayed.status).to.equal(401);
    // In the language of the Sverdlovsk user still signed in.
    expect(replayed.html).to.contain('уже использован');
    expect(await rows()).to.deep.equal(before);
  });

  it('when the answer comes back in another browser (no binding cookie), then it is refused', async () => {
    const callback = await throughProvider(new WebClient(server.baseUrl), 'sverdlovsk', sverdlovsk, 'ivanova');
    const before = await rows();
    const elsewhere = await new WebClient(server.baseUrl).get(callback);
    expect(elsewhere.status).to.equal(401);
    expect(await rows()).to.deep.equal(before);
  });

  it('when a user of Sverdlovsk comes through the Gyeonggi provider, then it is refused and the account is untouched', async () => {
    const before = await rows();
    const browser = new WebClient(server.baseUrl);
    await browser.get('/sign-in?lang=ru');
    const refused = await signIn(browser, 'gyeonggi', gyeonggi, 'intruder');
    expect(refused.status).to.equal(403);
    expect(refused.html).to.contain('принадлежит пользователю другой стороны');
    expect(await rows()).to.deep.equal(before);
    const legal = (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!;
    expect(legal.sso === null || legal.sso.issuer === sverdlovsk.issuer).to.equal(true);
  });

  it("when one party's provider answer is delivered to the other party's callback, then it is refused", async () => {
    const before = await rows();
    const browser = new WebClient(server.baseUrl);
    const callback = await throughProvider(browser, 'sverdlovsk', sverdlovsk, 'ivanova');
    const crossed = await browser.get(callback.replace('/sverdlovsk/', '/gyeonggi/'));
    expect(crossed.status).to.equal(401);
    expect(await rows()).to.deep.equal(before);
  });

  it('when the groups give no Bilateral role, then the sign-in is refused and no user is made', async () => {
    const before = await rows();
    const refused = await signIn(new WebClient(server.baseUrl), 'sverdlovsk', sverdlovsk, 'sidorov');
    expect(refused.status).to.equal(403);
    expect(await rows()).to.deep.equal(before);
    expect(await findUserByEmail(server.db, 'sidorov@sverdlovsk.example')).to.equal(undefined);
  });

  it('when the party administrator disables an SSO user, then their session ends and the provider cannot sign them in', async () => {
    const browser = new WebClient(server.baseUrl);
    expect((await signIn(browser, 'gyeonggi', gyeonggi, 'lee')).status).to.equal(303);
    const lee = (await findUserByEmail(server.db, 'lee.signatory@gyeonggi.example'))!;
    const admin = await WebClient.signedIn(server.baseUrl, 'admin@gyeonggi.example');
    const users = await admin.get('/users');
    expect(users.html).to.contain(`action="/users/${lee.id}/disable"`);
    const disabled = await admin.postForm(`/users/${lee.id}/disable`, {}, await admin.csrfTokenOf('/users'));
    expect(disabled.status, disabled.html).to.equal(303);
    expect((await browser.get('/agreements')).status).to.equal(303);
    const refused = await signIn(browser, 'gyeonggi', gyeonggi, 'lee');
    expect(refused.status).to.equal(403);
    expect(Number((await server.db('access_tokens').where({ user_id: lee.id }).count({ n: '*' }).first())?.n)).to.equal(0);
    expect((await admin.postForm(`/users/${lee.id}/enable`, {}, await admin.csrfTokenOf('/users'))).status).to.equal(303);
    expect((await signIn(new WebClient(server.baseUrl), 'gyeonggi', gyeonggi, 'lee')).status).to.equal(303);
  });

  it('when an SSO user without a password confirms, then only a fresh sign-in at the provider (auth_time) counts', async () => {
    const browser = new WebClient(server.baseUrl);
    expect((await signIn(browser, 'gyeonggi', gyeonggi, 'lee')).status).to.equal(303);
    const lee = (await findUserByEmail(server.db, 'lee.signatory@gyeonggi.example'))!;
    const tokenPage = await browser.postForm(
      '/account/tokens',
      { name: 'robot', expiresInDays: '30', scope: 'read' },
      await browser.csrfTokenOf('/account'),
    );
    expect(tokenPage.status, tokenPage.html).to.equal(403);
    expect(tokenPage.html).to.match(/sign in there again/);
    expect((await signIn(browser, 'gyeonggi', gyeonggi, 'lee', '?fresh=1&next=%2Faccount')).status).to.equal(303);
    const session = await server.db('access_tokens').where({ user_id: lee.id, kind: 'web-session' }).orderBy('created_at', 'desc').first();
    expect(session.authenticated_at, 'the provider said when the person signed in again').to.be.a('string');
    const minted = await browser.postForm(
      '/account/tokens',
      { name: 'robot', expiresInDays: '30', scope: 'read' },
      await browser.csrfTokenOf('/account'),
    );
    expect(minted.status, minted.html).to.equal(201);
    const tokens = await server.db('access_tokens').where({ user_id: lee.id, kind: 'api-token' }).count({ n: '*' }).first();
    expect(Number(tokens?.n)).to.equal(1);
  });
});
