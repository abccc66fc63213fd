import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { openPrivateKey } from '../../server/signing/key-vault.ts';
import { MAX_ITERATIONS_PER_DERIVATION } from '../../server/signing/pkcs12-limits.ts';
import { allTrustAnchors } from '../../server/signatures/load-trust-anchors.ts';
import { verifyPdf, type TrustAnchor } from '../../server/signing/verify-pdf.ts';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import {
  COOPERATION,
  HAPPY_PATH,
  LETTER_OF_INTENT,
  demoCertificateAuthorities,
  runEvents,
  storedOriginal,
} from '../support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { countRows } from '../support/snapshot.ts';
import { createRootCa, issueCertificate, openssl, scratchDirectory, type FileCredential } from '../signing/openssl-pki.ts';

/**
 * The rules of trust anchors: a CA belongs to one party (422 when another party registers it: a rule
 * refused it, nothing conflicts with a version), a CA not valid yet is refused, an anchor is retired
 * (recorded, never deleted) and keeps attributing what was signed before, and which party a signature
 * belongs to never depends on the order of the anchors.
 */

function expectProblem(response: ApiResponse, status: number, code: string, detail?: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.contentType).to.match(/^application\/problem\+json/);
  expect(response.body.code).to.equal(code);
  if (detail) expect(response.body.detail).to.match(detail);
}

/** The seed's letter of intent, signed by both demo CAs on 2012-06-14: a signature made long before any retirement. */
async function letterOfIntent(server: TestServer): Promise<Buffer> {
  return storedOriginal(server, LETTER_OF_INTENT, 'gyeonggi');
}

/** POST /api/verify as `email`, the PDF as the body (as curl --data-binary would send it): the parties of its signatures. */
async function verifyOverHttp(
  server: TestServer,
  email: string,
  pdf: Buffer,
): Promise<{ party: string | null; trusted: boolean; problems: string[] }[]> {
  const session = await fetch(`${server.baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const { token } = (await session.json()) as { token: string };
  const response = await fetch(`${server.baseUrl}/api/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
    body: pdf,
  });
  expect(response.status).to.equal(200);
  return ((await response.json()) as { signatures: { party: string | null; trusted: boolean; problems: string[] }[] }).signatures;
}

/** Another certificate of the party's demo CA: the same name, key and validity under another serial number, as a re-issue would be. */
async function reissuedDemoCa(server: TestServer, party: string, directory: string): Promise<string> {
  const row = await server.db('credentials').where({ party_key: party, purpose: 'ca' }).whereNull('user_id').first();
  const keyFile = path.join(directory, `${party}-ca.key`);
  const certificateFile = path.join(directory, `${party}-ca.pem`);
  const key = openPrivateKey(server.deps.config.secret, `ca:${party}:party`, row.encrypted_key);
  writeFileSync(
    keyFile,
    `-----BEGIN PRIVATE KEY-----\n${key
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END PRIVATE KEY-----\n`,
  );
  writeFileSync(certificateFile, row.certificate_pem);
  return openssl(['x509', '-in', certificateFile, '-signkey', keyFile, '-preserve_dates', '-set_serial', '4242', '-sha256']);
}

