import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AgreementDocument } from '../../server/pdf/document-model.ts';
import { TYPOGRAPHY } from '../../server/pdf/typesetter.ts';
import { renderPreviewHtml } from '../../server/preview/preview-html.ts';
import type { Lang } from '../../server/text/languages.ts';
import type { Block } from '../../server/text/markup.ts';
import { buildDocument } from '../support/documents.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

/** One language's text as the model has it, list labels included: what the PDF prints too. */
function modelText(document: AgreementDocument, lang: Lang): string {
  const blocks = (content: readonly Block[] | undefined) =>
    (content ?? []).flatMap((block) =>
      block.type === 'paragraph' ? [block.text] : block.items.map((item, index) => `${block.ordered ? `${index + 1})` : '–'}${item}`),
    );
  return normalize(
    [
      document.title[lang]!,
      ...blocks(document.preamble[lang]),
      ...document.articles.flatMap((article) => [article.heading[lang]!, ...blocks(article.body[lang])]),
      ...blocks(document.finalClause[lang]),
    ].join(' '),
  );
}

describe('HTML preview (renderPreviewHtml) in Chromium', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
    // Nothing may be fetched: any request the page makes fails the test.
    await page.route('**/*', (route) => route.abort());
  });
  after(async () => browser?.close());

  it('when rendered, then it is one page: no script, nothing to fetch but our own font, every text escaped', async () => {
    const document = buildDocument();
    const article = document.articles[0]!;
    const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const html = renderPreviewHtml({
      ...document,
      articles: [{ ...article, body: { ...article.body, ru: [{ type: 'paragraph', text: hostile }] } }],
    });
    expect(html).to.match(/^<!doctype html>\n<html lang="ru-RU">/);
    expect(html).to.not.match(/<script|<link|@import/i);
    // The only thing it may fetch is the font the PDFs embed, from this server.
    expect([...html.matchAll(/url\('([^']*)'\)/g)].map(([, url]) => url)).to.deep.equal([
      '/assets/fonts/noto-serif-kr-400.ttf',
      '/assets/fonts/noto-serif-kr-700.ttf',
    ]);
    await page.setContent(html);
    expect(await page.locator('script, img, link, iframe, object').count()).to.equal(0);
    expect(await page.locator(`.row[data-section="${article.key}"] .cell[lang="ru-RU"] p`).textContent()).to.equal(hostile);
  });

  it('when printed, then the columns are as wide as the PDF’s: the page margin is the only margin', async () => {
    const document = { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), draft: null };
    await page.setContent(renderPreviewHtml(document));
    const { margin, columnGap } = TYPOGRAPHY;
    // Chromium prints into the page less its @page margins: A4 landscape, in points, as the viewport.
    const contentWidth = (297 / 25.4) * 72 - margin.left - margin.right;
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: Math.round(contentWidth * (96 / 72)), height: viewport.height });
    await page.emulateMedia({ media: 'print' });
    const width = (await page.locator('.row .cell').first().boundingBox())!.width * (72 / 96);
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(viewport);
    expect(width).to.be.closeTo((contentWidth - 2 * columnGap) / 3, 0.5);
  });

  it('when shown in parallel, then each column holds its language’s whole text, the original’s language on the left, articles starting on one line', async () => {
    const document = buildDocument({}, 'gyeonggi');
    await page.setContent(renderPreviewHtml(document));
    const rows = await page.locator('.row').all();
    expect(rows).to.have.length(document.articles.length + 3);
    const columns: { lang: string | null; text: string; top: number }[][] = [];
    for (const row of rows) {
      const cells = await row.locator('.cell').all();
      columns.push(
        await Promise.all(
          cells.map(async (cell) => ({
            lang: await cell.getAttribute('lang'),
            text: await cell.innerText(),
            top: (await cell.boundingBox())!.y,
          })),
        ),
      );
    }
    for (const cells of columns) {
      expect(cells.map((cell) => cell.lang)).to.deep.equal(['ko-KR', 'ru-RU']);
      expect(cells[0]!.top).to.equal(cells[1]!.top);
    }
    for (const [index, lang] of document.languages.entries()) {
      expect(normalize(columns.map((cells) => cells[index]!.text).join(' ')).replaceAll('– ', '–')).to.equal(modelText(document, lang));
    }
    const headings = await page.$$eval('.cell[lang="ko-KR"] h2', (elements) => elements.map((element) => element.textContent));
    expect(headings).to.deep.equal(document.articles.map((article) => article.heading.ko));
  });

  it('when shown in sequence, then each language’s text follows the other in the original’s order, each from a new printed page', async () => {
    const document: AgreementDocument = { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), layout: 'sequential' };
    await page.setContent(renderPreviewHtml(document));
    const texts = await page.locator('article.text').all();
    expect(await Promise.all(texts.map((text) => text.getAttribute('lang')))).to.deep.equal(['ru-RU', 'ko-KR', 'en-GB']);
    for (const [index, text] of texts.entries())
      expect(normalize(await text.innerText()).replaceAll('– ', '–')).to.equal(modelText(document, document.languages[index]!));
    const breaks = await page.evaluate("[...document.querySelectorAll('article.text')].map((text) => getComputedStyle(text).breakBefore)");
    expect(breaks).to.deep.equal(['auto', 'page', 'page']);
  });

  it('when shown, then the signature blocks stand side by side, the original’s party first, and a draft carries its mark', async () => {
    const document = buildDocument({}, 'gyeonggi');
    await page.setContent(renderPreviewHtml(document));
    const blocks = await Promise.all(
      (await page.locator('.signature-block').all()).map(async (block) => ({
        party: await block.getAttribute('data-party'),
        left: (await block.boundingBox())!.x,
      })),
    );
    expect(blocks.map((block) => block.party)).to.deep.equal(['gyeonggi', 'sverdlovsk']);
    expect(blocks[0]!.left).to.be.lessThan(blocks[1]!.left);
    expect(await page.textContent('.draft-mark')).to.equal('DRAFT · ПРОЕКТ · 초안 — v1 · 2018-07-20');
    await page.setContent(renderPreviewHtml({ ...document, draft: null }));
    expect(await page.$('.draft-mark')).to.equal(null);
  });
});
