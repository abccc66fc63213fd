import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { messageCatalogs } from '../../server/web/i18n.ts';
import { ApiClient } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { BrowserUser, launchChromium, SCREENSHOTS } from './browser.ts';
import { carryToFirstSignature } from './demo-walk.ts';

/**
 * The pages a clerk of either ministry reads, in Chromium at a laptop's and a phone's width: axe-core
 * finds no violation (WCAG 2.1 A and AA), nothing scrolls sideways at 390 px, and a refused form is
 * answered on the same page. Screenshots: test-output/web/people/.
 */
const SHOTS = path.join(SCREENSHOTS, 'people');
const WIDTHS = [1280, 390] as const;
const PAGES = [
  ['agreements', '/agreements'],
  ['agreement-signing', '/agreements/2'],
  ['agreement-executed', '/agreements/1'],
  ['notifications', '/notifications'],
  ['verify', '/verify'],
] as const;

describe('web: pages for people at 1280 and 390 px, in Russian and Korean', function () {
  this.timeout(240_000);
  let server: TestServer;
  let browser: Browser;
  const opened: BrowserUser[] = [];
  const open = async (email: string, width: number) => {
    const user = await BrowserUser.open(browser, server.baseUrl, email, { width, height: 900 });
    opened.push(user);
    await user.signIn();
    return user;
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    await carryToFirstSignature(server.baseUrl);
    browser = await launchChromium();
  });
  after(async () => {
    const problems = opened.flatMap((user) => user.takeProblems());
    await browser?.close();
    await server?.close();
    expect(problems).to.deep.equal([]);
  });

  for (const [email, lang] of [
    ['legal@sverdlovsk.example', 'ru'],
    ['signatory@gyeonggi.example', 'ko'],
  ] as const) {
    for (const width of WIDTHS) {
      it(`when ${email} opens each page at ${width} px, then axe finds no violation and nothing scrolls sideways`, async () => {
        const user = await open(email, width);
        for (const [name, pathname] of PAGES) {
          await user.goto(pathname);
          expect(await user.page.getAttribute('html', 'lang')).to.equal(lang);
          await user.screenshot(path.join('people', `${lang}-${width}-${name}`));
          const overflow = await user.page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
          expect(overflow, `${name} at ${width} px scrolls sideways`).to.be.at.most(0);
          // The technical details and the refusals open too, so what they hold is checked as well.
          await user.page.evaluate("for (const details of document.querySelectorAll('details')) details.open = true");
          const { violations } = await new AxeBuilder({ page: user.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
          expect(
            violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
            `${name} at ${width}`,
          ).to.deep.equal([]);
        }
      });
    }
  }

  it('when the signatory types a wrong password, then the page answers at the field with the attempts left and keeps the comment', async () => {
    const signatory = await open('signatory@gyeonggi.example', 390);
    await signatory.goto('/agreements/2');
    await signatory.page.fill('#comment', '검토 후 서명합니다');
    await signatory.page.check('#sign-read');
    await signatory.page.fill('#sign-password', 'not-my-password');
    await signatory.submit('button[name="type"][value="SIGN"]');
    const said = messageCatalogs().get('ko')!.get('formProblem.passwordWrong')!.replace('{left}', '4');
    expect(await signatory.page.locator('#sign-password-error').innerText()).to.equal(said);
    expect(await signatory.page.locator('.error-summary a[href="#sign-password"]').innerText()).to.equal(said);
    expect(await signatory.page.inputValue('#comment')).to.equal('검토 후 서명합니다');
    expect(await signatory.page.getAttribute('#sign-password', 'aria-invalid')).to.equal('true');
    const { violations } = await new AxeBuilder({ page: signatory.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    expect(violations.map((violation) => violation.id)).to.deep.equal([]);
    await signatory.screenshot(path.join('people', 'ko-390-wrong-password'));
    // The refusal is answered with its status (403), which Chromium reports; nothing else went wrong.
    expect(signatory.takeProblems()).to.deep.equal([
      'console: Failed to load resource: the server responded with a status of 403 (Forbidden)',
    ]);
  });

  it('when two tabs hold the same version and one submits first, then the other is told on its own page and led to what changed', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const created = await legal.post('/api/agreements', { kind: 'memorandum' });
    expect(created.status).to.equal(201);
    const [first, second] = [await open('legal@sverdlovsk.example', 1280), await open('legal@sverdlovsk.example', 1280)];
    for (const tab of [first!, second!]) await tab.goto(`/agreements/${created.body.id}`);
    await first!.submit('button[name="type"][value="SUBMIT"]');
    expect(await first!.page.locator('.notice--ok').count()).to.equal(1);
    await second!.submit('button[name="type"][value="SUBMIT"]');
    expect(await second!.page.locator('.error-summary').innerText()).to.contain(messageCatalogs().get('ru')!.get('formProblem.stale'));
    expect(await second!.page.locator('.error-summary a').getAttribute('href')).to.equal(
      `/agreements/${created.body.id}/compare?from=${created.body.version}`,
    );
    await second!.screenshot(path.join('people', 'ru-1280-stale-version'));
    expect(second!.takeProblems()).to.deep.equal([
      'console: Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
  });
});
