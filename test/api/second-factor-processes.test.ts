import { expect } from 'chai';
import { Secret, TOTP } from 'otpauth';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, HAPPY_PATH } from '../support/execute-demo.ts';
import { DEMO_PASSWORD } from '../support/server.ts';
import { serverProcessesOnFreshDatabase } from '../support/server-process.ts';

/**
 * Wrong second-factor codes are counted in the database: real server processes (two at once on
 * PostgreSQL; on SQLite, one after the other) give a signatory five guesses in all, not five each.
 */
describe(`wrong second-factor codes counted across server processes (${TEST_DATABASE_KIND})`, function () {
  this.timeout(240_000);
  const processes = serverProcessesOnFreshDatabase();

  it('when five wrong codes are sent through different processes, then the right code is refused by every process', async () => {
    const first = await processes.start();
    const signatoryEmail = 'signatory@sverdlovsk.example';
    let version = 1;
    for (const [email, type] of HAPPY_PATH.slice(0, 5)) {
      const client = await ApiClient.signIn(first.baseUrl, email);
      const response = await client.post(`/api/agreements/${COOPERATION}/events`, { type, expectedVersion: version });
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      version = response.body.version;
    }
    const signatory = await ApiClient.signIn(first.baseUrl, signatoryEmail);
    const pending = await signatory.post('/api/account/second-factor', { password: DEMO_PASSWORD });
    expect(pending.status, JSON.stringify(pending.body)).to.equal(201);
    const app = new TOTP({ secret: Secret.fromBase32(pending.body.secret), algorithm: 'SHA1', digits: 6, period: 30 });
    expect((await signatory.post('/api/account/second-factor/confirm', { code: app.generate() })).status).to.equal(200);
    const near = new Set([-1, 0, 1].map((step) => app.generate({ timestamp: Date.now() + step * 30_000 })));
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555', '666666'].filter((code) => !near.has(code));

    const sign = (client: ApiClient, code: string): Promise<ApiResponse> =>
      client.post(`/api/agreements/${COOPERATION}/events`, { type: 'SIGN', expectedVersion: version, password: DEMO_PASSWORD, code });
    let clients: ApiClient[];
    if (TEST_DATABASE_KIND === 'postgres') {
      const second = await processes.start();
      clients = [signatory, await ApiClient.signIn(second.baseUrl, signatoryEmail)];
      for (let guess = 0; guess < 5; guess += 1) expect((await sign(clients[guess % 2]!, wrong[guess]!)).body.detail).to.match(/not right/);
    } else {
      for (let guess = 0; guess < 3; guess += 1) expect((await sign(signatory, wrong[guess]!)).body.detail).to.match(/not right/);
      await first.stop();
      const next = await processes.start();
      const again = await ApiClient.signIn(next.baseUrl, signatoryEmail);
      for (let guess = 3; guess < 5; guess += 1) expect((await sign(again, wrong[guess]!)).body.detail).to.match(/not right/);
      clients = [again];
    }
    for (const client of clients) {
      const refused = await sign(client, app.generate());
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body.detail).to.match(/Too many wrong codes/);
    }
    const state = await clients[0]!.get(`/api/agreements/${COOPERATION}`);
    expect(state.body.version).to.equal(version);
  });
});
