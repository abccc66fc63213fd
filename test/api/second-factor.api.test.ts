import { expect } from 'chai';
import { Secret, TOTP } from 'otpauth';
import { findUserByEmail } from '../../db/repositories/users.repository.ts';
import { loadConfig } from '../../server/config.ts';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { storedAgreement } from '../support/snapshot.ts';

const TO_SIGNING = HAPPY_PATH.slice(0, 5);
const STEP_MS = 30_000;

function ok(response: ApiResponse, status = 200) {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  return response.body;
}

function refused(response: ApiResponse, status: number, code: string, detail: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.body).to.include({ code, field: 'code' });
  expect(response.body.detail).to.match(detail);
}

/** The code an authenticator app shows at the server's time, computed here from the secret the enrolment gave. */
function codeAt(server: TestServer, secret: string): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: server.clock.now().getTime() });
}

/** Any six digits the app does not show now, nor one step either side. */
function wrongCode(server: TestServer, secret: string): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  const now = server.clock.now().getTime();
  const near = new Set([-1, 0, 1].map((step) => totp.generate({ timestamp: now + step * STEP_MS })));
  for (let guess = 0; ; guess += 1) {
    const candidate = String(guess).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

function advance(server: TestServer, steps = 1): void {
  server.clock.set(new Date(server.clock.now().getTime() + steps * STEP_MS));
}

async function enrol(server: TestServer, client: ApiClient): Promise<{ secret: string; recoveryCodes: string[] }> {
  const pending = ok(await client.post('/api/account/second-factor', { password: DEMO_PASSWORD }), 201);
  expect(pending.otpauthUrl).to.match(/^otpauth:\/\/totp\/Bilateral:/);
  expect(pending.qrSvg).to.match(/^<svg[\s\S]*<\/svg>\s*$/);
  const confirmed = ok(await client.post('/api/account/second-factor/confirm', { code: codeAt(server, pending.secret) }));
  expect(confirmed.recoveryCodes).to.have.length(10);
  return { secret: pending.secret, recoveryCodes: confirmed.recoveryCodes };
}

async function userId(server: TestServer, email: string): Promise<number> {
  return (await findUserByEmail(server.db, email))!.id;
}

async function version(client: ApiClient): Promise<number> {
  return ok(await client.get(`/api/agreements/${COOPERATION}`)).version;
}

function sign(client: ApiClient, expectedVersion: number, code?: string) {
  return client.post(`/api/agreements/${COOPERATION}/events`, {
    type: 'SIGN',
    expectedVersion,
    password: DEMO_PASSWORD,
    ...(code !== undefined && { code }),
  });
}

describe(`a second factor for signing (TOTP) (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let signatory: ApiClient;
  let enrolled: { secret: string; recoveryCodes: string[] };

  before(async () => {
    server = await startTestServer();
    server.clock.set(new Date());
    await runEvents(server, COOPERATION, TO_SIGNING);
    signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
  });
  after(async () => server?.close());

  it('when the signatory enrols, then the secret rests sealed, the recovery codes hashed, and the enrolment is in the security log', async () => {
    expect(ok(await signatory.get('/api/account/second-factor'))).to.include({ enrolled: false, required: false });
    enrolled = await enrol(server, signatory);
    expect(ok(await signatory.get('/api/account/second-factor'))).to.include({ enrolled: true, recoveryCodesLeft: 10 });
    const id = await userId(server, 'signatory@sverdlovsk.example');
    const stored = JSON.stringify([
      await server.db('second_factors').where({ user_id: id }),
      await server.db('recovery_codes').where({ user_id: id }),
    ]);
    expect(stored).to.not.include(enrolled.secret);
    for (const code of enrolled.recoveryCodes) expect(stored).to.not.include(code.slice(6));
    const log = await server.db('account_security_events').where({ user_id: id });
    expect(log.map((row) => [row.event, row.actor_user_id])).to.deep.equal([['second-factor.enrolled', id]]);
    // Enrolled once: a second enrolment must disable this one first.
    expect((await signatory.post('/api/account/second-factor', { password: DEMO_PASSWORD })).status).to.equal(409);
  });

  it('when SIGN comes with the password but no code, then 422 naming "code" and nothing changes', async () => {
    const before = await storedAgreement(server.db, COOPERATION);
    refused(await sign(signatory, await version(signatory)), 422, 'RULE_VIOLATION', /code/);
    expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
  });

  it('when the code is the one the enrolment was confirmed with, then it is refused as used', async () => {
    const before = await storedAgreement(server.db, COOPERATION);
    refused(await sign(signatory, await version(signatory), codeAt(server, enrolled.secret)), 403, 'FORBIDDEN', /used already/);
    expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
  });

  it('when the code is wrong, then 403, nothing changes, and the wrong code is counted in the database', async () => {
    advance(server);
    const id = await userId(server, 'signatory@sverdlovsk.example');
    const failures = async () => (await server.db('second_factor_attempts').where({ user_id: id })).map((row) => Number(row.failures));
    const [counted] = await failures();
    const before = await storedAgreement(server.db, COOPERATION);
    refused(await sign(signatory, await version(signatory), wrongCode(server, enrolled.secret)), 403, 'FORBIDDEN', /not right/);
    expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
    expect(await failures()).to.deep.equal([counted! + 1]);
  });

  it('when the code is right, then the signature is made, and the same code sent again is refused', async () => {
    const code = codeAt(server, enrolled.secret);
    const at = await version(signatory);
    expect(ok(await sign(signatory, at, code))).to.deep.equal({ state: 'signing', version: at + 1 });
    const audit = await server.db('audit_events').where({ agreement_id: COOPERATION, event: 'SIGN' });
    expect(JSON.stringify(audit)).to.not.include(code);
    const counted = await server.db('second_factor_attempts').where({ user_id: await userId(server, 'signatory@sverdlovsk.example') });
    expect(counted.map((row) => Number(row.failures))).to.deep.equal([0]);
    // The replay, where the policy lets it through to the code: disabling asks for a code too.
    refused(
      await signatory.request('DELETE', '/api/account/second-factor', { password: DEMO_PASSWORD, code }),
      403,
      'FORBIDDEN',
      /used already/,
    );
  });

  it("when another party's administrator resets the signatory's second factor, then 404 and it stays", async () => {
    const stranger = await ApiClient.signIn(server.baseUrl, 'admin@gyeonggi.example');
    const id = await userId(server, 'signatory@sverdlovsk.example');
    expect((await stranger.request('DELETE', `/api/users/${id}/second-factor`)).status).to.equal(404);
    expect(await server.db('second_factors').where({ user_id: id })).to.have.length(1);
    const notAdministrator = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    expect((await notAdministrator.request('DELETE', `/api/users/${id}/second-factor`)).status).to.equal(403);
    expect(await server.db('account_security_events').where({ user_id: id, event: 'second-factor.reset' })).to.have.length(0);
  });

  it('when the party administrator resets it, then it is gone, the signatory may enrol again, and the reset is in the log with who did it', async () => {
    const administrator = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    const id = await userId(server, 'signatory@sverdlovsk.example');
    ok(await administrator.request('DELETE', `/api/users/${id}/second-factor`), 204);
    expect(await server.db('second_factors').where({ user_id: id })).to.have.length(0);
    expect(await server.db('recovery_codes').where({ user_id: id })).to.have.length(0);
    const log = await server.db('account_security_events').where({ user_id: id }).orderBy('id');
    expect(log.map((row) => row.event)).to.deep.equal(['second-factor.enrolled', 'second-factor.reset']);
    expect(log[1].actor_user_id).to.equal(await userId(server, 'admin@sverdlovsk.example'));
    expect(ok(await signatory.get('/api/account/second-factor'))).to.include({ enrolled: false });
  });

  it('when the other signatory signs with a recovery code, then it works once: the same code is refused afterwards', async () => {
    const other = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
    const { recoveryCodes } = await enrol(server, other);
    const at = await version(other);
    expect(ok(await sign(other, at, recoveryCodes[3]))).to.deep.equal({ state: 'executed', version: at + 1 });
    const id = await userId(server, 'signatory@gyeonggi.example');
    expect(ok(await other.get('/api/account/second-factor'))).to.include({ recoveryCodesLeft: 9 });
    refused(
      await other.request('DELETE', '/api/account/second-factor', { password: DEMO_PASSWORD, code: recoveryCodes[3] }),
      403,
      'FORBIDDEN',
      /not right/,
    );
    ok(await other.request('DELETE', '/api/account/second-factor', { password: DEMO_PASSWORD, code: recoveryCodes[4] }), 204);
    const log = await server.db('account_security_events').where({ user_id: id }).orderBy('id');
    expect(log.map((row) => row.event)).to.deep.equal([
      'second-factor.enrolled',
      'second-factor.recovery-code-used',
      'second-factor.recovery-code-used',
      'second-factor.disabled',
    ]);
  });
});

describe(`a second factor required by configuration (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ requireSecondFactor: ['signatory', 'admin'] });
    server.clock.set(new Date());
    await runEvents(server, COOPERATION, TO_SIGNING);
  });
  after(async () => server?.close());

  it('when a signatory who has not enrolled signs, then 403 sends them to enrol, and nothing changes', async () => {
    const signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
    expect(ok(await signatory.get('/api/account/second-factor'))).to.include({ enrolled: false, required: true });
    const before = await storedAgreement(server.db, COOPERATION);
    refused(await sign(signatory, await version(signatory)), 403, 'FORBIDDEN', /enrol/);
    expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
  });

  it('when five wrong codes were sent, then even the right one is refused for a while, and the required factor cannot be disabled', async () => {
    const signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
    const { secret } = await enrol(server, signatory);
    advance(server);
    const at = await version(signatory);
    for (let guess = 0; guess < 5; guess += 1) refused(await sign(signatory, at, wrongCode(server, secret)), 403, 'FORBIDDEN', /not right/);
    const before = await storedAgreement(server.db, COOPERATION);
    refused(await sign(signatory, at, codeAt(server, secret)), 403, 'FORBIDDEN', /Too many wrong codes/);
    expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
    const disable = await signatory.request('DELETE', '/api/account/second-factor', {
      password: DEMO_PASSWORD,
      code: codeAt(server, secret),
    });
    expect(disable.status).to.equal(422);
    expect(disable.body.detail).to.match(/must keep a second factor/);
  });
});

describe('REQUIRE_SECOND_FACTOR', () => {
  const production = { BILATERAL_SECRET: 'ab'.repeat(32) };
  it('when it is unset, then signatories and administrators must enrol in production and nobody in the demo', () => {
    expect(loadConfig(production).requireSecondFactor).to.deep.equal(['signatory', 'admin']);
    expect(loadConfig({ ...production, BILATERAL_DEMO: '1' }).requireSecondFactor).to.deep.equal([]);
  });
  it('when it lists roles or says none, then that is the requirement; an unknown role stops the start naming it', () => {
    expect(loadConfig({ ...production, REQUIRE_SECOND_FACTOR: ' signatory , legal' }).requireSecondFactor).to.deep.equal([
      'signatory',
      'legal',
    ]);
    expect(loadConfig({ ...production, REQUIRE_SECOND_FACTOR: 'none' }).requireSecondFactor).to.deep.equal([]);
    expect(() => loadConfig({ ...production, REQUIRE_SECOND_FACTOR: 'signatory,clerk' })).to.throw(/REQUIRE_SECOND_FACTOR/);
  });
});