describe('trust anchors: a CA belongs to one party', () => {
  let server: TestServer;
  let directory: string;
  let gyeonggiAdmin: ApiClient;
  let sverdlovskAdmin: ApiClient;

  beforeEach(async () => {
    server = await startTestServer();
    directory = scratchDirectory();
    gyeonggiAdmin = await ApiClient.signIn(server.baseUrl, 'admin@gyeonggi.example');
    sverdlovskAdmin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
  });
  afterEach(async () => server?.close());

  it('when an administrator registers the other party’s CA, as embedded in any signed original, then 422 names its holder, nothing is stored and signatures stay attributed', async () => {
    const sverdlovskCa = (await demoCertificateAuthorities(server)).find((authority) => authority.party === 'sverdlovsk')!.certificatePem;
    const rows = await countRows(server.db, 'credentials');
    expectProblem(
      await gyeonggiAdmin.post('/api/parties/gyeonggi/trust-anchors', { certificate: sverdlovskCa }),
      422,
      'RULE_VIOLATION',
      /one of sverdlovsk's trust anchors; a CA belongs to one party/,
    );
    // Another certificate of the same CA (same name, same key) is the same CA.
    const reissued = await reissuedDemoCa(server, 'sverdlovsk', directory);
    expectProblem(
      await gyeonggiAdmin.post('/api/parties/gyeonggi/trust-anchors', { certificate: reissued }),
      422,
      'RULE_VIOLATION',
      /the same name and key.*sverdlovsk/,
    );
    expect(await countRows(server.db, 'credentials')).to.equal(rows);

    const signatures = await verifyOverHttp(server, 'observer@gyeonggi.example', await letterOfIntent(server));
    expect(signatures.map((signature) => [signature.party, signature.trusted])).to.deep.equal([
      ['sverdlovsk', true],
      ['gyeonggi', true],
    ]);
  });

  it('when two parties’ administrators register the same new CA at once, then exactly one holds it: the database decides', async () => {
    const root = await createRootCa(directory, 'Contested');
    const responses = await Promise.all([
      gyeonggiAdmin.post('/api/parties/gyeonggi/trust-anchors', { certificate: root.certificatePem }),
      sverdlovskAdmin.post('/api/parties/sverdlovsk/trust-anchors', { certificate: root.certificatePem }),
    ]);
    expect(responses.map((response) => response.status).sort()).to.deep.equal([201, 422]);
    const refused = responses.find((response) => response.status === 422)!;
    expect(refused.body.detail).to.match(/a CA belongs to one party/);
    expect(Number((await server.db('credentials').where({ purpose: 'anchor' }).count({ n: '*' }).first())!.n)).to.equal(1);
  });

  it('when the CA is not valid yet, then 422 says from when, and nothing is stored', async () => {
    const root = await createRootCa(directory, 'Future');
    const future = await issueCertificate(root, 'future-ca', {
      commonName: 'Future Issuing CA',
      isCa: true,
      notBefore: '20400101000000Z',
      notAfter: '20500101000000Z',
    });
    const rows = await countRows(server.db, 'credentials');
    expectProblem(
      await gyeonggiAdmin.post('/api/parties/gyeonggi/trust-anchors', { certificate: future.certificatePem }),
      422,
      'RULE_VIOLATION',
      /not valid before 2040-01-01/,
    );
    expect(await countRows(server.db, 'credentials')).to.equal(rows);
  });

  it('when two parties’ anchors are the same CA all the same (data from before the rule), then its signatures go to neither, whatever the anchors’ order', async () => {
    const reissued = await reissuedDemoCa(server, 'sverdlovsk', directory);
    const anchors: TrustAnchor[] = [...(await allTrustAnchors(server.db)), { party: 'gyeonggi', certificatePem: reissued }];
    const pdf = await letterOfIntent(server);
    const reports = [await verifyPdf(pdf, anchors), await verifyPdf(pdf, [...anchors].reverse())];
    for (const report of reports) {
      const [sverdlovsk, gyeonggi] = report.signatures;
      expect(sverdlovsk!.party).to.equal(null);
      expect(sverdlovsk!.trusted).to.equal(false);
      expect(sverdlovsk!.problems.join('; ')).to.match(/more than one party \(gyeonggi, sverdlovsk\)/);
      expect(gyeonggi!.party).to.equal('gyeonggi');
    }
    expect(reports[0]!.signatures).to.deep.equal(reports[1]!.signatures);
  });

  it('when the anchors come in any order, then each signature goes to the party whose CA issued it', async () => {
    const anchors = await allTrustAnchors(server.db);
    const pdf = await letterOfIntent(server);
    for (const order of [anchors, [...anchors].reverse()]) {
      const report = await verifyPdf(pdf, order);
      expect(report.valid, JSON.stringify(report.signatures.map((signature) => signature.problems))).to.equal(true);
      expect(report.signatures.map((signature) => signature.party)).to.deep.equal(['sverdlovsk', 'gyeonggi']);
    }
  });

  it('when a PKCS#12 names more iterations than the cap, then 422 names the limit at once and nothing is stored', async () => {
    const root = await createRootCa(directory, 'Gyeonggi');
    expect((await gyeonggiAdmin.post('/api/parties/gyeonggi/trust-anchors', { certificate: root.certificatePem })).status).to.equal(201);
    const signer: FileCredential = await issueCertificate(root, 'signer', {
      commonName: 'Signer',
      email: 'signatory@gyeonggi.example',
      days: 30,
    });
    const file = path.join(directory, 'many-iterations.p12');
    await openssl([
      'pkcs12',
      '-export',
      '-iter',
      String(4 * MAX_ITERATIONS_PER_DERIVATION),
      '-in',
      signer.certificateFile,
      '-inkey',
      signer.keyFile,
      '-passout',
      'pass:x',
      '-out',
      file,
    ]);
    const rows = await countRows(server.db, 'credentials');
    const started = performance.now();
    const response = await gyeonggiAdmin.post('/api/signatories/signatory@gyeonggi.example/credentials', {
      pkcs12: readFileSync(file).toString('base64'),
      passphrase: 'x',
    });
    expectProblem(
      response,
      422,
      'RULE_VIOLATION',
      new RegExp(`iteration count is ${4 * MAX_ITERATIONS_PER_DERIVATION}; at most ${MAX_ITERATIONS_PER_DERIVATION}`),
    );
    // Deriving them would take seconds; the refusal reads a count. A generous bound.
    expect(performance.now() - started).to.be.below(1500);
    expect(await countRows(server.db, 'credentials')).to.equal(rows);
  });
});

