import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { lifecycleHandlers } from '../../server/lifecycle/lifecycle-handlers.ts';
import { addMonths } from '../../server/lifecycle/lifecycle-plan.ts';
import { createScheduler } from '../../server/scheduler/scheduler.ts';
import { upgradeWorkflow, step } from '../../workflows/agreement/agreement.workflow.ts';
import { AGREEMENT_MACHINE_VERSION } from '../../workflows/agreement/agreement.machine.ts';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';

const SIGNING_DAY = '2026-03-02';
/** The demo's happy path: up to signing, then both signatures. */
const TO_SIGNING = HAPPY_PATH.slice(0, 5);
const SIGNATURES = HAPPY_PATH.slice(5);

describe(`lifecycle after signature (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  const scheduler = () =>
    createScheduler(server.deps, { handlers: lifecycleHandlers(() => undefined), processId: 'lifecycle-test', log: () => undefined });
  /** Sets the clock to a day and runs the scheduler as a running server would, tick after tick, until nothing is due. */
  const at = async (day: string) => {
    server.clock.set(`${day}T10:00:00Z`);
    let handled = 0;
    for (let tick = await scheduler().runOnce(); tick > 0; tick = await scheduler().runOnce()) handled += tick;
    return handled;
  };
  /** Signs in at the clock's current time (a token lives for hours, and the tests travel years). */
  const as = (email: string) => ApiClient.signIn(server.baseUrl, email);
  const agreement = async (id: number) => (await (await as('legal@sverdlovsk.example')).get(`/api/agreements/${id}`)).body;
  const dates = async (id: number) =>
    server.db('agreements').where({ id }).first('state', 'in_force_on', 'expires_on', 'notice_deadline_on', 'terminates_on');

  /**
   * An agreement of cooperation with these variables, carried to execution on the signing day. It enters
   * into force on signature unless the variables say otherwise (with a Russian party the default is the
   * later of the notifications, which the tests of notifications ask for by name).
   */
  async function executed(variables: Record<string, unknown>): Promise<number> {
    server.clock.set(`${SIGNING_DAY}T09:00:00Z`);
    const { id } = (
      await (
        await as('legal@sverdlovsk.example')
      ).post('/api/agreements', {
        kind: 'cooperation-agreement',
        variables: { entryIntoForce: 'signature', ...variables },
      })
    ).body;
    await runEvents(server, id, HAPPY_PATH);
    return id;
  }

  it('when signed with entry into force on signature, then the scheduler puts it in force that day and sets the term and notice dates', async () => {
    const id = await executed({ termYears: 5, noticeMonths: 6, autoRenewal: true });
    await at(SIGNING_DAY);
    const row = await dates(id);
    expect(row).to.deep.include({
      state: 'in-force',
      in_force_on: SIGNING_DAY,
      expires_on: '2031-03-02',
      notice_deadline_on: '2030-09-02',
    });
    expect(await at(SIGNING_DAY)).to.equal(0);
  });

  it('when it is in force, then each original still downloads as the stored signed file, and verification calls it final', async () => {
    const id = await executed({ termYears: 5, autoRenewal: true });
    const download = async () => (await as('official@sverdlovsk.example')).get(`/api/agreements/${id}/pdf?original=sverdlovsk`);
    const signed = await download();
    await at(SIGNING_DAY);
    expect((await agreement(id)).state).to.equal('in-force');
    const later = await download();
    expect(later.headers.get('content-disposition')).to.include(`agreement-${id}-sverdlovsk-signed.pdf`);
    expect(later.bytes.equals(signed.bytes), 'the stored file, not a new draft').to.equal(true);
    const session = await fetch(`${server.baseUrl}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'official@sverdlovsk.example', password: DEMO_PASSWORD }),
    });
    const { token } = (await session.json()) as { token: string };
    const verification = await fetch(`${server.baseUrl}/api/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: later.bytes,
    });
    expect(((await verification.json()) as { knownOriginal: unknown }).knownOriginal).to.include({
      agreementId: id,
      state: 'in-force',
      final: true,
    });
  });

  it('when a term ends with no notice and automatic renewal, then it renews for another term, exactly once', async () => {
    const id = await executed({ termYears: 5, autoRenewal: true });
    await at(SIGNING_DAY);
    await at('2031-03-01');
    expect((await dates(id)).expires_on).to.equal('2031-03-02');
    await at('2031-03-02');
    expect(await dates(id)).to.deep.include({ state: 'in-force', expires_on: '2036-03-02', notice_deadline_on: '2035-09-02' });
    expect((await agreement(id)).state).to.equal('in-force');
    const audit = (await (await as('legal@sverdlovsk.example')).get(`/api/agreements/${id}/audit`)).body;
    expect(audit.filter((entry: { event: string }) => entry.event === 'RENEW')).to.have.length(1);
    expect(audit.at(-1)).to.include({ actor: 'scheduler', role: 'system' });
  });

  it('when the server was down past several dates, then it catches up in order on the next run', async () => {
    const id = await executed({ termYears: 1, autoRenewal: true });
    // Nothing ran on the signing day or at the first term end: the first run a year and a half later does both.
    await at('2027-09-15');
    expect(await dates(id)).to.deep.include({ state: 'in-force', expires_on: '2028-03-02' });
  });

  it('when a party gives notice in time, then the agreement ends with its term instead of renewing', async () => {
    const id = await executed({ termYears: 5, noticeMonths: 6, autoRenewal: true });
    await at(SIGNING_DAY);
    server.clock.set('2030-06-01T10:00:00Z');
    const { version } = await agreement(id);
    const notice = await (await as('official@gyeonggi.example')).post(`/api/agreements/${id}/events`, {
      type: 'GIVE_NOTICE',
      expectedVersion: version,
      date: '2030-06-01',
    });
    expect(notice.status, JSON.stringify(notice.body)).to.equal(200);
    expect(await dates(id)).to.deep.include({ state: 'in-force', terminates_on: '2031-03-02' });
    await at('2031-03-02');
    expect((await dates(id)).state).to.equal('terminated');
  });

  it('when there is no automatic renewal, then a notice takes effect after the notice period, and without one the agreement expires', async () => {
    const noticed = await executed({ termYears: 3, noticeMonths: 2, autoRenewal: false });
    await at(SIGNING_DAY);
    server.clock.set('2027-01-10T10:00:00Z');
    const { version } = await agreement(noticed);
    expect(
      (
        await (
          await as('official@gyeonggi.example')
        ).post(`/api/agreements/${noticed}/events`, { type: 'GIVE_NOTICE', expectedVersion: version })
      ).status,
    ).to.equal(200);
    expect((await dates(noticed)).terminates_on).to.equal('2027-03-10');
    await at('2027-03-10');
    expect((await dates(noticed)).state).to.equal('terminated');

    const lapsing = await executed({ termYears: 3, autoRenewal: false });
    await at(SIGNING_DAY);
    await at('2029-03-02');
    expect((await dates(lapsing)).state).to.equal('expired');
  });

  it('when it enters into force on notifications, then it is in force from the later of the two', async () => {
    const id = await executed({ entryIntoForce: 'notifications', termYears: 5 });
    server.clock.set('2026-05-20T10:00:00Z');
    const legalGyeonggi = await as('legal@gyeonggi.example');
    const legal = await as('legal@sverdlovsk.example');
    let { version } = await agreement(id);
    // Sverdlovsk's notification is its state registration, recorded as registered on that day.
    const first = await legal.put(`/api/agreements/${id}/registrations/sverdlovsk`, {
      authority: 'Министерство юстиции Российской Федерации',
      number: `RU66-2026-${id}`,
      registeredOn: '2026-05-18',
      expectedVersion: version,
    });
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect((await agreement(id)).state).to.equal('executed');
    version += 1;
    const future = await legalGyeonggi.post(`/api/agreements/${id}/events`, {
      type: 'NOTIFY_COMPLETION',
      expectedVersion: version,
      date: '2026-06-01',
    });
    expect(future.status).to.equal(422);
    const second = await legalGyeonggi.post(`/api/agreements/${id}/events`, {
      type: 'NOTIFY_COMPLETION',
      expectedVersion: version,
      date: '2026-04-30',
    });
    expect(second.status, JSON.stringify(second.body)).to.equal(200);
    expect(await dates(id)).to.deep.include({ state: 'in-force', in_force_on: '2026-05-18', expires_on: '2031-05-18' });
  });

  it('when a notification or notice is dated before the last signature or after tomorrow, then 422 naming the date and range, and nothing changes', async () => {
    const id = await executed({ entryIntoForce: 'notifications', termYears: 5 });
    server.clock.set('2026-05-20T10:00:00Z');
    const legal = await as('legal@gyeonggi.example');
    const { version } = await agreement(id);
    const before = await storedAgreement(server.db, id);
    for (const date of ['1900-01-01', '2026-03-01', '2026-05-22']) {
      const refused = await legal.post(`/api/agreements/${id}/events`, { type: 'NOTIFY_COMPLETION', expectedVersion: version, date });
      expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
      expect(refused.body).to.include({ code: 'RULE_VIOLATION', date, earliest: SIGNING_DAY, latest: '2026-05-21' });
      expect(refused.body.detail).to.include(date).and.include(SIGNING_DAY).and.include('2026-05-21');
    }
    expect(await storedAgreement(server.db, id)).to.equal(before);
    // The signing day itself and tomorrow (by a clock ahead of UTC) are in range.
    expect(
      (await legal.post(`/api/agreements/${id}/events`, { type: 'NOTIFY_COMPLETION', expectedVersion: version, date: SIGNING_DAY })).status,
    ).to.equal(200);
    // Sverdlovsk's, by its registration, dated tomorrow.
    const sverdlovsk = await as('legal@sverdlovsk.example');
    const tomorrow = await sverdlovsk.put(`/api/agreements/${id}/registrations/sverdlovsk`, {
      authority: 'Министерство юстиции Российской Федерации',
      number: `RU66-2026-${id}`,
      registeredOn: '2026-05-21',
      expectedVersion: version + 1,
    });
    expect(tomorrow.status, JSON.stringify(tomorrow.body)).to.equal(200);
    expect(await dates(id)).to.deep.include({ in_force_on: '2026-05-21', expires_on: '2031-05-21' });
  });

  it('when a notice is dated the year 1900, then 422 and the scheduler does not terminate the agreement', async () => {
    const id = await executed({ termYears: 5, noticeMonths: 6, autoRenewal: false });
    await at(SIGNING_DAY);
    const official = await as('official@gyeonggi.example');
    const { version } = await agreement(id);
    const refused = await official.post(`/api/agreements/${id}/events`, {
      type: 'GIVE_NOTICE',
      expectedVersion: version,
      date: '1900-01-01',
    });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
    expect(refused.body.detail).to.include('1900-01-01');
    await at(SIGNING_DAY);
    expect(await dates(id)).to.deep.include({ state: 'in-force', terminates_on: null });
  });

  it('when the agreement names a party to sign first, then the other party cannot sign before it', async () => {
    server.clock.set(`${SIGNING_DAY}T09:00:00Z`);
    const { id } = (
      await (
        await as('legal@sverdlovsk.example')
      ).post('/api/agreements', { kind: 'letter-of-intent', variables: { firstSigner: 'gyeonggi' } })
    ).body;
    const version = await runEvents(server, id, TO_SIGNING);
    const early = await (await as('signatory@sverdlovsk.example')).post(`/api/agreements/${id}/events`, {
      type: 'SIGN',
      expectedVersion: version,
    });
    expect(early.status).to.equal(409);
    expect((await agreement(id)).signatures).to.deep.equal([]);
    await runEvents(server, id, [
      ['signatory@gyeonggi.example', 'SIGN', 'signing'],
      ['signatory@sverdlovsk.example', 'SIGN', 'executed'],
    ]);
  });

  it('when an agreement was saved by the previous machine version, then it loads and continues to execution and into force', async () => {
    const saved = JSON.parse(readFileSync(new URL('../fixtures/workflows/agreement-v1-signing.json', import.meta.url), 'utf8'));
    const upgraded = upgradeWorkflow(saved.workflow, saved.machineVersion);
    const signed = step(upgraded, { type: 'SIGN', actor: { party: 'sverdlovsk', role: 'signatory' } });
    expect(signed.accepted && signed.next.value).to.equal('executed');
    const inForce =
      signed.accepted && step(signed.next, { type: 'ENTER_INTO_FORCE', actor: { party: '*', role: 'system' }, date: '2026-01-01' });
    expect(inForce !== false && inForce.accepted && inForce.next.context.inForceSince).to.equal('2026-01-01');

    // The same through the database: a row written by version 1 is read through the upgrade.
    server.clock.set(`${SIGNING_DAY}T09:00:00Z`);
    const { id } = (await (await as('legal@sverdlovsk.example')).post('/api/agreements', { kind: 'letter-of-intent' })).body;
    await runEvents(server, id, TO_SIGNING);
    await server
      .db('agreements')
      .where({ id })
      .update({
        machine_version: 1,
        snapshot: JSON.stringify({ ...saved.workflow, context: { ...saved.workflow.context, signedBy: [] } }),
      });
    await runEvents(server, id, SIGNATURES);
    expect((await server.db('agreements').where({ id }).first()).machine_version).to.equal(AGREEMENT_MACHINE_VERSION);
    await at(SIGNING_DAY);
    expect((await dates(id)).state).to.equal('in-force');
  });

  it('when a letter of intent, which states no term, enters into force, then it has no end of term and no last day for notice', async () => {
    server.clock.set(`${SIGNING_DAY}T09:00:00Z`);
    const { id } = (await (await as('legal@sverdlovsk.example')).post('/api/agreements', { kind: 'letter-of-intent' })).body;
    await runEvents(server, id, HAPPY_PATH);
    await at(SIGNING_DAY);
    expect(await dates(id)).to.deep.include({ state: 'in-force', in_force_on: SIGNING_DAY, expires_on: null, notice_deadline_on: null });
    expect(await server.db('scheduled_events').where({ agreement_id: id, kind: 'term-end' })).to.deep.equal([]);
  });

  it('when a binding agreement with a Russian party is created with the defaults, then it enters into force on the later notification', async () => {
    server.clock.set(`${SIGNING_DAY}T09:00:00Z`);
    const created = (await (await as('legal@gyeonggi.example')).post('/api/agreements', { kind: 'twinning-agreement' })).body;
    expect(created.variables.entryIntoForce).to.equal('notifications');
    const id = created.id;
    await runEvents(server, id, HAPPY_PATH);
    await at(SIGNING_DAY);
    expect((await dates(id)).state).to.equal('executed');
  });

  it('when a binding agreement continues a letter of intent, then it enters into force by notifications; a protocol to the letter as the letter does', async () => {
    server.clock.set(`${SIGNING_DAY}T09:00:00Z`);
    const legal = await as('legal@sverdlovsk.example');
    const letter = (await legal.post('/api/agreements', { kind: 'letter-of-intent' })).body;
    await runEvents(server, letter.id, HAPPY_PATH);
    const continuing = (await legal.post('/api/agreements', { kind: 'cooperation-agreement', basedOn: letter.id })).body;
    expect(continuing.variables.entryIntoForce).to.equal('notifications');
    const protocol = (await legal.post('/api/agreements', { kind: 'amendment', basedOn: letter.id })).body;
    expect(protocol.variables.entryIntoForce).to.equal('signature');
  });

  it('when dates are computed, then month ends clamp', () => {
    expect(addMonths('2024-01-31', 1)).to.equal('2024-02-29');
    expect(addMonths('2031-03-02', -6)).to.equal('2030-09-02');
  });
});

describe(`amendments (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('when an executed agreement is amended, then the amendment has its own workflow and the base agreement shows it', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    expect((await legal.post('/api/agreements', { kind: 'amendment' })).status).to.equal(422);
    const amendment = await legal.post('/api/agreements', { kind: 'amendment', basedOn: 1 });
    expect(amendment.status, JSON.stringify(amendment.body)).to.equal(201);
    expect(amendment.body).to.include({ kind: 'amendment', state: 'drafting', basedOn: 1 });
    expect(amendment.body.clauses.map((clause: { key: string }) => clause.key)).to.include('amended-provisions');
    const provisions = amendment.body.clauses.find((clause: { key: string }) => clause.key === 'amended-provisions');
    expect(provisions.texts.ko).to.include('basedOn.title');
    // The title names what it amends, by subject and date, as protocols' titles do.
    expect(amendment.body.variables.subject).to.deep.equal({
      en: 'on Modifications to the Letter of Intent between Them on the Development of Inter-Regional Cooperation of 14 June 2012',
      ru: 'о внесении изменений в Письмо о намерениях между ними о развитии межрегионального сотрудничества от 14 июня 2012\u00a0г.',
      ko: '2012년 6월 14일에 서명된 상호 협력 발전에 관한 의향서의 수정에 관한',
    });
    await runEvents(server, amendment.body.id, [
      ['legal@gyeonggi.example', 'SUBMIT', 'review'],
      ['legal@gyeonggi.example', 'APPROVE', 'review'],
      ['legal@sverdlovsk.example', 'APPROVE', 'approval'],
      ['official@gyeonggi.example', 'APPROVE', 'approval'],
      ['official@sverdlovsk.example', 'APPROVE', 'signing'],
      ['signatory@gyeonggi.example', 'SIGN', 'signing'],
      ['signatory@sverdlovsk.example', 'SIGN', 'executed'],
    ]);
    const base = (await legal.get('/api/agreements/1')).body;
    expect(base.amendments).to.deep.equal([
      { id: amendment.body.id, kind: 'amendment', title: amendment.body.title, state: 'executed', version: 8 },
    ]);
    const pdf = await legal.get(`/api/agreements/${amendment.body.id}/pdf?original=gyeonggi`);
    expect(pdf.status).to.equal(200);
  });
});

