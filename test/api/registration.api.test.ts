import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { create } from 'xmlbuilder2';
import { parsePdfsig, tempFile, tool } from '../support/pdf-tools.ts';
import { ApiClient, ok } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { COOPERATION, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { storedAgreement } from '../support/snapshot.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe(`registration after signature (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
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
    expect((await legal.get(`/api/agreements/${COOPERATION}/dossier`)).status).to.equal(409);

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
    // Nor can Sverdlovsk notify its completion by hand: its notification is its registration.
    for (const email of ['legal@sverdlovsk.example', 'official@sverdlovsk.example']) {
      const byHand = await (await ApiClient.signIn(server.baseUrl, email)).post(`/api/agreements/${COOPERATION}/events`, {
        type: 'NOTIFY_COMPLETION',
        expectedVersion: version,
      });
      expect(byHand.status, JSON.stringify(byHand.body)).to.equal(409);
      expect(byHand.contentType).to.match(/^application\/problem\+json/);
      expect(byHand.body.code).to.equal('INVALID_TRANSITION');
      expect(byHand.body.detail).to.include('registration');
    }
    expect(executed.nextEvents).to.not.include('NOTIFY_COMPLETION');
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

    // The dossier: the signed originals, each language as Akoma Ntoso, the statement, a manifest of true hashes.
    const dossier = await legalLater.get(`/api/agreements/${COOPERATION}/dossier`);
    expect(dossier.status).to.equal(200);
    expect(dossier.contentType).to.equal('application/zip');
    const files = unzipSync(new Uint8Array(dossier.bytes));
    const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8'));
    expect(Object.keys(files).sort()).to.deep.equal(
      [
        'manifest.json',
        'originals/gyeonggi.pdf',
        'originals/sverdlovsk.pdf',
        'statement.json',
        'texts/en.akn.xml',
        'texts/ko.akn.xml',
        'texts/ru.akn.xml',
      ].sort(),
    );
    for (const entry of manifest.files) expect(sha(files[entry.path]!), entry.path).to.equal(entry.sha256);
    for (const party of ['sverdlovsk', 'gyeonggi']) {
      const stored = await server
        .db('originals')
        .where({ agreement_id: COOPERATION, party_key: party })
        .orderBy('revision', 'desc')
        .first();
      expect(sha(files[`originals/${party}.pdf`]!)).to.equal(stored.sha256);
      const { stdout } = await tool('pdfsig', [tempFile(`${party}.pdf`, Buffer.from(files[`originals/${party}.pdf`]!))]);
      expect(parsePdfsig(stdout).map((signature) => signature.valid)).to.deep.equal([true, true]);
    }
    const statement = JSON.parse(Buffer.from(files['statement.json']!).toString('utf8'));
    expect(statement).to.deep.include({ prevailingLanguage: 'en', signedOn: '2026-03-02', inForceOn: '2026-04-09' });
    expect(statement.parties[0]).to.deep.include({
      party: 'sverdlovsk',
      entryIntoForce: { method: 'notification', date: '2026-04-09' },
      registration: { required: true, state: 'registered', authority, number: 'RU66-2026-0017', registeredOn: '2026-04-09' },
    });
    expect(statement.parties[1].entryIntoForce).to.deep.equal({ method: 'notification', date: '2026-03-02' });
    for (const lang of ['ru', 'ko', 'en']) {
      const xml = create(Buffer.from(files[`texts/${lang}.akn.xml`]!).toString('utf8')).end({ format: 'object' }) as Record<string, any>;
      const act = xml.akomaNtoso.act;
      expect(xml.akomaNtoso['@xmlns']).to.equal('http://docs.oasis-open.org/legaldocml/ns/akn/3.0');
      const expression = act.meta.identification.FRBRExpression;
      expect(expression.FRBRauthoritative['@value']).to.equal('true');
      expect(expression.FRBRlanguage['@language']).to.equal({ ru: 'rus', ko: 'kor', en: 'eng' }[lang]);
      expect(act.body.article).to.have.length(agreement.clauses.length - 3);
    }

    // A registration stays as recorded.
    const moved = await legalLater.put(path, { ...registered, registeredOn: '2026-04-08', expectedVersion: agreement.version });
    expect(moved.status).to.equal(422);
  });
});
