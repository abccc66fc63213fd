import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { findAgreementUserIds } from '../../db/repositories/notifications.repository.ts';
import { findUserByEmail, insertUser } from '../../db/repositories/users.repository.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { DEMO_USERS } from '../../server/demo/demo-parties.ts';
import { notify } from '../../server/notifications/notify.ts';
import { createWebhookDispatcher } from '../../server/notifications/webhook-dispatcher.ts';
import { openWebhookSecret } from '../../server/notifications/webhook-signature.ts';
import { ApiClient, type ApiResponse, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { countRows } from '../support/snapshot.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';

describe(`notifications and webhooks API (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let legal: ApiClient;
  let legalGyeonggi: ApiClient;
  let admin: ApiClient;
  let adminGyeonggi: ApiClient;
  let agreementId: number;

  const signIn = async (email: string) => {
    const response = await new ApiClient(server.baseUrl).post('/api/sessions', { email, password: DEMO_PASSWORD });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    return new ApiClient(server.baseUrl, response.body.token);
  };
  const expectProblem = (response: ApiResponse, status: number, code: string) => {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    expect(response.contentType).to.match(/^application\/problem\+json/);
    expect(response.body).to.include({ status, code });
  };
  const webhookRows = () => server.db('webhooks').orderBy('id');

  before(async () => {
    // The test's receiver listens on loopback: only an operator's allow-list lets webhooks call it.
    server = await startTestServer({ webhookAllowList: { networks: ['127.0.0.1/32'], hosts: [] } });
    for (const party of ['sverdlovsk', 'gyeonggi']) {
      const profile = DEMO_USERS[0]!.profile;
      const passwordHash = await hashPassword(DEMO_PASSWORD);
      await insertUser(
        server.db,
        { email: `webhooks-admin@${party}.example`, party, role: 'admin', displayName: `Admin of ${party}`, profile, passwordHash },
        new Date().toISOString(),
      );
    }
    [legal, legalGyeonggi, admin, adminGyeonggi] = await Promise.all(
      ['legal@sverdlovsk.example', 'legal@gyeonggi.example', 'webhooks-admin@sverdlovsk.example', 'webhooks-admin@gyeonggi.example'].map(
        signIn,
      ),
    );
    agreementId = ok(
      await (await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example')).post('/api/agreements', { kind: 'letter-of-intent' }),
      201,
    ).id;
  });
  after(async () => server?.close());

  describe('notifications', () => {
    it('when events were notified, then each user lists their own, newest first, with the unread count, and reading one marks it once', async () => {
      const userIds = await findAgreementUserIds(server.db, agreementId);
      // The seed's own transitions already notified this user; count from there.
      const { unread: earlier } = ok(await legal.get('/api/notifications'));
      const { unread: earlierGyeonggi } = ok(await legalGyeonggi.get('/api/notifications'));
      const first = new Date('2027-02-01T09:00:00.000Z');
      const second = new Date('2027-02-03T09:00:00.000Z');
      await server.db.transaction((trx) =>
        notify(trx, { agreementId, kind: 'reminder', payload: { stage: 'review' }, userIds, occurredAt: first }),
      );
      await server.db.transaction((trx) =>
        notify(trx, { agreementId, kind: 'overdue', payload: { stage: 'review' }, userIds, occurredAt: second }),
      );

      const listed = ok(await legal.get('/api/notifications'));
      expect(listed.unread).to.equal(earlier + 2);
      expect(listed.notifications.slice(0, 2).map((entry: { kind: string }) => entry.kind)).to.deep.equal(['overdue', 'reminder']);
      expect(listed.notifications[0]).to.deep.include({
        agreementId,
        payload: { stage: 'review' },
        createdAt: second.toISOString(),
        readAt: null,
      });
      const me = (await findUserByEmail(server.db, 'legal@sverdlovsk.example'))!;
      const mine = await server.db('notifications').where({ user_id: me.id }).orderBy('id').pluck('id');
      expect(listed.notifications.map((entry: { id: number }) => entry.id).sort()).to.deep.equal(mine.sort());

      const newest = listed.notifications[0].id;
      const read = ok(await legal.post(`/api/notifications/${newest}/read`));
      expect(read.readAt).to.be.a('string');
      expect(ok(await legal.post(`/api/notifications/${newest}/read`)).readAt, 'reading again keeps the first time').to.equal(read.readAt);
      expect(ok(await legal.get('/api/notifications')).unread).to.equal(earlier + 1);
      expect(ok(await legal.get('/api/notifications?limit=1')).notifications).to.have.length(1);
      expect(ok(await legalGyeonggi.get('/api/notifications')).unread, 'the other party’s legal staff has their own').to.equal(
        earlierGyeonggi + 2,
      );
    });

    it('when a user reads a notification that is not theirs, or asks badly, then problem+json and nothing changes', async () => {
      const other = (await findUserByEmail(server.db, 'legal@gyeonggi.example'))!;
      await server.db.transaction((trx) =>
        notify(trx, { agreementId, kind: 'reminder', payload: {}, userIds: [other.id], occurredAt: new Date() }),
      );
      const theirs = await server.db('notifications').where({ user_id: other.id }).orderBy('id', 'desc').first();
      const before = JSON.stringify(await server.db('notifications').orderBy('id'));

      expectProblem(await legal.post(`/api/notifications/${theirs.id}/read`), 404, 'NOT_FOUND');
      expectProblem(await legal.post('/api/notifications/abc/read'), 404, 'NOT_FOUND');
      expectProblem(await legal.get('/api/notifications?limit=0'), 400, 'MALFORMED_REQUEST');
      expectProblem(await new ApiClient(server.baseUrl).get('/api/notifications'), 401, 'UNAUTHENTICATED');
      expect(JSON.stringify(await server.db('notifications').orderBy('id'))).to.equal(before);
    });
  });

  describe('webhooks', () => {
    it('when someone other than an administrator manages webhooks, then 403 problem+json and nothing changes', async () => {
      const before = JSON.stringify(await webhookRows());
      expectProblem(await legal.post('/api/webhooks', { url: 'https://example.org/hook' }), 403, 'FORBIDDEN');
      expectProblem(await legal.get('/api/webhooks'), 403, 'FORBIDDEN');
      expectProblem(await legal.request('DELETE', '/api/webhooks/1'), 403, 'FORBIDDEN');
      expectProblem(await legal.get('/api/webhooks/1/deliveries'), 403, 'FORBIDDEN');
      expectProblem(await new ApiClient(server.baseUrl).post('/api/webhooks', { url: 'https://example.org/hook' }), 401, 'UNAUTHENTICATED');
      expect(JSON.stringify(await webhookRows())).to.equal(before);
    });

    it('when an administrator registers a webhook, then 201 shows the secret once and neither the list nor the database shows it', async () => {
      const response = await admin.post('/api/webhooks', { url: 'https://hooks.sverdlovsk.example/bilateral' });
      const created = ok(response, 201);
      expect(created).to.include({ party: 'sverdlovsk', url: 'https://hooks.sverdlovsk.example/bilateral', active: true });
      expect(created.secret).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);

      const listed = ok(await admin.get('/api/webhooks'));
      const entry = listed.find((webhook: { id: number }) => webhook.id === created.id);
      expect(entry).to.deep.equal({ id: created.id, party: 'sverdlovsk', url: created.url, active: true, createdAt: created.createdAt });
      expect(JSON.stringify(listed)).to.not.include(created.secret);
      expect(ok(await adminGyeonggi.get('/api/webhooks')).map((webhook: { id: number }) => webhook.id)).to.not.include(created.id);

      const row = await server.db('webhooks').where({ id: created.id }).first();
      expect(row.sealed_secret).to.not.include(created.secret);
      expect(openWebhookSecret(server.deps.config.secret, created.id, row.sealed_secret)).to.equal(created.secret);
    });

    it('when the URL or body is not acceptable, then 400 or 422 problem+json and no webhook is stored', async () => {
      const before = await countRows(server.db, 'webhooks');
      expectProblem(await admin.post('/api/webhooks', {}), 400, 'MALFORMED_REQUEST');
      expectProblem(await admin.post('/api/webhooks', { url: 'https://example.org/hook', secret: 'mine' }), 400, 'MALFORMED_REQUEST');
      const refusedByPolicy = [
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]:5432/',
        'http://127.0.0.2:5432/',
        'http://metadata.google.internal/',
      ];
      for (const url of [
        'ftp://example.org/hook',
        'http://user:password@example.org/hook',
        'not a url',
        'javascript:alert(1)',
        'https://example.org/hook#x',
        ...refusedByPolicy,
      ]) {
        const response = await admin.post('/api/webhooks', { url });
        expectProblem(response, 422, 'RULE_VIOLATION');
        expect(response.body.detail).to.match(/^The webhook URL is refused: /);
      }
      expect(await countRows(server.db, 'webhooks')).to.equal(before);
    });

    it('when a webhook is deleted, then it is deactivated; the other party’s administrator can neither delete it nor read its log', async () => {
      const created = ok(await admin.post('/api/webhooks', { url: 'https://hooks.sverdlovsk.example/old' }), 201);
      const before = JSON.stringify(await webhookRows());
      expectProblem(await adminGyeonggi.request('DELETE', `/api/webhooks/${created.id}`), 404, 'NOT_FOUND');
      expectProblem(await adminGyeonggi.get(`/api/webhooks/${created.id}/deliveries`), 404, 'NOT_FOUND');
      expectProblem(await admin.request('DELETE', '/api/webhooks/abc'), 404, 'NOT_FOUND');
      expect(JSON.stringify(await webhookRows())).to.equal(before);

      expect(ok(await admin.request('DELETE', `/api/webhooks/${created.id}`))).to.include({ id: created.id, active: false });
      expectProblem(await admin.request('DELETE', `/api/webhooks/${created.id}`), 404, 'NOT_FOUND');
      expect(ok(await admin.get('/api/webhooks')).find((webhook: { id: number }) => webhook.id === created.id)).to.include({
        active: false,
      });
    });

    it('when an event is notified and the dispatcher sends it, then the delivery log shows it with its body and outcome', async () => {
      const received: { body: string; signature: string; timestamp: string }[] = [];
      const receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          received.push({
            body,
            signature: String(request.headers['x-bilateral-signature']),
            timestamp: String(request.headers['x-bilateral-timestamp']),
          });
          response.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        // Only the local receiver is to be called: there is no outside network here.
        for (const webhook of ok(await admin.get('/api/webhooks'))) {
          if (webhook.active) ok(await admin.request('DELETE', `/api/webhooks/${webhook.id}`));
        }
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/bilateral`;
        const created = ok(await admin.post('/api/webhooks', { url }), 201);
        const occurredAt = server.deps.now();
        const { eventId } = await server.db.transaction((trx) =>
          notify(trx, { agreementId, kind: 'reminder', payload: { stage: 'approval' }, userIds: [], occurredAt }),
        );

        const [queued] = ok(await admin.get(`/api/webhooks/${created.id}/deliveries`));
        expect(queued).to.include({ eventId, kind: 'reminder', status: 'pending', attempts: 0, lastStatusCode: null });
        expect(queued.body).to.deep.equal({
          id: eventId,
          kind: 'reminder',
          agreementId,
          occurredAt: occurredAt.toISOString(),
          data: { stage: 'approval' },
        });

        await createWebhookDispatcher(server.deps, { processId: 'api-test', log: () => undefined }).runOnce();

        const [sent] = ok(await admin.get(`/api/webhooks/${created.id}/deliveries`));
        expect(sent).to.include({ eventId, status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null });
        const ours = received.filter((request) => JSON.parse(request.body).id === eventId);
        expect(ours).to.have.length(1);
        const expected = `sha256=${createHmac('sha256', created.secret).update(`${ours[0]!.timestamp}.${ours[0]!.body}`).digest('hex')}`;
        expect(ours[0]!.signature).to.equal(expected);
      } finally {
        receiver.closeAllConnections();
        await new Promise((resolve) => receiver.close(resolve));
      }
    });
  });
});
