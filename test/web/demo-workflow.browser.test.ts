import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { COOPERATION, storedOriginal } from '../support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { BrowserUser, launchChromium, SCREENSHOTS } from './browser.ts';

/**
 * The whole demo workflow in a real Chromium, as the six demo users: the Sverdlovsk side reads the
 * pages in Russian and the Gyeonggi side in Korean (each party's default), from sign-in to both
 * governments downloading their signed original and verifying it. Screenshots: test-output/web/.
 */
describe('web: the agreement of cooperation from draft to signed originals, in Russian and Korean', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  const users = new Map<string, BrowserUser>();
  let shot = 0;

  const as = async (email: string): Promise<BrowserUser> => {
    let user = users.get(email);
    if (!user) {
      user = await BrowserUser.open(browser, server.baseUrl, email);
      await user.signIn();
      users.set(email, user);
    }
    return user;
  };
  const screenshot = (user: BrowserUser, page: string) =>
    user.screenshot(`${String(++shot).padStart(2, '0')}-${user.email.replace('.example', '').replace('@', '-')}-${page}`);

  /** Sends a workflow event from the agreement page's buttons and checks the page says it was done. */
  async function sendEvent(email: string, type: string, expectedState: string) {
    const user = await as(email);
    await user.goto(`/agreements/${COOPERATION}`);
    if (type === 'SIGN') {
      await user.page.check('#sign-read');
      await user.page.fill('#sign-password', DEMO_PASSWORD);
    }
    await user.submit(`button[name="type"][value="${type}"]`);
    expect(await user.page.locator('.notice--ok').count(), `${type} by ${email}: ${await user.page.locator('main').innerText()}`).to.equal(
      1,
    );
    expect(await user.page.locator('.agreement-head .state').getAttribute('class')).to.contain(`state--${expectedState}`);
    await screenshot(user, `after-${type.toLowerCase()}`);
  }

  before(async () => {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    server = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    const problems = [...users.values()].flatMap((user) => user.takeProblems().map((problem) => `${user.email}: ${problem}`));
    await browser?.close();
    await server?.close();
    expect(problems).to.deep.equal([]);
  });

  it('when a visitor opens the sign-in page in Russian or Korean, then every label is in that language', async () => {
    const visitor = await BrowserUser.open(browser, server.baseUrl, 'visitor');
    for (const [lang, submit] of [
      ['ru', 'Войти'],
      ['ko', '로그인'],
    ] as const) {
      await visitor.goto(`/sign-in?lang=${lang}`);
      expect(await visitor.page.getAttribute('html', 'lang')).to.equal(lang);
      expect((await visitor.page.locator('form[action="/sign-in"] button').innerText()).trim()).to.equal(submit);
      await visitor.screenshot(`00-sign-in-${lang}`);
    }
    expect(visitor.takeProblems()).to.deep.equal([]);
    await visitor.close();
  });

  it('when Sverdlovsk legal staff sign in, then the pages are in Russian and the draft waits for them', async () => {
    const legal = await as('legal@sverdlovsk.example');
    await legal.goto('/agreements');
    expect(await legal.page.getAttribute('html', 'lang')).to.equal('ru');
    expect(await legal.page.locator('h1').innerText()).to.equal('Соглашения');
    expect(await legal.page.locator('tr.is-waiting').count()).to.equal(1);
    await screenshot(legal, 'agreements');
    await legal.goto(`/agreements/${COOPERATION}`);
    expect(
      await legal.page.locator('button[name="type"]').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('value'))),
    ).to.deep.equal(['SUBMIT', 'WITHDRAW']);
    await screenshot(legal, 'agreement');
  });

  it('when legal staff edit the Russian text, then the other languages wait for confirmation until confirmed in the editor', async () => {
    const legal = await as('legal@sverdlovsk.example');
    await legal.goto(`/agreements/${COOPERATION}/text`);
    // The drafting desk's editor (test/web/drafting-desk.browser.test.ts drives it further).
    await legal.page.click('#desk-purpose-ru .ProseMirror');
    await legal.page.keyboard.press('Control+End');
    await legal.page.keyboard.type(' Стороны ежегодно подводят итоги сотрудничества.');
    await legal.submit('#desk-purpose-ru button[name="mode"][value="edit"]');
    expect(await legal.page.locator('#clause-purpose .status--needs-review').count()).to.equal(2);
    await screenshot(legal, 'editor-after-edit');
    for (const lang of ['ko', 'en']) {
      await legal.submit(`#desk-purpose-${lang} form.desk-confirm button`);
    }
    expect(await legal.page.locator('#clause-purpose .status--confirmed').count()).to.equal(3);

    await legal.submit('#clause-financing form[action$="/move"]:has(input[value="up"]) button');
    const order = await legal.page.locator('.clause').evaluateAll((clauses) => clauses.map((clause) => clause.id));
    expect(order.indexOf('clause-financing')).to.be.lessThan(order.indexOf('clause-coordinators'));

    await legal.page.click('#clause-purpose .comments summary');
    await legal.page.fill('#comment-purpose', 'Проверьте, пожалуйста, корейский перевод новой фразы.');
    await legal.submit('#clause-purpose .comment-form button');
    expect(await legal.page.locator('#clause-purpose .comment__body').innerText()).to.contain('корейский перевод');
    await legal.page.locator('#clause-purpose').scrollIntoViewIfNeeded();
    await screenshot(legal, 'editor');
  });

  it('when the parties walk it through review, approval and signature, then each step shows in the progress and the timeline', async () => {
    await sendEvent('legal@sverdlovsk.example', 'SUBMIT', 'review');
    await sendEvent('legal@sverdlovsk.example', 'APPROVE', 'review');

    const koreanLegal = await as('legal@gyeonggi.example');
    await koreanLegal.goto('/notifications');
    expect(await koreanLegal.page.getAttribute('html', 'lang')).to.equal('ko');
    expect(await koreanLegal.page.locator('#waiting li').count()).to.equal(1);
    expect(await koreanLegal.page.locator('#inbox li.card--unread').count(), 'the submission was notified').to.be.greaterThan(0);
    await screenshot(koreanLegal, 'notifications');
    await koreanLegal.goto(`/agreements/${COOPERATION}/text`);
    expect(await koreanLegal.page.locator('.desk-editor--live, form.desk-form').count(), 'no editing outside drafting').to.equal(0);
    await screenshot(koreanLegal, 'editor-read-only');
    await sendEvent('legal@gyeonggi.example', 'APPROVE', 'approval');

    const koreanOfficial = await as('official@gyeonggi.example');
    await koreanOfficial.goto(`/agreements/${COOPERATION}/compare?from=1`);
    expect(await koreanOfficial.page.locator('ins').count()).to.be.greaterThan(0);
    await screenshot(koreanOfficial, 'compare');
    await sendEvent('official@gyeonggi.example', 'APPROVE', 'approval');
    await sendEvent('official@sverdlovsk.example', 'APPROVE', 'signing');

    const signatory = await as('signatory@gyeonggi.example');
    await signatory.goto(`/agreements/${COOPERATION}`);
    // In signing only the signatories may act: no refused action is worth explaining, and the page says what is signed.
    expect(await signatory.page.locator('.refusals').count()).to.equal(0);
    expect(await signatory.page.locator('#signing-what').innerText()).to.contain(
      await signatory.page.locator('.agreement-title').innerText(),
    );
    await screenshot(signatory, 'agreement-before-signing');

    await sendEvent('signatory@sverdlovsk.example', 'SIGN', 'signing');
    await sendEvent('signatory@gyeonggi.example', 'SIGN', 'executed');
    // Created, the Russian edit, two confirmations, the move, and the seven events.
    expect(await signatory.page.locator('.timeline li').count()).to.equal(12);
    expect(await signatory.page.locator('.progress .done').count()).to.equal(6);
  });

  for (const [party, lang, valid] of [
    ['sverdlovsk', 'ru', 'Все подписи действительны, им можно доверять'],
    ['gyeonggi', 'ko', '모든 서명이 유효하며 신뢰할 수 있습니다'],
  ] as const) {
    it(`when the ${party} official downloads their signed original, then it is the stored file and the verify page finds it valid (${lang})`, async () => {
      const official = await as(`official@${party}.example`);
      await official.goto(`/agreements/${COOPERATION}`);
      const [download] = await Promise.all([
        official.page.waitForEvent('download'),
        official.page.click(`a[href="/agreements/${COOPERATION}/originals/${party}"]`),
      ]);
      const file = path.join(SCREENSHOTS, `${party}-signed.pdf`);
      await download.saveAs(file);
      const bytes = readFileSync(file);
      expect(download.suggestedFilename()).to.equal(`agreement-${COOPERATION}-${party}-signed.pdf`);
      expect(sha256(bytes)).to.equal(sha256(await storedOriginal(server, COOPERATION, party)));

      await official.goto('/verify');
      await official.page.setInputFiles('#pdf', file);
      await official.submit('form[action="/verify"] button');
      expect(await official.page.locator('#verdict-heading').innerText()).to.contain(valid);
      expect(await official.page.locator('.signatures > li').count()).to.equal(2);
      await screenshot(official, 'verify');

      // The same pages on a tablet held upright.
      await official.page.setViewportSize({ width: 820, height: 1180 });
      for (const page of ['', '/text']) {
        await official.goto(`/agreements/${COOPERATION}${page}`);
        await screenshot(official, `tablet${page.replace('/', '-') || '-agreement'}`);
      }
      await official.page.setViewportSize({ width: 1366, height: 900 });
    });
  }
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