describe('trust anchors: retiring', () => {
  let server: TestServer;
  let admin: ApiClient;

  before(async () => {
    server = await startTestServer();
    admin = await ApiClient.signIn(server.baseUrl, 'admin@gyeonggi.example');
  });
  after(async () => server?.close());

  const demoCaId = async () =>
    (await admin.get('/api/parties/gyeonggi/trust-anchors')).body.find((anchor: { kind: string }) => anchor.kind === 'ca').id as number;

  it('when anyone but the party’s administrator retires an anchor, or without a reason, then it is refused and nothing changes', async () => {
    const id = await demoCaId();
    const signatory = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
    const otherAdmin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    expectProblem(await signatory.post(`/api/parties/gyeonggi/trust-anchors/${id}/retire`, { reason: 'compromised' }), 403, 'FORBIDDEN');
    expectProblem(await otherAdmin.post(`/api/parties/gyeonggi/trust-anchors/${id}/retire`, { reason: 'compromised' }), 404, 'NOT_FOUND');
    expectProblem(await otherAdmin.post(`/api/parties/sverdlovsk/trust-anchors/${id}/retire`, { reason: 'compromised' }), 404, 'NOT_FOUND');
    expectProblem(await admin.post(`/api/parties/gyeonggi/trust-anchors/${id}/retire`, {}), 400, 'MALFORMED_REQUEST');
    expect(Number((await server.db('credentials').whereNotNull('retired_at').count({ n: '*' }).first())!.n)).to.equal(0);
  });

  it('when the administrator retires the party’s CA, then who, when and why are recorded, the anchor stays listed, and a second retirement is refused', async () => {
    const id = await demoCaId();
    const rows = await countRows(server.db, 'credentials');
    const response = await admin.post(`/api/parties/gyeonggi/trust-anchors/${id}/retire`, { reason: 'moving to the provincial PKI' });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.deep.include({ id, party: 'gyeonggi', kind: 'ca' });
    expect(response.body.retired).to.deep.include({ by: 'admin@gyeonggi.example', reason: 'moving to the provincial PKI' });
    expect(new Date(response.body.retired.at).getTime()).to.be.closeTo(Date.now(), 60_000);
    expect(await countRows(server.db, 'credentials')).to.equal(rows);
    const listed = await (await ApiClient.signIn(server.baseUrl, 'observer@gyeonggi.example')).get('/api/parties/gyeonggi/trust-anchors');
    expect(listed.body.find((anchor: { id: number }) => anchor.id === id)).to.deep.equal(response.body);
    expectProblem(
      await admin.post(`/api/parties/gyeonggi/trust-anchors/${id}/retire`, { reason: 'again' }),
      422,
      'RULE_VIOLATION',
      /was retired at/,
    );
    expect((await server.db('credentials').where({ id }).first()).retired_reason).to.equal('moving to the provincial PKI');
  });

  it('when a signature made before the retirement is verified, then it is still trusted and attributed; the CA cannot be taken by the other party either', async () => {
    const signatures = await verifyOverHttp(server, 'observer@sverdlovsk.example', await letterOfIntent(server));
    expect(signatures.map((signature) => [signature.party, signature.trusted, signature.problems])).to.deep.equal([
      ['sverdlovsk', true, []],
      ['gyeonggi', true, []],
    ]);
    const gyeonggiCa = (await demoCertificateAuthorities(server)).find((authority) => authority.party === 'gyeonggi')!.certificatePem;
    const sverdlovskAdmin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    expectProblem(
      await sverdlovskAdmin.post('/api/parties/sverdlovsk/trust-anchors', { certificate: gyeonggiCa }),
      422,
      'RULE_VIOLATION',
      /one of gyeonggi's trust anchors/,
    );
  });

  it('when a signature is dated after the retirement, then it is not trusted and the problem says the CA was retired', async () => {
    const anchors = (await allTrustAnchors(server.db)).map((anchor) =>
      anchor.party === 'gyeonggi' ? { ...anchor, retiredAt: '2012-01-01T00:00:00.000Z' } : anchor,
    );
    const [sverdlovsk, gyeonggi] = (await verifyPdf(await letterOfIntent(server), anchors)).signatures;
    expect(sverdlovsk!.trusted).to.equal(true);
    expect(gyeonggi!.trusted).to.equal(false);
    expect(gyeonggi!.party).to.equal(null);
    expect(gyeonggi!.problems.join('; ')).to.match(/a CA gyeonggi retired at 2012-01-01T00:00:00.000Z, before the signing time/);
  });

  it('when the party’s signatory signs after its only CA was retired, then SIGN is refused with 422 and the agreement does not change', async () => {
    await runEvents(server, COOPERATION, HAPPY_PATH.slice(0, 6));
    const signatory = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
    const { version } = (await signatory.get(`/api/agreements/${COOPERATION}`)).body;
    const response = await signatory.post(`/api/agreements/${COOPERATION}/events`, {
      type: 'SIGN',
      expectedVersion: version,
      password: DEMO_PASSWORD,
    });
    expectProblem(response, 422, 'RULE_VIOLATION', /no trust anchor in service/);
    expect((await signatory.get(`/api/agreements/${COOPERATION}`)).body.version).to.equal(version);
  });
});