describe(`due dates and notifications (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  const runScheduler = async (day: string) => {
    server.clock.set(`${day}T10:00:00Z`);
    const scheduler = createScheduler(server.deps, {
      handlers: lifecycleHandlers(() => undefined),
      processId: 'reminders-test',
      log: () => undefined,
    });
    while ((await scheduler.runOnce()) > 0);
  };

  it('when review has a due date, then who must review is reminded before it and told when it is overdue, once each', async () => {
    server.clock.set('2026-04-01T09:00:00Z');
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const { id } = (await legal.post('/api/agreements', { kind: 'letter-of-intent' })).body;
    const deadlines = await legal.put(`/api/agreements/${id}/deadlines`, {
      reviewDueOn: '2026-04-20',
      signingDueOn: '2026-04-10',
      expectedVersion: 1,
    });
    expect(deadlines.status).to.equal(422);
    const set = await legal.put(`/api/agreements/${id}/deadlines`, { reviewDueOn: '2026-04-20', expectedVersion: 1 });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    expect(set.body.dates.reviewDueOn).to.equal('2026-04-20');
    await runEvents(server, id, [['legal@sverdlovsk.example', 'SUBMIT', 'review']]);

    await runScheduler('2026-04-17');
    await runScheduler('2026-04-17');
    const legalGyeonggi = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    const inbox = (await legalGyeonggi.get('/api/notifications')).body.notifications;
    const reminders = inbox.filter(
      (notification: { kind: string; agreementId: number }) => notification.kind === 'reminder' && notification.agreementId === id,
    );
    expect(reminders).to.have.length(1);
    expect(
      inbox.some(
        (notification: { kind: string; agreementId: number }) => notification.kind === 'state-changed' && notification.agreementId === id,
      ),
    ).to.equal(true);

    await runScheduler('2026-04-21');
    // Four days on, yesterday's token has expired: sign in again, as a person would.
    const overdue = (
      await (await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example')).get('/api/notifications')
    ).body.notifications.filter(
      (notification: { kind: string; agreementId: number }) => notification.kind === 'overdue' && notification.agreementId === id,
    );
    expect(overdue).to.have.length(1);
    const officialGyeonggi = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
    const officialInbox = await officialGyeonggi.get('/api/notifications');
    expect(officialInbox.status, JSON.stringify(officialInbox.body)).to.equal(200);
    expect(officialInbox.body.notifications.filter((n: { kind: string }) => n.kind === 'overdue')).to.deep.equal([]);
  });
});
