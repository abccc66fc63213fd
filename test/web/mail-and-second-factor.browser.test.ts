import { expect } from 'chai';
import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { createMailDispatcher } from '../../server/notifications/mail-dispatcher.ts';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { connectGyeonggiProvider, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { type ReceivedMail, SmtpSink } from '../support/smtp-sink.ts';
import { BrowserUser, launchChromium } from './browser.ts';

/**
 * In Chromium, each person in their own language: the Gyeonggi official signs in through Gyeonggi's
 * identity provider (oidc-provider on a loopback port) and approves; the Sverdlovsk official, whose
 * turn it then is, follows the mail and approves. Then each signatory: the mail "waiting for your signature" is read
 * from a real SMTP server (smtp-server, parsed with mailparser); its link, opened in a browser that
 * is not signed in, leads through the sign-in page to the agreement. There the signatory, whose role
 * must have a second factor, enrols TOTP on the account page (the test is the authenticator app: it
 * reads the key shown beside the QR code) and signs with the password and a fresh code. The Sverdlovsk
 * signatory reads Russian, the Gyeonggi one Korean; the next actor's mail is the one each signature sends.
 */
describe('mail to the next actor and a second factor in the browser, in Russian and in Korean', function () {
  this.timeout(180_000);
  let server: TestServer;
  let sink: SmtpSink;
  let provider: TestIdentityProvider;
  let browser: Browser;
  const users: BrowserUser[] = [];

  before(async () => {
    sink = await new SmtpSink().start();
    server = await startTestServer({ requireSecondFactor: ['signatory'] });
    server.clock.set(new Date());
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
    const problems = users.flatMap((user) => user.takeProblems().map((problem) => `${user.email}: ${problem}`));
    for (const user of users) await user.close();
    await browser?.close();
    await provider?.close();
    await server?.close();
    await sink?.close();
    expect(problems).to.deep.equal([]);
  });

  /** Sends what the outbox holds to the SMTP server, with links to this test server, as the scheduler would. */
  async function deliverMail(): Promise<void> {
    const deps: UseCaseDeps = {
      ...server.deps,
      config: { ...server.deps.config, mail: { ...server.deps.config.mail, smtpUrl: sink.url } },
    };
    const dispatcher = createMailDispatcher(deps, { processId: 'browser-test', publicUrl: server.baseUrl, log: () => undefined });
    try {
      await dispatcher.runOnce();
    } finally {
      await dispatcher.stop();
    }
  }

  /** The one link to an agreement page in the mail's text. */
  function linkIn(mail: ReceivedMail): string {
    const links = (mail.parsed.text ?? '').match(/https?:\/\/\S+\/agreements\/\d+/g) ?? [];
    expect(links, mail.parsed.text).to.have.length(1);
    return links[0]!;
  }

  /** Opens the mail's link signed out: the sign-in page comes first, then the page the link names. */
  async function followSignedOut(email: string, link: string): Promise<BrowserUser> {
    const user = await BrowserUser.open(browser, server.baseUrl, email);
    users.push(user);
    await user.page.goto(link);
    expect(new URL(user.page.url()).pathname).to.equal('/sign-in');
    await user.page.fill('#email', email);
    await user.page.fill('#password', DEMO_PASSWORD);
    await Promise.all([
      user.page.waitForURL((url) => !url.pathname.startsWith('/sign-in')),
      user.page.click('form[action="/sign-in"] button[type=submit]'),
    ]);
    expect(user.page.url()).to.equal(link);
    return user;
  }

  /** Enrols the authenticator app on the account page; returns the app (the codes it shows). */
  async function enrol(user: BrowserUser): Promise<() => string> {
    await user.goto('/account');
    await user.page.fill('#enrol-password', DEMO_PASSWORD);
    await user.submit('form[action="/account/second-factor"] button[type=submit]');
    expect(await user.page.locator('.qr-code svg').isVisible()).to.equal(true);
    const secret = (await user.page.locator('#second-factor-secret').innerText()).trim();
    const app = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const code = () => app.generate({ timestamp: server.clock.now().getTime() });
    await user.page.fill('#enrol-code', code());
    await user.submit('form[action="/account/second-factor/confirm"] button[type=submit]');
    expect(await user.page.locator('.recovery-codes li').count()).to.equal(10);
    return code;
  }

  /** Signs on the agreement page with the password and a code of the next time step (the enrolment's code is spent). */
  async function sign(user: BrowserUser, code: () => string): Promise<void> {
    server.clock.set(new Date(server.clock.now().getTime() + 30_000));
    await user.goto(`/agreements/${COOPERATION}`);
    await user.page.check('#sign-read');
    await user.page.fill('#sign-password', DEMO_PASSWORD);
    await user.page.fill('#sign-code', code());
    await user.submit('button[name="type"][value="SIGN"]');
    expect(await user.page.locator('.notice--ok').count(), await user.page.locator('main').innerText()).to.equal(1);
  }

  it('when the Gyeonggi official approves after signing in through the provider, then the Sverdlovsk official follows the Russian mail and approves', async () => {
    await deliverMail();
    const officialMailBefore = sink.to('official@sverdlovsk.example').length;
    expect(officialMailBefore, 'told when the approvals opened').to.equal(1);

    const official = await BrowserUser.open(browser, server.baseUrl, 'official@gyeonggi.example');
    users.push(official);
    await official.goto('/sign-in?lang=ko');
    await Promise.all([
      official.page.waitForURL((url) => url.origin === provider.issuer),
      official.page.getByRole('link', { name: '경기도 통합인증(으)로 로그인' }).click(),
    ]);
    await official.page.fill('input[name="login"]', 'kim.minjun');
    await official.page.fill('input[name="password"]', 'the provider checks this, not Bilateral');
    await Promise.all([
      official.page.waitForURL((url) => url.origin === server.baseUrl && url.pathname === '/agreements'),
      official.page.click('button[type="submit"]'),
    ]);
    // The provider's development login page asks the internet for a web font: its problems, not Bilateral's.
    official.takeProblems();
    await official.goto(`/agreements/${COOPERATION}`);
    await official.submit('button[name="type"][value="APPROVE"]');
    expect(await official.page.locator('.notice--ok').count(), await official.page.locator('main').innerText()).to.equal(1);

    await deliverMail();
    const russian = sink.to('official@sverdlovsk.example').slice(officialMailBefore);
    expect(russian, 'the Sverdlovsk official: one mail for the Gyeonggi approval').to.have.length(1);
    expect(russian[0]!.parsed.subject).to.match(/^Bilateral: Сторона «Кёнгидо» утвердила, ждёт вашего утверждения: .+$/);
    const sverdlovsk = await followSignedOut('official@sverdlovsk.example', linkIn(russian[0]!));
    expect(await sverdlovsk.page.locator('html').getAttribute('lang')).to.equal('ru');
    await sverdlovsk.submit('button[name="type"][value="APPROVE"]');
    expect(await sverdlovsk.page.locator('.notice--ok').count(), await sverdlovsk.page.locator('main').innerText()).to.equal(1);
    const agreement = await server.db('agreements').where({ id: COOPERATION }).first();
    expect(agreement.state).to.equal('signing');
  });

  it('when the Sverdlovsk signatory follows the Russian mail, enrols TOTP and signs, then the Gyeonggi signatory gets a Korean mail', async () => {
    await deliverMail();
    const [russian, ...more] = sink.to('signatory@sverdlovsk.example');
    expect(more, 'one mail').to.have.length(0);
    expect(russian!.parsed.subject).to.match(/^Bilateral: Ждёт вашей подписи: .+$/);
    expect(russian!.parsed.text).to.contain('Здравствуйте');

    const signatory = await followSignedOut('signatory@sverdlovsk.example', linkIn(russian!));
    expect(await signatory.page.locator('html').getAttribute('lang')).to.equal('ru');
    expect(await signatory.page.locator('#sign-code').count(), 'the page asks for a code').to.equal(1);
    const code = await enrol(signatory);
    await sign(signatory, code);
    await signatory.screenshot('mail-second-factor-signed-ru');
    expect(await server.db('audit_events').where({ agreement_id: COOPERATION, event: 'SIGN', party_key: 'sverdlovsk' })).to.have.length(1);

    // Each transition tells whose turn it is now: the Gyeonggi signatory, told when signing opened, is
    // told that Sverdlovsk has signed and their signature is awaited; the Sverdlovsk one, who has signed, is not.
    const koreanBefore = sink.to('signatory@gyeonggi.example').length;
    await deliverMail();
    expect(sink.to('signatory@sverdlovsk.example'), 'nothing more to the one who signed').to.have.length(1);
    const korean = sink.to('signatory@gyeonggi.example').slice(koreanBefore);
    expect(korean, 'the Gyeonggi signatory: one mail for the Sverdlovsk signature').to.have.length(1);
    expect(korean[0]!.parsed.subject).to.match(/^Bilateral: 스베르들롭스크주 측 서명 완료, 귀하의 서명을 기다리고 있습니다: .+$/);
    expect(korean[0]!.parsed.text).to.contain('안녕하십니까');
    expect(linkIn(korean[0]!)).to.equal(`${server.baseUrl}/agreements/${COOPERATION}`);
  });

  it('when the Gyeonggi signatory follows the Korean mail, enrols TOTP and signs, then everyone is told in their language that it is executed', async () => {
    const korean = sink.to('signatory@gyeonggi.example').at(-1);
    const signatory = await followSignedOut('signatory@gyeonggi.example', linkIn(korean!));
    expect(await signatory.page.locator('html').getAttribute('lang')).to.equal('ko');
    const code = await enrol(signatory);
    await sign(signatory, code);
    await signatory.screenshot('mail-second-factor-signed-ko');
    const agreement = await server.db('agreements').where({ id: COOPERATION }).first();
    expect(agreement.state).to.equal('executed');

    await deliverMail();
    const executed = (address: string) => sink.to(address).filter((mail) => mail.parsed.text?.includes(`/agreements/${COOPERATION}`));
    expect(executed('official@sverdlovsk.example').at(-1)!.parsed.subject).to.match(/^Bilateral: Документ подписан обеими сторонами: .+$/);
    expect(executed('official@gyeonggi.example').at(-1)!.parsed.subject).to.match(/^Bilateral: 양측 서명이 완료되었습니다: .+$/);
    const ids = sink.received.map((mail) => mail.parsed.messageId);
    expect(new Set(ids).size, 'each mail once').to.equal(ids.length);
  });
});
