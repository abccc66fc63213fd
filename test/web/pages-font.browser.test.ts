import path from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { UI_FONT_URL, uiFontCharacters } from '../../server/web/ui-font.ts';
import { messageCatalogs } from '../../server/web/i18n.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, SCREENSHOTS } from './browser.ts';

/**
 * The pages' own font on a computer without a Korean font (this one: Debian's Chromium with no Hangul
 * font installed): the Korean sign-in page is set in the font we serve, which the layout preloads and
 * the stylesheet waits for (font-display: block), so it never shows □ first; the 14 MB whole font is
 * not fetched for it.
 */
describe('web: the pages\u2019 own font, with Hangul and Cyrillic, before any text is shown', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('when the stylesheet and the sign-in page are served, then the font is preloaded and the text waits for it', async () => {
    const css = await (await fetch(`${server.baseUrl}/assets/app.css`)).text();
    const face = /@font-face\s*\{[^}]*"Bilateral UI"[^}]*\}/.exec(css)?.[0];
    expect(face)
      .to.be.a('string')
      .and.include(`url("${UI_FONT_URL}") format("woff2")`)
      .and.match(/font-display:\s*block/);
    // First in both stacks, for Hangul only (Latin and Cyrillic stay the system's).
    expect(face).to.match(/unicode-range:[^;]*U\+AC00-D7AF/);
    expect(css)
      .to.match(/--sans:\s*"Bilateral UI", system-ui/)
      .and.match(/--serif: "Bilateral UI", /);
    const page = await (await fetch(`${server.baseUrl}/sign-in?lang=ko`)).text();
    expect(page).to.include(`<link rel="preload" href="${UI_FONT_URL}" as="font" type="font/woff2" crossorigin>`);
    // Before the stylesheet, so the font is on its way before the stylesheet asks for it.
    expect(page.indexOf(UI_FONT_URL)).to.be.below(page.indexOf('/assets/app.css'));
  });

  it('when the font is fetched, then it is a small WOFF2 holding every character of the three catalogues, cached by its tag', async () => {
    const response = await fetch(`${server.baseUrl}${UI_FONT_URL}`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('font/woff2');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).to.equal('wOF2');
    expect(bytes.length).to.be.below(200_000);
    const characters = new Set(uiFontCharacters());
    for (const messages of messageCatalogs().values()) {
      for (const message of messages.values())
        for (const character of message) if (/\p{L}/u.test(character)) expect(characters.has(character), character).to.equal(true);
    }
    // A browser's revalidation (fetch() would add "no-cache" to a conditional request without a Cache-Control of its own).
    const again = await fetch(`${server.baseUrl}${UI_FONT_URL}`, {
      headers: { 'if-none-match': response.headers.get('etag')!, 'cache-control': 'max-age=0' },
    });
    expect(again.status).to.equal(304);
  });

  it('when the Korean sign-in page comes over a slow connection (40 kB/s), then its Hangul is the served font\u2019s once it has come, nothing left in \u25a1', async () => {
    await fetch(`${server.baseUrl}${UI_FONT_URL}`);
    const context = await browser.newContext({ viewport: { width: 390, height: 500 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    // What the browser still waits for, should the page never finish: the throttle's stall, or ours.
    const unfinished = new Map<string, string>();
    const failed: string[] = [];
    cdp.on('Network.requestWillBeSent', (event) => unfinished.set(event.requestId, new URL(event.request.url).pathname));
    cdp.on('Network.loadingFinished', (event) => unfinished.delete(event.requestId));
    cdp.on('Network.loadingFailed', (event) => {
      failed.push(`${unfinished.get(event.requestId)}: ${event.errorText}`);
      unfinished.delete(event.requestId);
    });
    await cdp.send('Network.enable');
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 40,
      downloadThroughput: 40_000,
      uploadThroughput: 40_000,
    });
    // Polled from outside: the page's policy allows no evaluated script of its own.
    const state =
      "({ readyState: document.readyState, faces: [...document.fonts].map((face) => face.family + ' ' + face.status), arrived: document.readyState === 'complete' && [...document.fonts].some((face) => face.family === 'Bilateral UI' && face.status === 'loaded') })";
    type State = { readyState: string; faces: string[]; arrived: boolean };
    const signInOverSlowConnection = async (): Promise<State> => {
      unfinished.clear();
      await page.goto(`${server.baseUrl}/sign-in?lang=ko`, { waitUntil: 'commit' });
      let seen = (await page.evaluate(state)) as State;
      for (let poll = 0; poll < 300 && !seen.arrived; poll++) {
        await page.waitForTimeout(200);
        seen = (await page.evaluate(state)) as State;
      }
      return seen;
    };
    let seen = await signInOverSlowConnection();
    if (!seen.arrived && unfinished.size > 0) {
      // A response still unfinished after a minute at 40 kB/s (the page is a tenth of that) is the
      // throttle's stall, not the page's: it is said, and the page is loaded once more, from nothing.
      // Once in CI under load this wait ran out with nothing more said; the message below says what.
      console.warn(`      the throttled page stalled on ${[...unfinished.values()].join(', ')}; loading it again`);
      await cdp.send('Network.clearBrowserCache');
      seen = await signInOverSlowConnection();
    }
    expect(seen.arrived, JSON.stringify({ ...seen, unfinished: [...unfinished.values()], failed })).to.equal(true);
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    const { root } = await cdp.send('DOM.getDocument');
    for (const selector of ['h1', 'label[for="email"]', 'label[for="password"]']) {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const text = await page.locator(selector).first().innerText();
      const hangul = [...text].filter((character) => /\p{Script=Hangul}/u.test(character)).length;
      const ours = fonts.filter((used) => used.isCustomFont).reduce((sum, used) => sum + used.glyphCount, 0);
      expect(ours, `${selector}: ${JSON.stringify(fonts)}`).to.be.at.least(hangul);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'people', 'ko-390-sign-in-slow-connection.png') });
    await context.close();
  });

  it('when a computer without a Korean font opens the Korean sign-in page, then every Hangul glyph comes from the served font, fetched by the preload, and the whole font is not fetched', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    await page.goto(`${server.baseUrl}/sign-in?lang=ko`);
    await page.evaluate('document.fonts.ready.then(() => true)');
    const resources = (await page.evaluate(
      "performance.getEntriesByType('resource').map((entry) => ({ name: new URL(entry.name).pathname, initiator: entry.initiatorType, bytes: entry.encodedBodySize, end: entry.responseEnd })).concat(performance.getEntriesByType('paint').map((entry) => ({ name: entry.name, initiator: 'paint', bytes: 0, end: entry.startTime })))",
    )) as { name: string; initiator: string; bytes: number; end: number }[];
    const font = resources.find((entry) => entry.name === UI_FONT_URL);
    expect(font, JSON.stringify(resources)).to.not.equal(undefined);
    expect(font!.initiator).to.equal('link');
    expect(resources.filter((entry) => entry.name.endsWith('.ttf'))).to.deep.equal([]);
    const { root } = await cdp.send('DOM.getDocument');
    for (const selector of ['h1', 'label[for="email"]', 'form[action="/sign-in"] button[type=submit]']) {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const text = await page.locator(selector).first().innerText();
      const hangul = [...text].filter((character) => /\p{Script=Hangul}/u.test(character)).length;
      expect(hangul, selector).to.be.above(0);
      // Ours is the only web font; the Hangul glyphs are all its (a system font has none here).
      const custom = fonts.filter((used) => used.isCustomFont);
      expect(
        custom.map((used) => used.familyName),
        `${selector}: ${JSON.stringify(fonts)}`,
      ).to.have.length(1);
      expect(custom[0]!.glyphCount, `${selector}: ${JSON.stringify(fonts)}`).to.be.at.least(hangul);
    }
    console.log(
      `      measured: ${UI_FONT_URL} ${font!.bytes} bytes, fetched by the preload, done at ${Math.round(font!.end)} ms; ${resources
        .filter((entry) => entry.initiator === 'paint')
        .map((entry) => `${entry.name} at ${Math.round(entry.end)} ms`)
        .join(', ')}`,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'people', 'ko-390-sign-in-own-font.png') });
    await context.close();
  });
});
