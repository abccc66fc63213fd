import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { User } from '../../db/repositories/users.repository.ts';
import type { LookupAddress } from 'node:dns';
import { findDelivery, insertWebhook, type WebhookDelivery } from '../../db/repositories/webhooks.repository.ts';
import type { UseCaseDeps } from '../../server/agreements/deps.ts';
import { loadConfig } from '../../server/config.ts';
import { RuleViolationError } from '../../server/errors.ts';
import { deactivatePartyWebhook, listWebhookDeliveries, registerWebhook } from '../../server/notifications/manage-webhooks.ts';
import { notify, type NotifyInput } from '../../server/notifications/notify.ts';
import { createWebhookDispatcher, type WebhookDispatcherOptions } from '../../server/notifications/webhook-dispatcher.ts';
import { sealWebhookSecret, verifyWebhookSignature } from '../../server/notifications/webhook-signature.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from '../support/database.ts';
import { insertAgreementRow, insertParties, insertTestUser, TestClock, testConfig, testDeps } from '../scheduler/lifecycle-fixtures.ts';

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
        const expected = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex')}`);
        const actual = Buffer.from(String(request.headers['x-bilateral-signature']));
        const received = {
          path: request.url ?? '',
          headers: request.headers,
          body,
          signatureValid: actual.length === expected.length && timingSafeEqual(actual, expected),
        };
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
    // The receiver listens on loopback, which webhooks may call only because the operator says so.
    deps = testDeps(database.db, database.url, clock, { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
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
      lastError: 'failed: HTTP 500',
      nextAttemptAt: new Date(START.getTime() + 10 * SECOND).toISOString(),
      claimedBy: null,
    });
    expect(await sender.runOnce(), 'not due yet').to.equal(0);
    clock.advance(10 * SECOND - 1);
    expect(await sender.runOnce(), 'one ms before the backoff ends').to.equal(0);

    clock.advance(1);
    expect(await sender.runOnce()).to.equal(1);
    expect(await onlyDelivery(webhook.id)).to.include({
      status: 'pending',
      attempts: 2,
      nextAttemptAt: new Date(START.getTime() + 30 * SECOND).toISOString(),
    });
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
      expect(request.headers).to.include({
        'content-type': 'application/json',
        'x-bilateral-event': 'reminder',
        'x-bilateral-delivery': eventId,
      });
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
    expect(await onlyDelivery(webhook.id)).to.include({
      status: 'failed',
      attempts: 4,
      lastStatusCode: 503,
      lastError: 'failed: HTTP 503',
      nextAttemptAt: null,
      deliveredAt: null,
    });
    expect(logged.join('\n')).to.match(/gave up delivery \d+ \(overdue, event [0-9a-f-]{36}\) to webhook \d+: failed: HTTP 503/);
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
    expect(check({ secret: `${receiver.secret}x` })).to.equal(false);
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

  it('when the receiver redirects, refuses the connection or does not answer in time, then it is a failed attempt; the log does not tell a closed port from a silent one', async () => {
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

    expect(await onlyDelivery(moved.id)).to.include({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 302,
      lastError: 'failed: HTTP 302 (redirects are not followed)',
    });
    expect(receiver.received.map((request) => request.path).sort(), 'the redirect target is never called').to.deep.equal([
      '/hooks/moved',
      '/hooks/slow',
    ]);
    expect(await onlyDelivery(slow.id)).to.include({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'failed' });
    expect(await onlyDelivery(refused.id)).to.include({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'failed' });
    const log = await listWebhookDeliveries(deps, admin, refused.id, 50);
    expect(JSON.stringify(log)).to.not.match(/ECONN|timeout|within/i);
    // The operator still learns why.
    expect(logged.join('\n'))
      .to.match(/ECONNREFUSED/)
      .and.match(/no answer within 300 ms/);
  });

  it('when two dispatchers run at once over the same queue, then each delivery is sent once', async () => {
    await register(admin, '/hooks/busy');
    receiver.answer = (_request, response) => setTimeout(() => response.writeHead(200).end(), 5);
    const eventIds = [];
    for (let index = 0; index < 30; index += 1)
      eventIds.push((await deps.db.transaction((trx) => notify(trx, event({ payload: { index } })))).eventId);

    const counts = await Promise.all(
      [dispatcher({ processId: 'dispatcher-a', batchSize: 4 }), dispatcher({ processId: 'dispatcher-b', batchSize: 4 })].map((sender) =>
        sender.runOnce(),
      ),
    );

    expect(counts[0]! + counts[1]!).to.equal(30);
    expect(receiver.received.map((request) => request.headers['x-bilateral-delivery']).sort()).to.deep.equal(eventIds.sort());
    expect(await deps.db('webhook_deliveries').distinct('status').pluck('status')).to.deep.equal(['delivered']);
  });
  describe('the address policy', () => {
    /** Addresses inside our own network, written the ways an attacker writes them. */
    const HOSTILE_URLS = [
      'http://127.0.0.1:5432/',
      'http://127.0.0.2:5432/',
      'http://[::1]:5432/',
      'http://localhost:5432/',
      'http://localhost.:5432/',
      'http://2130706433:5432/',
      'http://0x7f.1:5432/',
      'http://0177.0.0.1:5432/',
      'http://0.0.0.0:5432/',
      'http://[::ffff:127.0.0.1]:5432/',
      'http://[64:ff9b::7f00:1]:5432/',
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://metadata/computeMetadata/v1/',
      'http://10.0.0.8/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://printer.local/',
    ];
    let strict: UseCaseDeps;
    beforeEach(() => {
      // No allow-list, as production starts.
      strict = { ...deps, config: { ...deps.config, webhookAllowList: testConfig(database.url).webhookAllowList } };
    });

    /** A resolver that answers `answers` for every name and counts the questions. */
    const resolver = (answers: LookupAddress[]) => {
      const asked: string[] = [];
      const resolve = ((hostname: string, _options: unknown, callback: (error: null, addresses: LookupAddress[]) => void) => {
        asked.push(hostname);
        setImmediate(() => callback(null, answers));
      }) as unknown as NonNullable<WebhookDispatcherOptions['resolve']>;
      return { asked, resolve };
    };
    /** A webhook row written as if registered before the rule (or under an allow-list since removed). */
    const storedWebhook = (url: string) =>
      deps.db.transaction((trx) =>
        insertWebhook(trx, { party: 'sverdlovsk', url, createdAt: START.toISOString() }, (id) =>
          sealWebhookSecret(deps.config.secret, id, 'whsec_test'),
        ),
      );

    it('when an administrator registers a loopback, private, link-local or metadata address in any spelling, then 422 "refused by policy" and nothing is stored', async () => {
      for (const url of HOSTILE_URLS) {
        const refusal = await registerWebhook(strict, admin, { url }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refusal, url).to.be.instanceOf(RuleViolationError);
        expect((refusal as RuleViolationError).detail, url).to.match(
          /^The webhook URL is refused: refused by policy: \S+ (resolves to a private address|is a private name)$/,
        );
      }
      expect(await deps.db('webhooks').select('id')).to.deep.equal([]);

      const publicHooks = [
        'https://hooks.sverdlovsk.example/bilateral',
        'http://93.184.216.34:8080/hook',
        'https://[2606:4700::1111]/hook',
      ];
      for (const url of publicHooks) expect((await registerWebhook(strict, admin, { url })).url).to.equal(url);
    });

    it('when a stored webhook names a private address or a private name, then its delivery is refused by policy without a request', async () => {
      const port = new URL(receiver.url).port;
      const webhooks = await Promise.all(
        [
          `http://127.0.0.1:${port}/hooks/literal`,
          `http://localhost:${port}/hooks/name`,
          `http://[::ffff:7f00:1]:${port}/hooks/mapped`,
        ].map(storedWebhook),
      );
      await deps.db.transaction((trx) => notify(trx, event()));

      expect(await createWebhookDispatcher(strict, { processId: 'strict', log: (message) => logged.push(message) }).runOnce()).to.equal(0);

      expect(receiver.received, 'nothing reaches the receiver listening there').to.deep.equal([]);
      const outcomes = await Promise.all(webhooks.map((webhook) => onlyDelivery(webhook.id)));
      expect(outcomes.map(({ status, attempts, lastError }) => ({ status, attempts, lastError }))).to.deep.equal([
        { status: 'failed', attempts: 0, lastError: 'refused by policy: 127.0.0.1 resolves to a private address' },
        { status: 'failed', attempts: 0, lastError: 'refused by policy: localhost is a private name' },
        { status: 'failed', attempts: 0, lastError: 'refused by policy: [::ffff:7f00:1] resolves to a private address' },
      ]);
    });

    it('when a public name resolves to a private address, or to a public and a private one, then the delivery is refused by policy and nothing is connected', async () => {
      const port = new URL(receiver.url).port;
      const webhook = await registerWebhook(strict, admin, { url: `http://hooks.rebinding.example:${port}/hooks/rebound` });
      await deps.db.transaction((trx) => notify(trx, event()));
      for (const answers of [
        [{ address: '127.0.0.1', family: 4 }],
        [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
        [{ address: '::ffff:169.254.169.254', family: 6 }],
      ]) {
        await deps.db('webhook_deliveries').update({ status: 'pending', next_attempt_at: START.toISOString(), last_error: null });
        const { asked, resolve } = resolver(answers);

        expect(
          await createWebhookDispatcher(strict, { processId: 'strict', resolve, log: (message) => logged.push(message) }).runOnce(),
        ).to.equal(0);

        expect(asked).to.deep.equal(['hooks.rebinding.example']);
        expect(await onlyDelivery(webhook.id), JSON.stringify(answers)).to.include({
          status: 'failed',
          attempts: 0,
          lastError: 'refused by policy: hooks.rebinding.example resolves to a private address',
        });
      }
      expect(receiver.received).to.deep.equal([]);
    });

    it('when the operator allow-lists a network, then a receiver there gets its deliveries at exactly the address that was checked', async () => {
      const port = new URL(receiver.url).port;
      // A name the system cannot resolve: only the checked answer can have been connected to.
      const webhook = await registerWebhook(deps, admin, { url: `http://hooks.on-premise.example:${port}/hooks/on-premise` });
      receiver.secret = webhook.secret;
      await deps.db.transaction((trx) => notify(trx, event()));
      const { asked, resolve } = resolver([{ address: '127.0.0.1', family: 4 }]);

      expect(await dispatcher({ resolve }).runOnce()).to.equal(1);

      expect(asked, 'resolved once, for the check and the connection alike').to.deep.equal(['hooks.on-premise.example']);
      expect(receiver.received.map((request) => [request.path, request.headers.host, request.signatureValid])).to.deep.equal([
        ['/hooks/on-premise', `hooks.on-premise.example:${port}`, true],
      ]);
      expect(await onlyDelivery(webhook.id)).to.include({ status: 'delivered', attempts: 1, lastError: null });
    });

    it('when the operator allow-lists a host name, then that name is called wherever it resolves, and only that name', async () => {
      const byName = { ...deps, config: testConfig(database.url, { WEBHOOK_ALLOWED_HOSTS: 'LOCALHOST.' }) };
      expect(byName.config.webhookAllowList).to.deep.equal({ networks: [], hosts: ['localhost'] });
      const port = new URL(receiver.url).port;
      const webhook = await registerWebhook(byName, admin, { url: `http://localhost:${port}/hooks/named` });
      const refusal = await registerWebhook(byName, admin, { url: `http://127.0.0.1:${port}/hooks/literal` }).catch(
        (error: RuleViolationError) => error.detail,
      );
      expect(refusal).to.match(/refused by policy: 127\.0\.0\.1 resolves to a private address/);
      await deps.db.transaction((trx) => notify(trx, event()));

      expect(await createWebhookDispatcher(byName, { processId: 'by-name', log: (message) => logged.push(message) }).runOnce()).to.equal(1);

      expect(await onlyDelivery(webhook.id)).to.include({ status: 'delivered' });
      expect(receiver.received.map((request) => request.path)).to.deep.equal(['/hooks/named']);
    });

    it('when WEBHOOK_ALLOWED_HOSTS holds something that is no address, network or name, then the configuration is refused naming it', () => {
      expect(testConfig(database.url, { WEBHOOK_ALLOWED_HOSTS: ' 10.1.0.0/16, ::1 ,hooks.example.org' }).webhookAllowList).to.deep.equal({
        networks: ['10.1.0.0/16', '::1/128'],
        hosts: ['hooks.example.org'],
      });
      expect(() =>
        loadConfig({ NODE_ENV: 'production', BILATERAL_SECRET: 'ab'.repeat(32), WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/33' }),
      ).to.throw(/WEBHOOK_ALLOWED_HOSTS: 10\.0\.0\.0\/33 is neither/);
      expect(() =>
        loadConfig({ NODE_ENV: 'production', BILATERAL_SECRET: 'ab'.repeat(32), WEBHOOK_ALLOWED_HOSTS: 'http://hooks.example.org' }),
      ).to.throw(/WEBHOOK_ALLOWED_HOSTS/);
    });
  });
});
