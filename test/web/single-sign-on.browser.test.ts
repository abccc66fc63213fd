import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { connectGyeonggiProvider, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { BrowserUser, launchChromium } from './browser.ts';

/**
 * In Chromium, in Korean: the Gyeonggi official opens Bilateral, chooses "경기도 통합인증(으)로 로그인",
 * signs in on the provider's own login page (oidc-provider on a loopback port) and approves the
 * agreement of cooperation.
 */
describe('single sign-on in the browser: a Gyeonggi official signs in through Gyeonggi ID and approves', function () {
  this.timeout(120_000);
  let server: TestServer;
  let provider: TestIdentityProvider;
  let browser: Browser;
  let official: BrowserUser | undefined;

  before(async () => {
    server = await startTestServer();
    provider = await startIdentityProvider({
      clientId: 'bilateral',
      redirectUris: [`${server.baseUrl}/sign-in/sso/gyeonggi/callback`],
      accounts: { 'kim.minjun': { email: 'official@gyeonggi.example', name: '김민준', groups: ['bilateral-official'] } },
    });
    await connectGyeonggiProvider(server.deps, provider, 'official', 'bilateral-official');
    // Up to the officials' approvals.
    await runEvents(server, COOPERATION, HAPPY_PATH.slice(0, 3));
    browser = await launchChromium();
  });
  after(async () => {
    const problems = official?.takeProblems() ?? [];
    await official?.close();
    await browser?.close();
    await provider?.close();
    await server?.close();
    expect(problems).to.deep.equal([]);
  });

  it('when the official signs in through the provider in Korean and approves, then the approval is theirs, recorded once', async () => {
    official = await BrowserUser.open(browser, server.baseUrl, 'official@gyeonggi.example');
    await official.goto('/sign-in?lang=ko');
    expect(official.takeProblems(), 'the sign-in page').to.deep.equal([]);
    const button = official.page.getByRole('link', { name: '경기도 통합인증(으)로 로그인' });
    await Promise.all([official.page.waitForURL((url) => url.origin === provider.issuer), button.click()]);
    await official.page.fill('input[name="login"]', 'kim.minjun');
    await official.page.fill('input[name="password"]', 'the provider checks this, not Bilateral');
    await Promise.all([
      official.page.waitForURL((url) => url.origin === server.baseUrl && url.pathname === '/agreements'),
      official.page.click('button[type="submit"]'),
    ]);
    // The provider's development login page asks the internet for a web font and has no favicon: its
    // problems, not Bilateral's, are dropped here; Bilateral's pages from now on are checked after the test.
    official.takeProblems();
    expect(await official.page.locator('html').getAttribute('lang')).to.equal('ko');

    await official.goto(`/agreements/${COOPERATION}`);
    await official.submit('button[name="type"][value="APPROVE"]');
    expect(await official.page.locator('.notice--ok').count(), await official.page.locator('main').innerText()).to.equal(1);
    await official.screenshot('single-sign-on-approved-ko');
    const approvals = await server
      .db('audit_events')
      .where({ agreement_id: COOPERATION, event: 'APPROVE', party_key: 'gyeonggi', role: 'official' });
    expect(approvals).to.have.length(1);
  });
});
