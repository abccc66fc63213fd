import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
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
  ['text', '/agreements/2/text'],
  ['compare', '/agreements/2/compare'],
  ['notifications', '/notifications'],
  ['calendar', '/calendar'],
  ['verify', '/verify'],
  ['account', '/account'],
  ['mail', '/mail'],
] as const;
/** What only a party's administrator sees. */
const ADMIN_PAGES = [['users', '/users']] as const;

/**
 * The focus ring of the focused element against the ground around it (the ring stands outside the
 * element): WCAG 1.4.11 asks 3:1. Null while nothing but the page has focus. `again` says focus has
 * come round to the first element it reached, so every stop of the page has been seen.
 */
const FOCUSED_RING = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const again = window.firstFocusStop === element;
  window.firstFocusStop ??= element;
  const channel = (value) => { const c = value / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const parse = (color) => (color.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  let ground = [255, 255, 255];
  for (let node = element.parentElement; node; node = node.parentElement) {
    const [r, g, b, a = 1] = parse(getComputedStyle(node).backgroundColor);
    if (a > 0.5) { ground = [r, g, b]; break; }
  }
  const style = getComputedStyle(element);
  const [l1, l2] = [luminance(parse(style.outlineColor)), luminance(ground)].sort((x, y) => y - x);
  const ratio = (l1 + 0.05) / (l2 + 0.05);
  const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + ' "' + (element.textContent || element.value || '').trim().slice(0, 30) + '"';
  return { name, again, ok: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && ratio >= 3, ratio: Math.round(ratio * 100) / 100 };
})()`;

/** Tabs through the page (at most 80 stops, once round) and names each element whose focus ring is under 3:1. */
async function weakFocusRings(page: Page): Promise<string[]> {
  const weak = new Map<string, number>();
  await page.locator('body').focus();
  for (let stop = 0; stop < 80; stop++) {
    await page.keyboard.press('Tab');
    const ring = (await page.evaluate(FOCUSED_RING)) as { name: string; again: boolean; ok: boolean; ratio: number } | null;
    if (ring?.again) break;
    if (ring && !ring.ok) weak.set(ring.name, ring.ratio);
  }
  return [...weak].map(([name, ratio]) => `${name}: ${ratio}`);
}

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

  for (const [email, lang, pages] of [
    ['legal@sverdlovsk.example', 'ru', PAGES],
    ['signatory@gyeonggi.example', 'ko', [...PAGES, ['preview', '/agreements/2/preview?original=gyeonggi']]],
    ['admin@sverdlovsk.example', 'ru', ADMIN_PAGES],
    ['admin@gyeonggi.example', 'ko', ADMIN_PAGES],
  ] as const) {
    for (const width of WIDTHS) {
      it(`when ${email} opens each page at ${width} px, then axe finds no violation and nothing scrolls sideways`, async () => {
        const user = await open(email, width);
        for (const [name, pathname] of pages) {
          await user.goto(pathname);
          // The preview is the document, in its own first language; its way back speaks the reader's.
          if (name === 'preview') expect(await user.page.getAttribute('.preview-back', 'lang')).to.equal(lang === 'ko' ? 'ko-KR' : 'ru-RU');
          else expect(await user.page.getAttribute('html', 'lang')).to.equal(lang);
          await user.screenshot(path.join('people', `${lang}-${width}-${name}`));
          if (width === 1280 && name !== 'preview') {
            expect(await weakFocusRings(user.page), `${name}: focus rings under 3:1`).to.deep.equal([]);
          }
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
    expect(await signatory.page.isChecked('#sign-read'), 'the confirmation of having read stays ticked').to.equal(true);
    expect(await signatory.page.inputValue('#sign-password'), 'the password is never sent back').to.equal('');
    expect(await signatory.page.getAttribute('#sign-password', 'aria-invalid')).to.equal('true');
    const { violations } = await new AxeBuilder({ page: signatory.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    expect(violations.map((violation) => violation.id)).to.deep.equal([]);
    await signatory.screenshot(path.join('people', 'ko-390-wrong-password'));
    // The refusal is answered with its status (403), which Chromium reports; nothing else went wrong.
    expect(signatory.takeProblems()).to.deep.equal([
      'console: Failed to load resource: the server responded with a status of 403 (Forbidden)',
    ]);
  });

  for (const lang of ['ru', 'ko'] as const) {
    for (const width of WIDTHS) {
      it(`when a visitor opens the sign-in page in ${lang} at ${width} px, then axe finds no violation and nothing scrolls sideways`, async () => {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${server.baseUrl}/sign-in?lang=${lang}`);
        await page.evaluate('document.fonts.ready.then(() => true)');
        await page.screenshot({ path: path.join(SHOTS, `${lang}-${width}-sign-in.png`), fullPage: true });
        expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).to.be.at.most(0);
        const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        expect(violations.map((violation) => violation.id)).to.deep.equal([]);
        if (width === 1280) expect(await weakFocusRings(page)).to.deep.equal([]);
        await context.close();
      });
    }
  }

  it('when the menu shows how many agreements wait, then a screen reader reads the link\u2019s name and the count once', async () => {
    const signatory = await open('signatory@gyeonggi.example', 1280);
    await signatory.goto('/agreements');
    const ko = messageCatalogs().get('ko')!;
    const link = signatory.page.getByRole('link', {
      name: `${ko.get('nav.notifications')}, ${ko.get('nav.waiting')!.replace('{count}', '1')}`,
      exact: true,
    });
    expect(await link.count()).to.equal(1);
    expect(await signatory.page.locator('.site-nav a').allInnerTexts()).to.have.length(
      new Set(await signatory.page.locator('.site-nav a').allInnerTexts()).size,
    );
  });

  it('when the signatory reads the original in the browser, then the preview leads back to the agreement and its draft mark reads clearly', async () => {
    const drafted = await (await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example')).post('/api/agreements', {
      kind: 'memorandum',
    });
    expect(drafted.status).to.equal(201);
    const id = drafted.body.id as number;
    const signatory = await open('signatory@gyeonggi.example', 390);
    await signatory.goto(`/agreements/${id}`);
    await signatory.submit(`a[href="/agreements/${id}/preview?original=gyeonggi"]`);
    expect(await signatory.page.locator('.draft-mark').isVisible()).to.equal(true);
    const { violations } = await new AxeBuilder({ page: signatory.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(
      violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
    ).to.deep.equal([]);
    expect(await signatory.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).to.be.at.most(0);
    await signatory.screenshot(path.join('people', 'ko-390-preview-draft'));
    const back = signatory.page.locator('.preview-back a');
    expect(await back.innerText()).to.equal(messageCatalogs().get('ko')!.get('preview.back')!.replace('{id}', String(id)));
    await signatory.submit('.preview-back a');
    expect(new URL(signatory.page.url()).pathname).to.equal(`/agreements/${id}`);
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
