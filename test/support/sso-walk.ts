import { expect } from 'chai';
import { WebClient, type WebResponse } from '../web/web-client.ts';
import type { TestIdentityProvider } from './identity-provider.ts';

/**
 * Walks a browser without a browser through a sign-in at the party's provider: Bilateral's start,
 * the provider's development login form, the redirect back. Returns the callback path (not yet
 * followed), the authorization request Bilateral sent the browser with, and the browser's cookie jar
 * at the provider (its session there, to sign out with). `query` goes on Bilateral's start URL.
 */
export async function walkThroughProvider(
  browser: WebClient,
  party: string,
  provider: TestIdentityProvider,
  account: string,
  query = '',
): Promise<{ callback: string; authorization: URL; atProvider: WebClient }> {
  const start = await browser.get(`/sign-in/sso/${party}${query}`);
  expect(start.status, start.html).to.equal(303);
  const atProvider = new WebClient(provider.issuer);
  const authorization = new URL(start.headers.get('location')!);
  let location = authorization;
  for (let hop = 0; hop < 10; hop += 1) {
    if (location.origin !== provider.issuer) return { callback: `${location.pathname}${location.search}`, authorization, atProvider };
    let page: WebResponse = await atProvider.get(`${location.pathname}${location.search}`);
    const form = /<form[^>]*action="([^"]+)"/.exec(page.html);
    if (page.status === 200 && form) {
      const action = new URL(form[1]!.replaceAll('&amp;', '&'), provider.issuer);
      page = await atProvider.send(`${action.pathname}${action.search}`, {
        method: 'POST',
        body: new URLSearchParams({ prompt: 'login', login: account, password: 'anything' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    }
    expect(page.status, page.html).to.be.oneOf([302, 303]);
    location = new URL(page.headers.get('location')!, provider.issuer);
  }
  throw new Error('the provider never sent the browser back');
}

/** Signs in through the provider and follows the callback: Bilateral's answer (303 to the next page when it worked). */
export async function signInThroughProvider(browser: WebClient, party: string, provider: TestIdentityProvider, account: string) {
  const walked = await walkThroughProvider(browser, party, provider, account);
  return { response: await browser.get(walked.callback), atProvider: walked.atProvider };
}

/** Signs out at the provider, as the person would on its own site: its end_session page and the confirmation form. */
export async function signOutAtProvider(atProvider: WebClient): Promise<void> {
  const page = await atProvider.get('/session/end');
  expect(page.status, page.html).to.equal(200);
  const form = /<form[^>]*action="([^"]+)"[\s\S]*?<\/form>/.exec(page.html);
  expect(form, page.html).to.exist;
  const fields = Object.fromEntries([...form![0].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const action = new URL(form![1]!.replaceAll('&amp;', '&'), 'http://provider.invalid');
  const done = await atProvider.send(`${action.pathname}${action.search}`, {
    method: 'POST',
    body: new URLSearchParams({ ...fields, logout: 'yes' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(done.status, done.html).to.be.oneOf([200, 302, 303]);
}
