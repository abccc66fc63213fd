import { expect } from 'chai';
import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { BrowserUser, launchChromium } from './browser.ts';

/**
 * The Sverdlovsk signatory, whose role must have a second factor, sets up an authenticator app on the
 * account page (the test is the app: it reads the key shown beside the QR code and computes the codes)
 * and signs with the password and a code; their administrator then sees the reset.
 */
describe('a second factor in the browser: the Sverdlovsk signatory enrols and signs', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  const users: BrowserUser[] = [];

  before(async () => {
    server = await startTestServer({ requireSecondFactor: ['signatory'] });
    server.clock.set(new Date());
    await runEvents(server, COOPERATION, HAPPY_PATH.slice(0, 5));
    browser = await launchChromium();
  });
  after(async () => {
    const problems = users.flatMap((user) => user.takeProblems().map((problem) => `${user.email}: ${problem}`));
    for (const user of users) await user.close();
    await browser?.close();
    await server?.close();
    expect(problems).to.deep.equal([]);
  });

  async function as(email: string): Promise<BrowserUser> {
    const user = await BrowserUser.open(browser, server.baseUrl, email);
    users.push(user);
    await user.signIn();
    return user;
  }

  it('when the signatory scans the QR code, confirms a first code and signs with a fresh one, then the agreement is signed', async () => {
    const signatory = await as('signatory@sverdlovsk.example');
    await signatory.goto('/account');
    await signatory.page.fill('#enrol-password', DEMO_PASSWORD);
    await signatory.submit('form[action="/account/second-factor"] button[type=submit]');
    // An inline SVG: the strict Content-Security-Policy allows no data: image, and the page reports none refused.
    expect(await signatory.page.locator('.qr-code svg').isVisible()).to.equal(true);
    const secret = (await signatory.page.locator('#second-factor-secret').innerText()).trim();
    const app = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const code = () => app.generate({ timestamp: server.clock.now().getTime() });

    await signatory.page.fill('#enrol-code', code());
    await signatory.submit('form[action="/account/second-factor/confirm"] button[type=submit]');
    expect(await signatory.page.locator('.recovery-codes li').count()).to.equal(10);
    await signatory.screenshot('second-factor-recovery-codes');

    // The next time step: the code the enrolment was confirmed with is spent.
    server.clock.set(new Date(server.clock.now().getTime() + 30_000));
    await signatory.goto(`/agreements/${COOPERATION}`);
    await signatory.page.check('#sign-read');
    await signatory.page.fill('#sign-password', DEMO_PASSWORD);
    await signatory.page.fill('#sign-code', code());
    await signatory.submit('button[name="type"][value="SIGN"]');
    expect(await signatory.page.locator('.notice--ok').count(), await signatory.page.locator('main').innerText()).to.equal(1);
    const audit = await server.db('audit_events').where({ agreement_id: COOPERATION, event: 'SIGN', party_key: 'sverdlovsk' });
    expect(audit).to.have.length(1);
  });

  it('when the party administrator opens the users page, then the signatory has a reset, and it ends the second factor', async () => {
    const administrator = await as('admin@sverdlovsk.example');
    await administrator.goto('/users');
    const reset = administrator.page.locator('form[action$="/second-factor/reset"] button');
    expect(await reset.count()).to.equal(1);
    administrator.page.once('dialog', (dialog) => dialog.accept());
    await administrator.submit('form[action$="/second-factor/reset"] button');
    expect(await administrator.page.locator('.notice--ok').count()).to.equal(1);
    const log = await server.db('account_security_events').orderBy('id').select('event');
    expect(log.map((row) => row.event)).to.deep.equal(['second-factor.enrolled', 'second-factor.reset']);
  });
});
