import { DEMO_PASSWORD } from '../support/server.ts';

export interface WebResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
}

/**
 * A browser without a browser: keeps cookies, reads the CSRF token the page's forms carry, and posts
 * forms the way a browser does. For checks of status codes and headers; the pages themselves are
 * tested in Chromium.
 */
export class WebClient {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly baseUrl: string) {}

  static async signedIn(baseUrl: string, email: string): Promise<WebClient> {
    const client = new WebClient(baseUrl);
    const response = await client.postForm('/sign-in', { email, password: DEMO_PASSWORD }, await client.csrfTokenOf('/sign-in'));
    if (response.status !== 303) throw new Error(`sign-in as ${email} failed: ${response.status}`);
    return client;
  }

  async get(pathname: string): Promise<WebResponse> {
    return this.send(pathname, { method: 'GET' });
  }

  /** The token in the forms of a page. */
  async csrfTokenOf(pathname: string): Promise<string> {
    const { html } = await this.get(pathname);
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`${pathname} has no form with a CSRF token`);
    return token;
  }

  /** Posts a form; `csrfToken` undefined sends none. */
  async postForm(pathname: string, fields: Record<string, string>, csrfToken?: string): Promise<WebResponse> {
    const body = new URLSearchParams({ ...fields, ...(csrfToken !== undefined && { _csrf: csrfToken }) });
    return this.send(pathname, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** A file the session may download (an original), as bytes. */
  async download(pathname: string): Promise<Buffer> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.baseUrl}${pathname}`, { redirect: 'manual', headers: { cookie } });
    if (response.status !== 200) throw new Error(`${pathname}: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Any request, with the session's cookies (for headers a browser would send, such as Referer). */
  async send(pathname: string, init: RequestInit): Promise<WebResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, headers: response.headers, html: await response.text() };
  }
}
