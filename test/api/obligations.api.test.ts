import { expect } from 'chai';
import { OBLIGATION_REMINDER_KIND, remindObligations } from '../../server/obligations/obligations.ts';
import { createScheduler } from '../../server/scheduler/scheduler.ts';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { LETTER_OF_INTENT } from '../support/execute-demo.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The events of an iCalendar document, each as its unfolded properties. */
function calendarEvents(text: string): Record<string, string>[] {
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of text.replace(/\r\n[ \t]/g, '').split('\r\n')) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current!);
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return events;
}

describe(`obligations recorded against an article (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ webhookAllowList: { networks: ['127.0.0.1/32'], hosts: [] } });
  });
  after(async () => server?.close());

  const as = (email: string) => ApiClient.signIn(server.baseUrl, email);
  /** Sets the clock and runs the scheduler, as a running server would, until nothing is due. */
  const runSchedulerOn = async (instant: string) => {
    server.clock.set(instant);
    const scheduler = createScheduler(server.deps, {
      handlers: { [OBLIGATION_REMINDER_KIND]: remindObligations },
      processId: 'obligations-test',
      log: () => undefined,
    });
    let handled = 0;
    for (let tick = await scheduler.runOnce(); tick > 0; tick = await scheduler.runOnce()) handled += tick;
    return handled;
  };
  const reminders = () => server.db('notifications').where({ kind: OBLIGATION_REMINDER_KIND }).orderBy('id');
  const path = `/api/agreements/${LETTER_OF_INTENT}/obligations`;

  it('when legal staff record a yearly obligation, then its owner is reminded once per occurrence, and marking it done opens the next', async () => {
    server.clock.set('2026-03-02T09:00:00Z');
    const legal = await as('legal@sverdlovsk.example');
    const letter = ok(await legal.get(`/api/agreements/${LETTER_OF_INTENT}`));
    expect(letter.state).to.be.oneOf(['executed', 'in-force']);
    const admin = await as('admin@sverdlovsk.example');
    const adminGyeonggi = await as('admin@gyeonggi.example');
    const [hook, hookGyeonggi] = [
      ok(await admin.post('/api/webhooks', { url: 'http://127.0.0.1:41901/sverdlovsk' }), 201),
      ok(await adminGyeonggi.post('/api/webhooks', { url: 'http://127.0.0.1:41901/gyeonggi' }), 201),
    ];
    const obligation = {
      clause: 'coordinators',
      text: 'Координаторы встречаются не реже одного раза в год.',
      owner: 'official@sverdlovsk.example',
      dueOn: '2026-06-30',
      recurrence: 'yearly',
    };

    // Refused, each as problem+json, and nothing stored changes.
    const before = await storedAgreement(server.db, LETTER_OF_INTENT);
    const refusals: [ApiClient, Record<string, unknown>, number, string][] = [
      [await as('observer@sverdlovsk.example'), obligation, 403, 'FORBIDDEN'],
      [await as('signatory@sverdlovsk.example'), obligation, 403, 'FORBIDDEN'],
      // Gyeonggi's staff cannot make a Sverdlovsk user the owner of Gyeonggi's obligation.
      [await as('legal@gyeonggi.example'), obligation, 422, 'RULE_VIOLATION'],
      [legal, { ...obligation, clause: 'title' }, 422, 'RULE_VIOLATION'],
      [legal, { ...obligation, clause: 'no-such-article' }, 422, 'RULE_VIOLATION'],
      [legal, { ...obligation, dueOn: '2019-01-01' }, 422, 'RULE_VIOLATION'],
      [legal, { ...obligation, dueOn: '30.06.2026' }, 400, 'MALFORMED_REQUEST'],
      [legal, { ...obligation, recurrence: 'weekly' }, 400, 'MALFORMED_REQUEST'],
      [legal, { ...obligation, text: '' }, 400, 'MALFORMED_REQUEST'],
    ];
    for (const [client, body, status, code] of refusals) {
      const response = await client.post(path, body);
      expect(response.status, JSON.stringify(response.body)).to.equal(status);
      expect(response.contentType).to.match(/^application\/problem\+json/);
      expect(response.body.code).to.equal(code);
    }
    expect(await storedAgreement(server.db, LETTER_OF_INTENT)).to.equal(before);

    const recorded = ok(await legal.post(path, obligation), 201);
    expect(recorded).to.deep.include({
      party: 'sverdlovsk',
      clause: 'coordinators',
      owner: 'official@sverdlovsk.example',
      recurrence: 'yearly',
      startsOn: '2026-06-30',
      dueOn: '2026-06-30',
      state: 'open',
      createdBy: 'legal@sverdlovsk.example',
      completions: [],
    });
    expect(ok(await (await as('legal@gyeonggi.example')).get(path)).obligations.map((found: { id: number }) => found.id)).to.deep.equal([
      recorded.id,
    ]);
    const audit = ok(await legal.get(`/api/agreements/${LETTER_OF_INTENT}/audit`));
    expect(audit.at(-1)).to.include({ event: 'RECORD_OBLIGATION', actor: 'legal@sverdlovsk.example' });
    expect(ok(await legal.get(`/api/agreements/${LETTER_OF_INTENT}/audit/verify`)).valid).to.equal(true);

    // Months ahead: nothing is reminded yet; two weeks before the due date the owner is, exactly once.
    await runSchedulerOn('2026-04-01T08:00:00Z');
    expect(await reminders()).to.have.length(0);
    await runSchedulerOn('2026-06-16T08:00:00Z');
    await runSchedulerOn('2026-06-20T08:00:00Z');
    const sent = await reminders();
    expect(sent).to.have.length(1);
    const owner = await server.db('users').where({ email: 'official@sverdlovsk.example' }).first('id');
    expect(sent[0]).to.include({ user_id: owner.id, agreement_id: LETTER_OF_INTENT });
    expect(JSON.parse(sent[0].payload)).to.include({ obligationId: recorded.id, dueOn: '2026-06-30', clause: 'coordinators' });
    const mails = await server.db('mail_outbox').where({ kind: OBLIGATION_REMINDER_KIND });
    expect(mails.map((mail: { user_id: number }) => mail.user_id)).to.deep.equal([owner.id]);
    // Only the owner's party's webhooks hear of its obligations.
    const deliveries = await server.db('webhook_deliveries').where({ kind: OBLIGATION_REMINDER_KIND });
    expect(deliveries.map((delivery: { webhook_id: number }) => delivery.webhook_id)).to.deep.equal([hook.id]);
    expect(hookGyeonggi.id).to.not.equal(hook.id);

    // The calendar: Sverdlovsk's holds the obligation, with a yearly rule; Gyeonggi's does not.
    server.clock.set('2026-06-30T09:00:00Z');
    const official = await as('official@sverdlovsk.example');
    const due = ok(await official.get('/api/calendar')).dates.filter((date: { kind: string }) => date.kind === 'obligation-due');
    expect(due).to.deep.equal([
      {
        date: '2026-06-30',
        kind: 'obligation-due',
        agreementId: LETTER_OF_INTENT,
        agreementKind: 'letter-of-intent',
        title: due[0].title,
        state: letter.state,
        obligation: { id: recorded.id, clause: 'coordinators', text: obligation.text, owner: obligation.owner, recurrence: 'yearly' },
      },
    ]);
    const ics = await official.get('/api/calendar.ics');
    const event = calendarEvents(ics.body).find(
      (found) => found.UID === `agreement-${LETTER_OF_INTENT}-obligation-${recorded.id}@bilateral`,
    );
    expect(event, ics.body).to.not.equal(undefined);
    expect(event!.RRULE).to.equal('FREQ=YEARLY;INTERVAL=1');
    expect(event!['DTSTART;VALUE=DATE']).to.equal('20260630');
    const gyeonggiDates = ok(await (await as('official@gyeonggi.example')).get('/api/calendar')).dates;
    expect(gyeonggiDates.filter((date: { kind: string }) => date.kind === 'obligation-due')).to.deep.equal([]);

    // Marked done by the other party: refused; by the owner's party: recorded, and the next year's occurrence opens.
    const donePath = `${path}/${recorded.id}/done`;
    const beforeDone = await storedAgreement(server.db, LETTER_OF_INTENT);
    const foreign = await (await as('official@gyeonggi.example')).post(donePath, { dueOn: '2026-06-30', note: 'Done.' });
    expect(foreign.status).to.equal(403);
    expect((await official.post(donePath, { dueOn: '2027-06-30', note: 'Too early.' })).status).to.equal(409);
    expect((await official.post(`${path}/999999/done`, { dueOn: '2026-06-30', note: 'None.' })).status).to.equal(404);
    expect(await storedAgreement(server.db, LETTER_OF_INTENT)).to.equal(beforeDone);
    const note = 'Встреча координаторов прошла в Екатеринбурге 29 июня 2026 г.';
    const done = ok(await official.post(donePath, { dueOn: '2026-06-30', note }));
    expect(done).to.deep.include({ state: 'open', dueOn: '2027-06-30' });
    expect(done.completions).to.have.length(1);
    expect(done.completions[0]).to.include({ dueOn: '2026-06-30', note, doneBy: 'official@sverdlovsk.example' });
    const again = await official.post(donePath, { dueOn: '2026-06-30', note });
    expect(again.status).to.equal(409);
    expect(again.body.code).to.equal('VERSION_CONFLICT');
    expect(ok(await official.get(`/api/agreements/${LETTER_OF_INTENT}/audit`)).at(-1)).to.include({ event: 'COMPLETE_OBLIGATION' });

    // The next occurrence is reminded in its turn, once.
    await runSchedulerOn('2026-12-01T08:00:00Z');
    expect(await reminders()).to.have.length(1);
    await runSchedulerOn('2027-06-17T08:00:00Z');
    await runSchedulerOn('2027-06-29T08:00:00Z');
    const later = await reminders();
    expect(later).to.have.length(2);
    expect(JSON.parse(later[1].payload)).to.include({ obligationId: recorded.id, dueOn: '2027-06-30' });
  });

  it('when a one-off obligation is marked done before its reminder, then it is done, never reminded, and leaves the calendar', async () => {
    server.clock.set('2026-07-01T09:00:00Z');
    const legal = await as('legal@gyeonggi.example');
    const recorded = ok(
      await legal.post(path, {
        clause: 'forms-of-cooperation',
        text: '2027년 제조업체 회의 개최',
        owner: 'legal@gyeonggi.example',
        dueOn: '2027-03-31',
      }),
      201,
    );
    expect(recorded).to.include({ recurrence: 'none', party: 'gyeonggi' });
    const count = (await reminders()).length;
    const done = ok(await legal.post(`${path}/${recorded.id}/done`, { dueOn: '2027-03-31', note: '회의 일정 확정' }));
    expect(done).to.include({ state: 'done', dueOn: null });
    await runSchedulerOn('2027-03-20T08:00:00Z');
    expect(await reminders()).to.have.length(count);
    const dates = ok(await (await as('legal@gyeonggi.example')).get('/api/calendar')).dates;
    expect(dates.filter((date: { obligation?: { id: number } }) => date.obligation?.id === recorded.id)).to.deep.equal([]);
  });
});
