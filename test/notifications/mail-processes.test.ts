import { expect } from 'chai';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, HAPPY_PATH } from '../support/execute-demo.ts';
import { DEMO_PASSWORD } from '../support/server.ts';
import { serverProcessesOnFreshDatabase } from '../support/server-process.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

describe(`e-mail from server processes (${TEST_DATABASE_KIND})`, function () {
  this.timeout(240_000);
  const processes = serverProcessesOnFreshDatabase({ SCHEDULER_INTERVAL_MS: '200' });
  let sink: SmtpSink;
  beforeEach(async () => {
    sink = await new SmtpSink().start();
  });
  afterEach(() => sink.close());

  it('when the agreement is carried to execution through the server processes (two on PostgreSQL), then every mail reaches the SMTP server once', async () => {
    const env = { SMTP_URL: sink.url, PUBLIC_URL: 'https://bilateral.example.org', MAIL_FROM: 'Bilateral <noreply@bilateral.example.org>' };
    // Several processes are how Bilateral runs on PostgreSQL; SQLite is one process on one machine.
    const servers =
      TEST_DATABASE_KIND === 'postgres' ? [await processes.start(env), await processes.start(env)] : [await processes.start(env)];
    let version = 1;
    for (const [index, [email, type, state]] of HAPPY_PATH.entries()) {
      const client = await ApiClient.signIn(servers[index % servers.length]!.baseUrl, email);
      const response = await client.post(`/api/agreements/${COOPERATION}/events`, {
        type,
        expectedVersion: version,
        ...(type === 'SIGN' && { password: DEMO_PASSWORD }),
      });
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body.state).to.equal(state);
      version = response.body.version;
    }
    const db = processes.database().db;
    const settled = async () => (await db('mail_outbox').whereIn('status', ['pending', 'held']).count({ count: '*' }))[0]!.count;
    for (let tries = 0; tries < 300 && Number(await settled()) > 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    // The last answer may still be on its way to the sink when the row says sent.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const rows = await db('mail_outbox').orderBy('id');
    expect(rows.length).to.be.greaterThan(HAPPY_PATH.length);
    expect(rows.every((row) => row.status === 'sent')).to.equal(true);
    expect(sink.received).to.have.length(rows.length);
    const messageIds = sink.received.map((mail) => mail.parsed.messageId);
    expect(new Set(messageIds).size, 'no mail twice').to.equal(rows.length);
    const users = new Map((await db('users').select('id', 'email')).map((user) => [user.id, user.email]));
    expect(sink.received.map((mail) => mail.envelopeTo[0]).sort()).to.deep.equal(rows.map((row) => users.get(row.user_id)).sort());
    // The last SIGN executed the agreement: everyone of both parties hears of it, each in their language.
    const executed = sink.received.filter((mail) =>
      /Документ подписан обеими сторонами|양측 서명이 완료되었습니다/.test(mail.parsed.subject ?? ''),
    );
    expect(executed.map((mail) => mail.envelopeTo[0]).sort()).to.deep.equal(
      [...users.values()].filter((email) => email.endsWith('.example')).sort(),
    );
    expect(executed.every((mail) => mail.parsed.text?.includes(`https://bilateral.example.org/agreements/${COOPERATION}`))).to.equal(true);
    expect(sink.received[0]!.envelopeFrom).to.equal('noreply@bilateral.example.org');
  });
});
