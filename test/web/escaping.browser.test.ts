import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { BrowserUser, launchChromium } from './browser.ts';

const SCRIPT = '<script>window.pwned = true</script>';
const TEMPLATES = path.resolve('templates', 'web');

/**
 * Whatever users write (a title, a clause, a comment) reaches other users' pages as text: a
 * <script> in it shows as the characters and never runs. Checked in Chromium, where it would run.
 */
describe('web: user-written text is shown as text, never run', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let legal: BrowserUser;
  let agreementPath: string;

  before(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    legal = await BrowserUser.open(browser, server.baseUrl, 'legal@gyeonggi.example');
    await legal.signIn();
  });
  after(async () => {
    const problems = legal?.takeProblems() ?? [];
    await browser?.close();
    await server?.close();
    expect(problems).to.deep.equal([]);
  });

  it('when the templates are read, then none inserts anything unescaped ({{{ }}})', () => {
    const templates = readdirSync(TEMPLATES, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.hbs'));
    expect(templates.length).to.be.greaterThan(10);
    for (const file of templates) expect(readFileSync(path.join(TEMPLATES, file), 'utf8'), file).to.not.include('{{{');
  });

  const pwned = () => legal.page.evaluate('window.pwned === true');

  it('when an agreement is named with a <script>, then the register shows the name as text where a search finds it', async () => {
    await legal.goto('/agreements');
    await legal.page.fill('#title', `${SCRIPT} Memorandum`);
    await legal.page.selectOption('#kind', 'memorandum');
    await legal.submit('form[action="/agreements"] button[type="submit"]');
    agreementPath = new URL(legal.page.url()).pathname;
    // The page calls it by its title clause in the reader's language; the name the creator gave is a search term.
    expect(await legal.page.locator('.agreement-title').innerText()).to.match(/\p{Script=Hangul}/u);
    await legal.goto('/agreements?q=pwned');
    expect(await legal.page.locator('table .search-hit').first().innerText()).to.contain('<script>');
    expect(await pwned()).to.equal(false);
  });

  it('when a clause says "<script>" in its text, then the editor and the comparison show it as text', async () => {
    await legal.goto(`${agreementPath}/text`);
    // Typed into the drafting desk's editor, markup is text.
    await legal.page.locator('#desk-purpose-ko .ProseMirror').click();
    await legal.page.keyboard.press('Control+End');
    await legal.page.keyboard.type(' <script>window.pwned = true</script> 양측은 협력한다.');
    await legal.submit('#desk-purpose-ko button[name="mode"][value="edit"]');
    expect(await legal.page.locator('.notice--ok').count()).to.equal(1);
    await legal.goto(`${agreementPath}/compare?from=1`);
    expect(await legal.page.locator('#diff-purpose ~ .languages ins, .diff ins').allInnerTexts()).to.satisfy((runs: string[]) =>
      runs.join('').includes('<script>'),
    );
    expect(await pwned()).to.equal(false);
  });

  it('when a clause is written with a real <script> element, then it is refused and the error page shows the reason as text', async () => {
    await legal.goto(`${agreementPath}/text`);
    // The editor cannot make an element, so the form is posted as a crafted request would be: the
    // desk's own form, copied without its script, with the markup in its text field.
    await Promise.all([
      legal.page.waitForNavigation(),
      legal.page.evaluate(`(() => {
        const desk = document.querySelector('#desk-purpose-ru form:has(input[name="text"])');
        const crafted = document.createElement('form');
        crafted.method = 'post';
        crafted.action = desk.action;
        for (const input of desk.querySelectorAll('input[type="hidden"]')) {
          const copy = document.createElement('input');
          copy.type = 'hidden';
          copy.name = input.name;
          copy.value = input.name === 'text' ? ${JSON.stringify(`<p>${SCRIPT}</p>`)} : input.value;
          crafted.append(copy);
        }
        const mode = document.createElement('input');
        mode.type = 'hidden';
        mode.name = 'mode';
        mode.value = 'edit';
        crafted.append(mode);
        document.body.append(crafted);
        crafted.submit();
      })()`),
    ]);
    expect(await legal.page.locator('h1').innerText()).to.equal('규칙에 따라 거부되었습니다');
    expect(await legal.page.locator('.error-detail').innerText()).to.contain('<script>');
    expect(await pwned()).to.equal(false);
    // The browser reports the 422 it was answered; that is the point here, not a problem.
    expect(legal.takeProblems()).to.deep.equal([
      'console: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
    ]);
  });

  it('when a comment holds a <script>, then the other party reads it as text', async () => {
    await legal.goto(`${agreementPath}/text`);
    await legal.page.click('#clause-purpose .comments summary');
    await legal.page.fill('#comment-purpose', SCRIPT);
    await legal.submit('#clause-purpose .comment-form button');
    const reader = await BrowserUser.open(browser, server.baseUrl, 'legal@sverdlovsk.example');
    await reader.signIn();
    await reader.goto(`${agreementPath}/text`);
    expect(await reader.page.locator('#clause-purpose .comment__body').innerText()).to.equal(SCRIPT);
    expect(await reader.page.evaluate('window.pwned === true')).to.equal(false);
    expect(reader.takeProblems()).to.deep.equal([]);
    await reader.close();
  });
});
