import { expect } from 'chai';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe(`registration after signature (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  const ok = (response: ApiResponse, status = 200) => {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    return response.body;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('when the Russian party records its federal registration, then that is its notification of completion, dated on the day of registration', async () => {
    server.clock.set('2026-03-02T09:00:00Z');
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    const path = `/api/agreements/${COOPERATION}/registrations/sverdlovsk`;
    const draft = ok(await legal.get(`/api/agreements/${COOPERATION}`));
    // The demo agreement continues the letter of intent: binding, with a Russian party, in force on notifications.
    expect(draft.variables.entryIntoForce).to.equal('notifications');
    const authority = 'Министерство юстиции Российской Федерации';
    expect((await legal.put(path, { authority, submittedOn: '2026-03-02', expectedVersion: draft.version })).status).to.equal(409);

    await runEvents(server, COOPERATION, HAPPY_PATH);
    const executed = ok(await legal.get(`/api/agreements/${COOPERATION}`));
    expect(executed.registrations).to.deep.equal([
      {
        party: 'sverdlovsk',
        required: true,
        state: 'pending',
        needs: ['signed-texts', 'federal-coordination', 'covering-letter'],
        authority,
        submittedOn: null,
        number: null,
        registeredOn: null,
        recordedBy: null,
        recordedAt: null,
        completesNotification: true,
      },
      {
        party: 'gyeonggi',
        required: false,
        state: 'not-required',
        needs: [],
        authority: null,
        submittedOn: null,
        number: null,
        registeredOn: null,
        recordedBy: null,
        recordedAt: null,
        completesNotification: false,
      },
    ]);

    // Refused: another party's registration, an observer, a number without its date, a date before the signatures.
    const before = await storedAgreement(server.db, COOPERATION);
    const version = executed.version;
    const gyeonggi = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    expect((await gyeonggi.put(path, { authority, submittedOn: '2026-03-02', expectedVersion: version })).status).to.equal(403);
    const observer = await ApiClient.signIn(server.baseUrl, 'observer@sverdlovsk.example');
    expect((await observer.put(path, { authority, submittedOn: '2026-03-02', expectedVersion: version })).status).to.equal(403);
    const numberAlone = await legal.put(path, { authority, number: '123', expectedVersion: version });
    expect(numberAlone.status).to.equal(422);
    expect(numberAlone.body.field).to.equal('registeredOn');
    const early = await legal.put(path, { authority, submittedOn: '2026-03-01', expectedVersion: version });
    expect(early.status).to.equal(422);
    expect(early.body.detail).to.include('submittedOn cannot be 2026-03-01');
    expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);

    let agreement = ok(await legal.put(path, { authority, submittedOn: '2026-03-02', expectedVersion: version }));
    expect(agreement).to.include({ state: 'executed', version: version + 1 });
    expect(agreement.registrations[0]).to.include({
      state: 'submitted',
      submittedOn: '2026-03-02',
      recordedBy: 'legal@sverdlovsk.example',
    });

    // Gyeonggi notifies; Sverdlovsk's registration, recorded days later, is the later notification.
    const official = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
    agreement = ok(
      await official.post(`/api/agreements/${COOPERATION}/events`, { type: 'NOTIFY_COMPLETION', expectedVersion: agreement.version }),
    );
    server.clock.set('2026-04-10T09:00:00Z');
    const registered = { authority, submittedOn: '2026-03-02', number: 'RU66-2026-0017', registeredOn: '2026-04-09' };
    // Tokens live for hours: sign in again on the later day.
    const legalLater = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    agreement = ok(await legalLater.put(path, { ...registered, expectedVersion: agreement.version }));
    expect(agreement.state).to.equal('in-force');
    expect(agreement.lifecycle.completions.sverdlovsk).to.equal('2026-04-09');
    expect(agreement.lifecycle.inForceSince).to.equal('2026-04-09');
    expect(agreement.registrations[0]).to.include({ state: 'registered', number: 'RU66-2026-0017', registeredOn: '2026-04-09' });
    const audit = ok(await legalLater.get(`/api/agreements/${COOPERATION}/audit`));
    expect(audit.slice(-2).map((entry: { event: string; to: string }) => [entry.event, entry.to])).to.deep.equal([
      ['NOTIFY_COMPLETION', 'in-force'],
      ['RECORD_REGISTRATION', 'in-force'],
    ]);
    expect(ok(await legalLater.get(`/api/agreements/${COOPERATION}/audit/verify`)).valid).to.equal(true);

    // The register shows the number and finds the agreement by it.
    const found = ok(await legalLater.get('/api/agreements?registration=RU66-2026-0017')).agreements;
    expect(found.map((row: { id: number; registrations: unknown }) => [row.id, row.registrations])).to.deep.equal([
      [COOPERATION, [{ party: 'sverdlovsk', number: 'RU66-2026-0017', registeredOn: '2026-04-09' }]],
    ]);
    expect(ok(await legalLater.get('/api/agreements?registration=RU66-2026-0018')).agreements).to.deep.equal([]);

    // A registration stays as recorded.
    const moved = await legalLater.put(path, { ...registered, registeredOn: '2026-04-08', expectedVersion: agreement.version });
    expect(moved.status).to.equal(422);
  });
});
