import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../support/server.ts';

/** Debian's Chromium, headless; playwright-core drives it (its own browser downloads cannot work here). */
const CHROMIUM = process.env.BILATERAL_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where the screenshots go: test-output/ is git-ignored. */
export const SCREENSHOTS = path.resolve('test-output', 'web');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * One person in their own browser context (their own cookies), on a laptop-sized window. Every page
 * it opens is checked for the things every page must have, and refusals by the CSP fail the test.
 */
export class BrowserUser {
  private constructor(
    readonly email: string,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly baseUrl: string,
    private readonly problems: string[],
  ) {}

  static async open(browser: Browser, baseUrl: string, email: string, viewport = { width: 1366, height: 900 }): Promise<BrowserUser> {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    return new BrowserUser(email, context, page, baseUrl, problems);
  }

  async goto(pathname: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}${pathname}`);
  }

  async signIn(password = DEMO_PASSWORD): Promise<void> {
    await this.goto('/sign-in');
    await this.page.fill('#email', this.email);
    await this.page.fill('#password', password);
    await Promise.all([
      this.page.waitForURL((url) => !url.pathname.startsWith('/sign-in')),
      this.page.click('form[action="/sign-in"] button[type=submit]'),
    ]);
  }

  /** Clicks a submit button and waits for the page the form leads to. */
  async submit(selector: string): Promise<void> {
    await Promise.all([this.page.waitForLoadState('load'), this.page.waitForNavigation(), this.page.click(selector)]);
  }

  /** A full-page screenshot once the fonts (the Hangul one is large) have loaded. */
  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.evaluate('document.fonts.ready.then(() => true)');
    await this.page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** What went wrong in the page so far (console errors, script errors, CSP refusals); empty is good. */
  takeProblems(): string[] {
    return this.problems.splice(0);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
