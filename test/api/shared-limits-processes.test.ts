import { expect } from 'chai';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { DEMO_PASSWORD } from '../support/server.ts';
import { serverProcessesOnFreshDatabase, type ServerProcess } from '../support/server-process.ts';

/**
 * The sign-in throttle and the signing-password counter are kept in the database: real server
 * processes (two at once on PostgreSQL; on SQLite, one after the other, the second on the first's
 * database) give five wrong passwords in all, not five each.
 */
describe(`sign-in and signing-password limits shared by server processes (${TEST_DATABASE_KIND})`, function () {
  this.timeout(240_000);
  const processes = serverProcessesOnFreshDatabase();

  /**
   * Sends `send` five times spread over two processes and returns the processes that are running at
   * the end, so the test asks each of them what the count is now.
   */
  async function fiveAcrossProcesses(
    first: ServerProcess,
    send: (baseUrl: string, guess: number) => Promise<void>,
  ): Promise<ServerProcess[]> {
    if (TEST_DATABASE_KIND === 'postgres') {
      const second = await processes.start();
      const both = [first, second];
      for (let guess = 0; guess < 5; guess += 1) await send(both[guess % 2]!.baseUrl, guess);
      return both;
    }
    for (let guess = 0; guess < 3; guess += 1) await send(first.baseUrl, guess);
    await first.stop();
    const next = await processes.start();
    for (let guess = 3; guess < 5; guess += 1) await send(next.baseUrl, guess);
    return [next];
  }

  it('when five wrong sign-in and five wrong signing passwords reach different processes, then the right ones are refused by every process', async () => {
    const first = await processes.start();
    const version = await runEvents(first, COOPERATION, HAPPY_PATH.slice(0, 5));
    const guessedEmail = 'legal@gyeonggi.example';
    const signIn = (baseUrl: string, password: string): Promise<ApiResponse> =>
      new ApiClient(baseUrl).post('/api/sessions', { email: guessedEmail, password });
    const signatoryEmail = 'signatory@sverdlovsk.example';
    const sign = async (baseUrl: string, password: string): Promise<ApiResponse> =>
      (await ApiClient.signIn(baseUrl, signatoryEmail)).post(`/api/agreements/${COOPERATION}/events`, {
        type: 'SIGN',
        expectedVersion: version,
        password,
      });

    const running = await fiveAcrossProcesses(first, async (baseUrl, guess) => {
      expect((await signIn(baseUrl, `wrong password ${guess}`)).status).to.equal(401);
      const wrong = await sign(baseUrl, `wrong password ${guess}`);
      expect(wrong.status, JSON.stringify(wrong.body)).to.equal(403);
      expect(wrong.body.detail).to.match(/not yours/);
    });

    for (const server of running) {
      const throttled = await signIn(server.baseUrl, DEMO_PASSWORD);
      expect(throttled.status, JSON.stringify(throttled.body)).to.equal(429);
      expect(Number(throttled.headers.get('retry-after'))).to.be.greaterThan(0);
      const refused = await sign(server.baseUrl, DEMO_PASSWORD);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body.detail).to.match(/Too many wrong passwords/);
    }
    // Another account from the same address is not locked by the five guesses.
    await ApiClient.signIn(running[0]!.baseUrl, 'official@gyeonggi.example');
    const agreement = await (await ApiClient.signIn(running[0]!.baseUrl, signatoryEmail)).get(`/api/agreements/${COOPERATION}`);
    expect(agreement.body).to.include({ version, state: 'signing' });
  });
});
