import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { ApiClient } from '../support/api-client.ts';
import { COOPERATION } from '../support/execute-demo.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from './web-client.ts';

describe('web: headers, CSRF, the sign-in throttle and error pages', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  describe('headers', () => {
    it('when a page is served, then its Content-Security-Policy allows only this server and no inline code', async () => {
      const { headers } = await new WebClient(server.baseUrl).get('/sign-in');
      const policy = headers.get('content-security-policy')!;
      expect(policy)
        .to.include("default-src 'none'")
        .and.include("script-src 'self'")
        .and.include("style-src 'self'")
        .and.include("frame-ancestors 'none'");
      expect(policy).to.not.match(/unsafe|https?:|\*/);
      expect(headers.get('x-content-type-options')).to.equal('nosniff');
      expect(headers.get('referrer-policy')).to.equal('same-origin');
    });

    it('when a user signs in, then the session cookie is HttpOnly and SameSite, and the API does not take it as a token', async () => {
      const client = new WebClient(server.baseUrl);
      const response = await client.postForm(
        '/sign-in',
        { email: 'legal@sverdlovsk.example', password: DEMO_PASSWORD },
        await client.csrfTokenOf('/sign-in'),
      );
      const cookie = response.headers.getSetCookie().find((header) => header.startsWith('bilateral_session='))!;
      expect(cookie)
        .to.match(/HttpOnly/)
        .and.match(/SameSite=Lax/);
      const token = /^bilateral_session=([^;]+)/.exec(cookie)![1]!;
      const api = await fetch(`${server.baseUrl}/api/agreements`, { headers: { authorization: `Bearer ${token}` } });
      expect(api.status).to.equal(401);
    });
  });

  describe('CSRF', () => {
    it('when a form is posted without its token, or with another session’s, then 403 and nothing changes', async () => {
      const legal = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
      const other = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
      const before = await storedAgreement(server.db, COOPERATION);
      const form = { type: 'SUBMIT', expectedVersion: '1' };
      for (const token of [undefined, '', await other.csrfTokenOf('/agreements')]) {
        const response = await legal.postForm(`/agreements/${COOPERATION}/events`, form, token);
        expect(response.status, String(token)).to.equal(403);
        expect(response.html)
          .to.include('<h1>Срок действия формы истёк</h1>')
          .and.not.match(/node_modules|\.ts:\d+/);
      }
      expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);

      const accepted = await legal.postForm(`/agreements/${COOPERATION}/events`, form, await legal.csrfTokenOf('/agreements'));
      expect(accepted.status).to.equal(303);
      expect(accepted.headers.get('location')).to.equal(`/agreements/${COOPERATION}`);
      expect((await server.db('agreements').where({ id: COOPERATION }).first()).state).to.equal('review');
    });

    it('when the sign-in form is posted without its token, then 403 and no session starts', async () => {
      const response = await new WebClient(server.baseUrl).postForm('/sign-in', {
        email: 'legal@sverdlovsk.example',
        password: DEMO_PASSWORD,
      });
      expect(response.status).to.equal(403);
      expect(response.headers.getSetCookie().some((header) => header.startsWith('bilateral_session='))).to.equal(false);
    });
  });

  describe('error pages', () => {
    it('when a page does not exist or the agreement is not the party’s, then a 404 page in the user’s language, without internals', async () => {
      const korean = await WebClient.signedIn(server.baseUrl, 'official@gyeonggi.example');
      for (const pathname of ['/agreements/999', '/no-such-page']) {
        const response = await korean.get(pathname);
        expect(response.status, pathname).to.equal(404);
        expect(response.headers.get('content-type')).to.match(/^text\/html/);
        expect(response.html)
          .to.include('<html lang="ko">')
          .and.include('찾을 수 없습니다')
          .and.not.match(/node_modules|\.ts:\d+/);
      }
    });

    it('when the Referer is a path on this site, then the error page links back to it; when it would lead off the site, then there is no back link', async () => {
      const client = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
      const backLinkFor = async (referer: string) => {
        const { status, html } = await client.send('/no-such-page', { method: 'GET', headers: { referer } });
        expect(status, referer).to.equal(404);
        return /<a class="button" href="([^"]*)"/.exec(html)?.[1];
      };

      expect(await backLinkFor(`${server.baseUrl}/agreements/${COOPERATION}`)).to.equal(`/agreements/${COOPERATION}`);
      // The parser reads "\\" as "/" in an http URL, so each of these is a path starting with "//".
      for (const path of ['//evil.example/steal', '/\\evil.example', '/\\/evil.example']) {
        expect(await backLinkFor(`${server.baseUrl}${path}`), path).to.equal(undefined);
      }
      for (const referer of ['//evil.example/steal', '/\\evil.example', 'https://evil.example/agreements', 'javascript:alert(1)']) {
        expect(await backLinkFor(referer), referer).to.equal(undefined);
      }
    });

    it('when sign-in is asked to go on to another site afterwards, then it goes to the agreements instead', async () => {
      for (const next of ['//evil.example/steal', '/\\evil.example', '/\t/evil.example', 'https://evil.example/']) {
        const client = new WebClient(server.baseUrl);
        const response = await client.postForm(
          '/sign-in',
          { email: 'legal@sverdlovsk.example', password: DEMO_PASSWORD, next },
          await client.csrfTokenOf('/sign-in'),
        );
        expect(response.status, next).to.equal(303);
        expect(response.headers.get('location'), next).to.equal('/agreements');
      }
    });

    it('when a font is asked for by the name of an Object.prototype member, then 404, and nothing is logged', async () => {
      const signedIn = await WebClient.signedIn(server.baseUrl, 'observer@gyeonggi.example');
      for (const client of [new WebClient(server.baseUrl), signedIn]) {
        for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'no-such-font.ttf']) {
          const response = await client.get(`/assets/fonts/${name}`);
          expect(response.status, name).to.equal(404);
          expect(response.html, name).to.not.match(/node_modules|\.ts:\d+|TypeError/);
        }
      }
      // server.close() fails the suite if anything was logged, as a 500 would be.
    });

    it('when an anonymous visitor opens a page, then they are sent to sign in and back', async () => {
      const response = await new WebClient(server.baseUrl).get(`/agreements/${COOPERATION}`);
      expect(response.status).to.equal(303);
      expect(response.headers.get('location')).to.equal(`/sign-in?next=${encodeURIComponent(`/agreements/${COOPERATION}`)}`);
    });
  });

  describe('the sign-in throttle (last: it locks this server’s address)', () => {
    it('when an account has five failed attempts, then even the right password is refused with 429, on the web and the API alike', async () => {
      const visitor = new WebClient(server.baseUrl);
      const token = await visitor.csrfTokenOf('/sign-in');
      for (let attempt = 0; attempt < 5; attempt++) {
        expect((await visitor.postForm('/sign-in', { email: 'signatory@gyeonggi.example', password: 'wrong' }, token)).status).to.equal(
          401,
        );
      }
      const locked = await visitor.postForm('/sign-in', { email: 'signatory@gyeonggi.example', password: DEMO_PASSWORD }, token);
      expect(locked.status).to.equal(429);
      expect(Number(locked.headers.get('retry-after'))).to.be.greaterThan(0);
      expect(locked.html).to.include('Too many failed attempts');
      const api = await new ApiClient(server.baseUrl).post('/api/sessions', {
        email: 'signatory@gyeonggi.example',
        password: DEMO_PASSWORD,
      });
      expect(api.status).to.equal(429);
      expect(api.contentType).to.match(/^application\/problem\+json/);
      expect(api.body).to.include({ status: 429, code: 'TOO_MANY_REQUESTS' });
      // Another account is not locked by it.
      expect((await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example')) instanceof ApiClient).to.equal(true);
    });

    it('when one address fails thirty times across accounts, then it is refused for every account', async () => {
      const api = new ApiClient(server.baseUrl);
      let status = 0;
      for (let attempt = 0; attempt < 30 && status !== 429; attempt++) {
        status = (await api.post('/api/sessions', { email: `nobody-${attempt}@nowhere.example`, password: 'wrong' })).status;
      }
      expect(status).to.equal(429);
      expect((await api.post('/api/sessions', { email: 'legal@gyeonggi.example', password: DEMO_PASSWORD })).status).to.equal(429);
    });
  });

  describe('X-Forwarded-For (each test on a server of its own: it locks that server’s addresses)', () => {
    const signIn = (target: TestServer, forwardedFor: string, email: string, password = 'wrong') =>
      fetch(`${target.baseUrl}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ email, password }),
      }).then((response) => response.status);
    /** Thirty failed sign-ins, each claiming to come from another address. */
    const failFromThirtyAddresses = async (target: TestServer) => {
      const statuses = [];
      for (let attempt = 0; attempt < 30; attempt++)
        statuses.push(await signIn(target, `198.51.100.${attempt + 1}`, `nobody-${attempt}@nowhere.example`));
      return statuses;
    };
    let own: TestServer | undefined;
    afterEach(async () => {
      await own?.close();
      own = undefined;
    });

    it('when no proxy is configured, then a client on this host cannot choose its throttle bucket with X-Forwarded-For', async () => {
      own = await startTestServer();
      expect(new Set(await failFromThirtyAddresses(own))).to.deep.equal(new Set([401]));
      expect(
        await signIn(own, '203.0.113.99', 'legal@gyeonggi.example', DEMO_PASSWORD),
        'the thirty counted against the one real address',
      ).to.equal(429);
    });

    it('when the operator trusts the loopback proxy, then its X-Forwarded-For names the client', async () => {
      own = await startTestServer({ trustProxy: loadConfig({ BILATERAL_SECRET: 'ab'.repeat(32), TRUST_PROXY: 'loopback' }).trustProxy });
      for (let attempt = 0; attempt < 30; attempt++)
        expect(await signIn(own, '203.0.113.7', `nobody-${attempt}@nowhere.example`)).to.equal(401);
      expect(await signIn(own, '203.0.113.7', 'legal@gyeonggi.example', DEMO_PASSWORD)).to.equal(429);
      expect(await signIn(own, '203.0.113.8', 'legal@gyeonggi.example', DEMO_PASSWORD), 'another client behind the proxy').to.equal(201);
    });

    it('when TRUST_PROXY is not a list of addresses, networks or express’s names, then the configuration is refused naming it', () => {
      const environment = { NODE_ENV: 'production', BILATERAL_SECRET: 'ab'.repeat(32) };
      expect(loadConfig(environment).trustProxy).to.deep.equal([]);
      expect(loadConfig({ ...environment, TRUST_PROXY: ' loopback, 10.0.0.0/8 ,192.0.2.1' }).trustProxy).to.deep.equal([
        'loopback',
        '10.0.0.0/8',
        '192.0.2.1',
      ]);
      for (const value of ['true', '*', '10.0.0.0/40'])
        expect(() => loadConfig({ ...environment, TRUST_PROXY: value }), value).to.throw(/TRUST_PROXY/);
    });
  });
});
