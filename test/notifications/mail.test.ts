import { expect } from 'chai';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { createMailDispatcher, type MailDispatcherOptions } from '../../server/notifications/mail-dispatcher.ts';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, runEvents } from '../support/execute-demo.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { WebClient } from '../web/web-client.ts';

const PUBLIC_URL = 'https://bilateral.example.org';
const MINUTE = 60_000;

describe(`e-mail (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let sink: SmtpSink;
  let logged: string[];

  beforeEach(async () => {
    sink = await new SmtpSink().start();
    server = await startTestServer();
    logged = [];
  });
  afterEach(async () => {
    await server.close();
    await sink.close();
  });

  /** A dispatcher over the test server's database, sending to the sink (or, with `smtpUrl: null`, to the log). */
  const dispatcher = (options: Partial<MailDispatcherOptions> & { smtpUrl?: string | null } = {}) => {
    const { smtpUrl = sink.url, ...rest } = options;
    const deps: UseCaseDeps = {
      ...server.deps,
      config: { ...server.deps.config, mail: { ...server.deps.config.mail, ...(smtpUrl !== null && { smtpUrl }) } },
    };
    return createMailDispatcher(deps, {
      processId: 'mailer-a',
      publicUrl: PUBLIC_URL,
      log: (message) => logged.push(message),
      mailLog: (message) => logged.push(message),
      ...rest,
    });
  };
  const submit = () => runEvents(server, COOPERATION, [['legal@sverdlovsk.example', 'SUBMIT', 'review']]);
  const outbox = () => server.db('mail_outbox').orderBy('id');

  it('when the agreement is submitted, then each party’s legal staff gets one mail in their language, with the title in that language and a link to the page', async () => {
    await submit();
    expect(await dispatcher().runOnce()).to.equal(2);

    expect(sink.received.map((mail) => mail.envelopeTo).sort()).to.deep.equal([['legal@gyeonggi.example'], ['legal@sverdlovsk.example']]);
    const [russian] = sink.to('legal@sverdlovsk.example');
    expect(russian!.parsed.subject).to.match(/^Bilateral: Ждёт вашей юридической экспертизы: Соглашение между .*Свердловской области.*$/);
    // Greeted by the name in the reader's script, as the pages name people.
    expect(russian!.parsed.text).to.contain('Здравствуйте, Елена Волкова!').and.contain(`Открыть: ${PUBLIC_URL}/agreements/${COOPERATION}`);
    const [korean] = sink.to('legal@gyeonggi.example');
    expect(korean!.parsed.subject).to.match(/^Bilateral: 법률 검토를 기다리고 있습니다: .*경기도.*협정$/);
    expect(korean!.parsed.text).to.contain('김지원님, 안녕하십니까.').and.contain(`열기: ${PUBLIC_URL}/agreements/${COOPERATION}`);
    expect(korean!.parsed.from!.value[0]!.address).to.equal('bilateral@localhost');

    const rows = await outbox();
    expect(rows.map((row) => row.status)).to.deep.equal(['sent', 'sent']);
    // Once: another round finds nothing to send.
    expect(await dispatcher().runOnce()).to.equal(0);
    expect(sink.received).to.have.length(2);
  });

  it('when one party has done its review and the other’s is awaited, then the other is told who has done it, not the same line again', async () => {
    await submit();
    await dispatcher().runOnce();
    const before = sink.to('legal@gyeonggi.example').length;
    await runEvents(server, COOPERATION, [['legal@sverdlovsk.example', 'APPROVE', 'review']]);
    expect(await dispatcher().runOnce()).to.equal(1);

    const korean = sink.to('legal@gyeonggi.example').slice(before);
    expect(korean).to.have.length(1);
    expect(korean[0]!.parsed.subject).to.match(
      /^Bilateral: 스베르들롭스크주 측 법률 검토 완료, 귀하의 법률 검토를 기다리고 있습니다: .*경기도.*협정$/,
    );
    expect(sink.to('legal@sverdlovsk.example'), 'nothing more to the party that has reviewed').to.have.length(1);
  });

  it('when the server answers 4xx, then the mail is retried after the backoff and sent once', async () => {
    let refusals = 1;
    sink.answerRecipient = () => (refusals-- > 0 ? { code: 451, message: 'Try again later' } : undefined);
    server.clock.set('2027-03-01T10:00:00Z');
    await runEvents(server, COOPERATION, [
      ['legal@sverdlovsk.example', 'SUBMIT', 'review'],
      ['legal@sverdlovsk.example', 'APPROVE', 'review'],
    ]);
    // After the second event only Gyeonggi's legal staff still have to act: one mail for it, plus the two for SUBMIT.
    const mailer = dispatcher({ batchSize: 1, backoff: () => 5 * MINUTE });
    await mailer.runOnce();
    const deferred = await server.db('mail_outbox').where({ status: 'pending' });
    expect(deferred).to.have.length(1);
    expect(deferred[0]).to.include({ attempts: 1, last_response_code: 451 });
    expect(deferred[0].last_error).to.contain('451');
    const receivedBefore = sink.received.length;

    await mailer.runOnce();
    expect(sink.received.length, 'not before the backoff').to.equal(receivedBefore);
    server.clock.set(new Date(Date.parse('2027-03-01T10:00:00Z') + 6 * MINUTE));
    await mailer.runOnce();
    expect(sink.received.length).to.equal(receivedBefore + 1);
    expect((await outbox()).every((row) => row.status === 'sent')).to.equal(true);
    const ids = sink.received.map((mail) => mail.parsed.messageId);
    expect(new Set(ids).size, 'each mail once').to.equal(ids.length);
  });

  it('when the server answers 5xx, then the mail is failed for good and the party administrator sees it on the mail page', async () => {
    sink.answerRecipient = (address) => (address === 'legal@gyeonggi.example' ? { code: 550, message: 'No such mailbox here' } : undefined);
    await submit();
    await dispatcher().runOnce();
    const failed = await server.db('mail_outbox').where({ status: 'failed' });
    expect(failed).to.have.length(1);
    expect(failed[0]).to.include({ attempts: 1, last_response_code: 550 });
    expect(await dispatcher().runOnce(), 'never retried').to.equal(0);

    const admin = await WebClient.signedIn(server.baseUrl, 'admin@gyeonggi.example');
    const page = await admin.get('/mail');
    expect(page.status).to.equal(200);
    const failures = /<table class="table" id="mail-failures"[\s\S]*?<\/table>/.exec(page.html)?.[0] ?? '';
    expect(failures).to.contain('legal@gyeonggi.example').and.contain('No such mailbox here');
    // The other party's administrator sees none of it.
    const otherAdmin = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
    expect((await otherAdmin.get('/mail')).html).to.not.contain('No such mailbox here');
    // A user who is not an administrator sees only their own mail.
    expect((await (await WebClient.signedIn(server.baseUrl, 'official@gyeonggi.example')).get('/mail')).html).to.not.contain(
      'mail-failures',
    );
  });

  it('when a name carries line breaks and a header, then no header and no recipient is added', async () => {
    await server
      .db('users')
      .where({ email: 'legal@gyeonggi.example' })
      .update({ display_name: 'Kim\r\nBcc: victim@elsewhere.example\r\nSubject: forged' });
    await submit();
    await dispatcher().runOnce();
    const [mail] = sink.to('legal@gyeonggi.example');
    expect(mail!.envelopeTo).to.deep.equal(['legal@gyeonggi.example']);
    expect(sink.received.flatMap((received) => received.envelopeTo)).to.not.include('victim@elsewhere.example');
    expect(mail!.parsed.headers.has('bcc')).to.equal(false);
    expect(mail!.parsed.subject).to.not.contain('forged');
    expect(mail!.raw).to.not.match(/^Bcc:/im);
    expect(mail!.parsed.to).to.deep.include({
      value: [{ address: 'legal@gyeonggi.example', name: 'Kim Bcc: victim@elsewhere.example Subject: forged' }],
    });
  });

  it('when the agreement title carries line breaks and headers, then the subject stays one line and nobody else is mailed', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const { version } = (await legal.get(`/api/agreements/${COOPERATION}`)).body;
    const forged = '\r\nBcc: victim@elsewhere.example\r\nX-Injected: yes\r\n\r\nforged body';
    const subject = { ru: `торговле${forged}`, ko: `무역${forged}`, en: `trade${forged}` };
    const changed = await legal.put(`/api/agreements/${COOPERATION}/variables`, { variables: { subject }, expectedVersion: version });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    await submit();
    await dispatcher().runOnce();
    expect(sink.received).to.have.length(2);
    for (const mail of sink.received) {
      expect(mail.envelopeTo).to.have.length(1);
      expect(mail.parsed.headers.has('bcc')).to.equal(false);
      expect(mail.parsed.headers.has('x-injected')).to.equal(false);
      expect(mail.raw).to.not.match(/^(Bcc|X-Injected):/im);
      // The words are still there, on one line: the reader sees what the drafter wrote.
      expect(mail.parsed.subject).to.contain('Bcc: victim@elsewhere.example X-Injected: yes');
    }
    expect(sink.received.flatMap((received) => received.envelopeTo)).to.not.include('victim@elsewhere.example');
  });

  it('when SMTP_REQUIRE_TLS is set and the server offers no STARTTLS, then nothing is sent and the mail waits, saying why', async () => {
    await submit();
    const deps: UseCaseDeps = {
      ...server.deps,
      config: { ...server.deps.config, mail: { ...server.deps.config.mail, smtpUrl: sink.url, requireTls: true } },
    };
    const mailer = createMailDispatcher(deps, { processId: 'mailer-tls', publicUrl: PUBLIC_URL, log: (message) => logged.push(message) });
    await mailer.runOnce();
    await mailer.stop();
    expect(sink.received).to.have.length(0);
    const rows = await outbox();
    expect(rows.map((row) => [row.status, row.attempts])).to.deep.equal([
      ['pending', 1],
      ['pending', 1],
    ]);
    expect(rows[0].last_error).to.match(/STARTTLS .*SMTP_REQUIRE_TLS=1/);
  });

  it('when no SMTP server is configured, then each mail is written to the log and its text is on the recipient’s mail page', async () => {
    await submit();
    await dispatcher({ smtpUrl: null }).runOnce();
    expect(sink.received).to.have.length(0);
    expect((await outbox()).map((row) => row.status)).to.deep.equal(['logged', 'logged']);
    expect(logged.find((line) => line.includes('To: legal@sverdlovsk.example'))).to.contain(`${PUBLIC_URL}/agreements/${COOPERATION}`);
    const legal = await WebClient.signedIn(server.baseUrl, 'legal@sverdlovsk.example');
    const page = await legal.get('/mail');
    expect(page.html).to.contain('id="mail-demo"').and.contain(`${PUBLIC_URL}/agreements/${COOPERATION}`).and.contain('Здравствуйте');
  });

  it('when a user chose the daily digest, then their mail waits for the digest hour and comes as one; with no reminders, reminders are not mailed', async () => {
    const gyeonggi = await WebClient.signedIn(server.baseUrl, 'legal@gyeonggi.example');
    const chosen = await gyeonggi.postForm('/mail/preference', { preference: 'digest' }, await gyeonggi.csrfTokenOf('/mail'));
    expect(chosen.status).to.equal(303);
    const refused = await gyeonggi.postForm('/mail/preference', { preference: 'hourly' }, await gyeonggi.csrfTokenOf('/mail'));
    expect(refused.status).to.equal(400);
    expect((await server.db('users').where({ email: 'legal@gyeonggi.example' }).first()).mail_preference).to.equal('digest');
    await server.db('users').where({ email: 'legal@sverdlovsk.example' }).update({ mail_preference: 'no-reminders' });

    server.clock.set('2027-03-01T10:00:00Z');
    await runEvents(server, COOPERATION, [
      ['legal@sverdlovsk.example', 'SUBMIT', 'review'],
      ['legal@sverdlovsk.example', 'REQUEST_CHANGES', 'drafting'],
      ['legal@sverdlovsk.example', 'SUBMIT', 'review'],
    ]);
    // A reminder of the review's due date, through the same notify() path as the scheduler's.
    const { notify } = await import('../../server/notifications/notify.ts');
    const ids = await server.db('users').whereIn('email', ['legal@sverdlovsk.example', 'legal@gyeonggi.example']).pluck('id');
    await server.db.transaction((trx) =>
      notify(trx, {
        agreementId: COOPERATION,
        kind: 'reminder',
        payload: { stage: 'review', dueOn: '2027-03-04' },
        userIds: ids,
        occurredAt: server.clock.now(),
      }),
    );
    await dispatcher().runOnce();
    expect(sink.to('legal@gyeonggi.example'), 'digest: nothing yet').to.have.length(0);
    const russian = sink.to('legal@sverdlovsk.example');
    expect(russian.map((mail) => mail.parsed.subject)).to.have.length(3);
    expect(
      russian.some((mail) => /Напоминание/.test(mail.parsed.subject ?? '')),
      'no reminders',
    ).to.equal(false);

    server.clock.set('2027-03-02T06:00:01Z');
    await dispatcher().runOnce();
    const digests = sink.to('legal@gyeonggi.example');
    expect(digests).to.have.length(1);
    const gathered = await server.db('mail_outbox').where({ status: 'digested' });
    expect(gathered.length, 'the SUBMITs, the return to drafting and the reminder').to.be.at.least(3);
    expect(digests[0]!.parsed.subject).to.equal(`Bilateral: 오늘의 알림 ${gathered.length}건`);
    expect(digests[0]!.parsed.text).to.contain('알림:').and.contain(`${PUBLIC_URL}/agreements/${COOPERATION}`);
    await dispatcher().runOnce();
    expect(sink.to('legal@gyeonggi.example'), 'one digest').to.have.length(1);
  });

  it('when two dispatchers run at once, then each mail is sent once', async () => {
    await runEvents(server, COOPERATION, [
      ['legal@sverdlovsk.example', 'SUBMIT', 'review'],
      ['legal@sverdlovsk.example', 'REQUEST_CHANGES', 'drafting'],
      ['legal@sverdlovsk.example', 'SUBMIT', 'review'],
      ['legal@sverdlovsk.example', 'APPROVE', 'review'],
    ]);
    const queued = (await outbox()).length;
    await Promise.all([dispatcher({ batchSize: 1 }).runOnce(), dispatcher({ processId: 'mailer-b', batchSize: 1 }).runOnce()]);
    expect(sink.received).to.have.length(queued);
    expect(new Set(sink.received.map((mail) => mail.parsed.messageId)).size).to.equal(queued);
  });
});
