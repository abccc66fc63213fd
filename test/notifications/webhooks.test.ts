import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { User } from '../../db/repositories/users.repository.ts';
import { findDelivery, type WebhookDelivery } from '../../db/repositories/webhooks.repository.ts';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { deactivatePartyWebhook, listWebhookDeliveries, registerWebhook } from '../../server/notifications/manage-webhooks.ts';
import { notify, type NotifyInput } from '../../server/notifications/notify.ts';
import { createWebhookDispatcher, type WebhookDispatcherOptions } from '../../server/notifications/webhook-dispatcher.ts';
import { verifyWebhookSignature } from '../../server/notifications/webhook-signature.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from '../support/database.ts';
import { insertAgreementRow, insertParties, insertTestUser, TestClock, testDeps } from '../scheduler/lifecycle-fixtures.ts';

const START = new Date('2027-05-10T08:00:00.000Z');
const SECOND = 1000;

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Checked by the receiver itself, with node:crypto and the secret it was given, not with our helper. */
  readonly signatureValid: boolean;
}

/** A webhook receiver on 127.0.0.1: records every call and answers as `answer` says. */
class Receiver {
  readonly received: Received[] = [];
  secret = '';
  answer: (request: Received, response: ServerResponse) => void = (_request, response) => response.writeHead(204).end();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const timestamp = String(request.headers['x-bilateral-timestamp']);
        const expected = Buffer.from('sha256=' + createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex'));
        const actual = Buffer.from(String(request.headers['x-bilateral-signature']));
        const received = { path: request.url ?? '', headers: request.headers, body, signatureValid: actual.length === expected.length && timingSafeEqual(actual, expected) };
        this.received.push(received);
        this.answer(received, response);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe(`webhooks (${TEST_DATABASE_KIND})`, () => {
  let database: TestDatabase;
  let clock: TestClock;
  let deps: UseCaseDeps;
  let receiver: Receiver;
  let admin: User;
  let agreementId: number;
  let logged: string[];

  const dispatcher = (options: Partial<WebhookDispatcherOptions> = {}) =>
    createWebhookDispatcher(deps, { processId: 'dispatcher-a', log: (message) => logged.push(message), ...options });
  const register = async (user: User, path: string) => {
    const webhook = await registerWebhook(deps, user, { url: receiver.url + path });
    receiver.secret = webhook.secret;
    return webhook;
  };
  const event = (overrides: Partial<NotifyInput> = {}): NotifyInput => ({
    agreementId,
    kind: 'reminder',
    payload: { stage: 'review', dueOn: '2027-05-12' },
    userIds: [],
    occurredAt: clock.now(),
    ...overrides,
  });
  const deliveriesOf = (webhookId: number) => deps.db('webhook_deliveries').where({ webhook_id: webhookId }).orderBy('id');
  const onlyDelivery = async (webhookId: number): Promise<WebhookDelivery> => {
    const [row] = await deliveriesOf(webhookId);
    return (await findDelivery(deps.db, row.id))!;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
    clock = new TestClock(START);
    deps = testDeps(database.db, database.url, clock);
    logged = [];
    await insertParties(database.db, { third: 'busan' });
    admin = await insertTestUser(database.db, 'sverdlovsk', 'admin');
    const legal = await insertTestUser(database.db, 'sverdlovsk', 'legal');
    agreementId = await insertAgreementRow(database.db, legal.id);
    receiver = await new Receiver().start();
  });
  afterEach(async () => {
    await receiver?.close();
    await database?.drop();
  });

  it('when the receiver fails twice with 500, then the dispatcher retries with backoff until delivered and the log shows 3 attempts', async () => {
    const webhook = await register(admin, '/hooks/sverdlovsk');
    const statuses = [500, 500, 204];
    receiver.answer = (_request, response) => response.writeHead(statuses.shift()!).end();
    const { eventId } = await deps.db.transaction((trx) => notify(trx, event()));
    const sender = dispatcher();

    expect(await sender.runOnce()).to.equal(1);
    expect(await onlyDelivery(webhook.id)).to.include({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'HTTP 500',
      nextAttemptAt: new Date(START.getTime() + 10 * SECOND).toISOString(),
      claimedBy: null,
    });
    expect(await sender.runOnce(), 'not due yet').to.equal(0);
    clock.advance(10 * SECOND - 1);
    expect(await sender.runOnce(), 'one ms before the backoff ends').to.equal(0);

    clock.advance(1);
    expect(await sender.runOnce()).to.equal(1);
    expect(await onlyDelivery(webhook.id)).to.include({ status: 'pending', attempts: 2, nextAttemptAt: new Date(START.getTime() + 30 * SECOND).toISOString() });
    clock.advance(20 * SECOND);
    expect(await sender.runOnce()).to.equal(1);
    expect(await sender.runOnce()).to.equal(0);

    const [logEntry, ...others] = await listWebhookDeliveries(deps, admin, webhook.id, 50);
    expect(others).to.deep.equal([]);
    expect(logEntry).to.include({
      eventId,
      kind: 'reminder',
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 204,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: new Date(START.getTime() + 30 * SECOND).toISOString(),
    });

    expect(receiver.received).to.have.length(3);
    expect(receiver.received.map((request) => request.signatureValid)).to.deep.equal([true, true, true]);
    expect(receiver.received.map((request) => request.headers['x-bilateral-timestamp'])).to.deep.equal(
      [0, 10, 30].map((offset) => String(START.getTime() / 1000 + offset)),
    );
    for (const request of receiver.received) {
      expect(request.path).to.equal('/hooks/sverdlovsk');
      expect(request.headers).to.include({ 'content-type': 'application/json', 'x-bilateral-event': 'reminder', 'x-bilateral-delivery': eventId });
      expect(request.body, 'the same bytes at every attempt').to.equal(receiver.received[0]!.body);
    }
    expect(JSON.parse(receiver.received[0]!.body)).to.deep.equal({
      id: eventId,
      kind: 'reminder',
      agreementId,
      occurredAt: START.toISOString(),
      data: { stage: 'review', dueOn: '2027-05-12' },
    });
  });

  it('when the receiver always fails, then the delivery ends failed after maxAttempts and is not sent again', async () => {
    const webhook = await register(admin, '/hooks/down');
    receiver.answer = (_request, response) => response.writeHead(503).end('maintenance');
    await deps.db.transaction((trx) => notify(trx, event({ kind: 'overdue' })));
    const sender = dispatcher({ maxAttempts: 4 });

    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(await sender.runOnce(), `attempt ${attempt}`).to.equal(1);
      clock.advance(60 * 60 * SECOND);
    }
    expect(await sender.runOnce()).to.equal(0);
    clock.advance(24 * 60 * 60 * SECOND);
    expect(await sender.runOnce()).to.equal(0);

    expect(receiver.received).to.have.length(4);
    expect(await onlyDelivery(webhook.id)).to.include({ status: 'failed', attempts: 4, lastStatusCode: 503, lastError: 'HTTP 503', nextAttemptAt: null, deliveredAt: null });
    expect(logged.join('\n')).to.match(/gave up delivery \d+ \(overdue, event [0-9a-f-]{36}\) to webhook \d+: HTTP 503/);
  });

  it('when a receiver checks the signature header, then it verifies with the secret and fails for another body, secret or an old timestamp', async () => {
    await register(admin, '/hooks/verify');
    await deps.db.transaction((trx) => notify(trx, event()));
    await dispatcher().runOnce();
    const [request] = receiver.received;
    const timestamp = String(request!.headers['x-bilateral-timestamp']);
    const signature = String(request!.headers['x-bilateral-signature']);
    expect(signature).to.match(/^sha256=[0-9a-f]{64}$/);
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret: receiver.secret, timestamp, body: request!.body, signature, now: clock.now(), ...overrides });

    expect(request!.signatureValid).to.equal(true);
    expect(check({})).to.equal(true);
    expect(check({ body: request!.body.replace('review', 'approval') })).to.equal(false);
    expect(check({ secret: receiver.secret + 'x' })).to.equal(false);
    expect(check({ timestamp: String(Number(timestamp) + 1) })).to.equal(false);
    expect(check({ now: new Date(clock.now().getTime() + 301 * SECOND) }), 'outside the 5 minute tolerance').to.equal(false);
  });

  it('when notify runs in a transaction, then notifications and deliveries commit with it, for the active webhooks of the agreement’s parties only', async () => {
    const gyeonggiAdmin = await insertTestUser(deps.db, 'gyeonggi', 'admin');
    const busanAdmin = await insertTestUser(deps.db, 'busan', 'admin');
    const sverdlovsk = await register(admin, '/hooks/sverdlovsk');
    const gyeonggi = await register(gyeonggiAdmin, '/hooks/gyeonggi');
    const busan = await register(busanAdmin, '/hooks/busan');
    const retired = await register(admin, '/hooks/retired');
    await deactivatePartyWebhook(deps, admin, retired.id);

    const failure = await deps.db
      .transaction(async (trx) => {
        await notify(trx, event({ userIds: [admin.id] }));
        throw new Error('the change that caused it failed');
      })
      .catch((error: Error) => error.message);
    expect(failure).to.equal('the change that caused it failed');
    expect(await deps.db('notifications').select('id')).to.deep.equal([]);
    expect(await deps.db('webhook_deliveries').select('id')).to.deep.equal([]);

    const result = await deps.db.transaction((trx) => notify(trx, event({ userIds: [admin.id, admin.id, gyeonggiAdmin.id] })));
    expect(result.notificationIds).to.have.length(2);
    expect([...result.webhookIds].sort()).to.deep.equal([sverdlovsk.id, gyeonggi.id].sort());
    for (const webhook of [busan, retired]) expect(await deliveriesOf(webhook.id)).to.deep.equal([]);

    expect(await dispatcher().runOnce()).to.equal(2);
    expect(receiver.received.map((request) => request.path).sort()).to.deep.equal(['/hooks/gyeonggi', '/hooks/sverdlovsk']);
    expect(new Set(receiver.received.map((request) => request.headers['x-bilateral-delivery']))).to.deep.equal(new Set([result.eventId]));
  });

  it('when a webhook is deactivated, then its queued deliveries are given up without a request', async () => {
    const webhook = await register(admin, '/hooks/soon-gone');
    await deps.db.transaction((trx) => notify(trx, event()));
    await deactivatePartyWebhook(deps, admin, webhook.id);

    expect(await dispatcher().runOnce()).to.equal(0);
    expect(receiver.received).to.deep.equal([]);
    expect(await onlyDelivery(webhook.id)).to.include({ status: 'failed', attempts: 0, lastError: 'the webhook was deactivated' });
  });

  it('when the receiver redirects, refuses the connection or does not answer in time, then it is a failed attempt with the reason logged', async () => {
    receiver.answer = (request, response) => {
      if (request.path === '/hooks/moved') response.writeHead(302, { location: '/hooks/target' }).end();
      // /hooks/slow never answers.
    };
    const moved = await register(admin, '/hooks/moved');
    const slow = await register(admin, '/hooks/slow');
    const closed = await new Receiver().start();
    await closed.close();
    const refused = await registerWebhook(deps, admin, { url: `${closed.url}/hooks/refused` });
    await deps.db.transaction((trx) => notify(trx, event()));

    expect(await dispatcher({ timeoutMs: 300, leaseMs: 5 * SECOND }).runOnce()).to.equal(3);

    expect(await onlyDelivery(moved.id)).to.include({ status: 'pending', attempts: 1, lastStatusCode: 302, lastError: 'HTTP 302 (redirects are not followed)' });
    expect(receiver.received.map((request) => request.path).sort(), 'the redirect target is never called').to.deep.equal(['/hooks/moved', '/hooks/slow']);
    expect(await onlyDelivery(slow.id)).to.include({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'no answer within 300 ms' });
    const refusedDelivery = await onlyDelivery(refused.id);
    expect(refusedDelivery).to.include({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(refusedDelivery.lastError).to.match(/ECONNREFUSED/);
  });

  it('when two dispatchers run at once over the same queue, then each delivery is sent once', async () => {
    await register(admin, '/hooks/busy');
    receiver.answer = (_request, response) => setTimeout(() => response.writeHead(200).end(), 5);
    const eventIds = [];
    for (let index = 0; index < 30; index += 1) eventIds.push((await deps.db.transaction((trx) => notify(trx, event({ payload: { index } })))).eventId);

    const counts = await Promise.all([dispatcher({ processId: 'dispatcher-a', batchSize: 4 }), dispatcher({ processId: 'dispatcher-b', batchSize: 4 })].map((sender) => sender.runOnce()));

    expect(counts[0]! + counts[1]!).to.equal(30);
    expect(receiver.received.map((request) => request.headers['x-bilateral-delivery']).sort()).to.deep.equal(eventIds.sort());
    expect(await deps.db('webhook_deliveries').distinct('status').pluck('status')).to.deep.equal(['delivered']);
  });
});
