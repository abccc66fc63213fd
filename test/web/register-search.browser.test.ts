import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { translate } from '../../server/web/i18n.ts';
import { LETTER_OF_INTENT } from '../support/execute-demo.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { BrowserUser, launchChromium } from './browser.ts';

/**
 * A Korean official finds an article from the Korean register by words written with a space the text
 * does not have ("조정 기관" for "조정기관"), and the hit opens the text on that article.
 */
describe('web: searching the register in Korean and opening the hit on its article', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let official: BrowserUser;

  before(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    official = await BrowserUser.open(browser, server.baseUrl, 'official@gyeonggi.example');
    await official.signIn();
  });
  after(async () => {
    const problems = official?.takeProblems() ?? [];
    await browser?.close();
    await server?.close();
    expect(problems).to.deep.equal([]);
  });

  it('when "조정 기관" is searched from the Korean register, then the hit names the coordinators article and opens the text there', async () => {
    const { page } = official;
    await official.goto('/agreements');
    expect(await page.getAttribute('html', 'lang')).to.equal('ko');
    await page.fill('#register-q', '조정 기관');
    await Promise.all([page.waitForURL(/[?&]q=/), page.press('#register-q', 'Enter')]);

    const row = page.locator('tr', { has: page.locator(`a[href="/agreements/${LETTER_OF_INTENT}"]`) });
    const hit = row.locator('.search-hit', { has: page.locator(`a[href="/agreements/${LETTER_OF_INTENT}/text#clause-coordinators"]`) });
    expect(await hit.count()).to.equal(1);
    expect(await hit.getAttribute('lang')).to.equal('ko');
    // The words found are marked in the excerpt, as the text writes them.
    expect(await hit.locator('mark').allInnerTexts()).to.include.members(['조정기관']);
    // The hit is named as the Korean text heads the article (the letter of intent numbers its points "4.").
    const link = hit.locator('a.search-hit__where');
    const label = (await link.innerText()).trim();
    expect(label).to.match(/^\d+\.?$|^제\d+조/);

    await Promise.all([page.waitForURL(`**/agreements/${LETTER_OF_INTENT}/text#clause-coordinators`), link.click()]);
    const article = page.locator('#clause-coordinators');
    expect(await article.evaluate((element) => element.matches(':target'))).to.equal(true);
    // Scrolled to it: the article's top is in the window.
    const box = (await article.boundingBox())!;
    expect(box.y).to.be.within(-1, page.viewportSize()!.height);
    const heading = await article.locator('h2').innerText();
    expect(heading.startsWith(label.replace(/\.$/, ''))).to.equal(true);
    expect(heading).to.contain(translate('ko', 'clause.coordinators'));
    expect(await article.innerText()).to.contain('조정기관');
    await official.screenshot('register-search-ko');
  });
});
