import { expect } from 'chai';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { connectGyeonggiProvider, jwtPayload, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { signInThroughProvider } from '../support/sso-walk.ts';
import { WebClient } from '../web/web-client.ts';

/**
 * A provider that puts only `sub` in the ID token and the person's e-mail, name and groups in its
 * userinfo answer (oidc-provider with conformIdTokenClaims): Bilateral asks the userinfo endpoint,
 * with openid-client, for the claims it was configured to read.
 */
describe(`single sign-on with the claims in userinfo only (${TEST_DATABASE_KIND})`, function () {
  this.timeout(60_000);
  let server: TestServer;
  let provider: TestIdentityProvider;
  const idTokens: Record<string, unknown>[] = [];

  before(async () => {
    server = await startTestServer();
    provider = await startIdentityProvider({
      clientId: 'bilateral',
      redirectUris: [`${server.baseUrl}/sign-in/sso/gyeonggi/callback`],
      claimsIn: 'userinfo',
      accounts: {
        park: { email: 'park.legal@gyeonggi.example', name: '박지훈', groups: ['bilateral-legal'] },
        choi: { email: 'choi@gyeonggi.example', groups: ['staff'] },
      },
    });
    // Sees the ID tokens on their way, unchanged: the test's proof of what the ID token held.
    provider.tamper = (idToken) => {
      idTokens.push(jwtPayload(idToken));
      return idToken;
    };
    await connectGyeonggiProvider(server.deps, provider, 'legal', 'bilateral-legal');
  });
  after(async () => {
    await provider?.close();
    await server?.close();
  });

  it('when the e-mail and the groups are only in userinfo, then the user is made from the userinfo claims with the mapped role', async () => {
    const browser = new WebClient(server.baseUrl);
    const { response } = await signInThroughProvider(browser, 'gyeonggi', provider, 'park');
    expect(response.status, response.html).to.equal(303);
    expect(idTokens.at(-1)).to.not.have.any.keys('email', 'groups', 'name');
    expect(idTokens.at(-1)).to.include({ sub: 'park' });
    const park = (await findUserByEmail(server.db, 'park.legal@gyeonggi.example'))!;
    expect(park).to.deep.include({
      role: 'legal',
      party: 'gyeonggi',
      displayName: '박지훈',
      sso: { issuer: provider.issuer, subject: 'park' },
    });
    expect((await browser.get('/agreements')).status).to.equal(200);
  });

  it('when userinfo gives no group mapped to a role, then the sign-in is refused and no user is made', async () => {
    const users = Number((await server.db('users').count({ n: '*' }).first())?.n);
    const { response } = await signInThroughProvider(new WebClient(server.baseUrl), 'gyeonggi', provider, 'choi');
    expect(response.status).to.equal(403);
    expect(Number((await server.db('users').count({ n: '*' }).first())?.n)).to.equal(users);
    expect(await findUserByEmail(server.db, 'choi@gyeonggi.example')).to.equal(undefined);
  });
});
