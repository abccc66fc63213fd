import { expect } from 'chai';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from '../web/web-client.ts';

const MINUTE = 60_000;

/** Web sessions end after a time without use (SESSION_IDLE_MINUTES) as well as at their absolute end. */
describe(`web session idle timeout (${TEST_DATABASE_KIND})`, function () {
  this.timeout(60_000);
  let server: TestServer;
  let start: number;

  const at = (minutes: number) => server.clock.set(new Date(start + minutes * MINUTE));
  const sessions = async () => {
    const user = (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!;
    return Number((await server.db('access_tokens').where({ user_id: user.id, kind: 'web-session' }).count({ n: '*' }).first())?.n);
  };

  afterEach(async () => {
    await server?.close();
  });

  async function signedIn(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<WebClient> {
    server = await startTestServer(overrides);
    start = Date.now();
    at(0);
    return WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
  }

  it('when a session is used within 30 minutes each time, then it goes on; after 31 idle minutes it has ended and its row is gone', async () => {
    const browser = await signedIn();
    at(29);
    expect((await browser.get('/agreements')).status).to.equal(200);
    at(58);
    expect((await browser.get('/agreements')).status, 'the use at 29 minutes moved the idle clock').to.equal(200);
    at(89);
    const ended = await browser.get('/agreements');
    expect(ended.status).to.equal(303);
    expect(ended.headers.get('location')).to.equal('/sign-in?next=%2Fagreements');
    expect(await sessions()).to.equal(0);
  });

  it('when SESSION_IDLE_MINUTES is 5, then six idle minutes end the session', async () => {
    const browser = await signedIn({ sessionIdleMinutes: 5 });
    at(4);
    expect((await browser.get('/agreements')).status).to.equal(200);
    at(10);
    expect((await browser.get('/agreements')).status).to.equal(303);
  });

  it('when a session is used all day, then it still ends at its absolute lifetime of 12 hours', async () => {
    const browser = await signedIn();
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      at(minutes);
      expect((await browser.get('/agreements')).status, `at ${minutes} minutes`).to.equal(200);
    }
    at(12 * 60 + 1);
    expect((await browser.get('/agreements')).status).to.equal(303);
  });
});
