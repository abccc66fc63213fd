import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { openPrivateKey } from '../../server/signing/key-vault.ts';
import { verifyPdf } from '../../server/signing/verify-pdf.ts';
import { allTrustAnchors } from '../../server/signatures/load-trust-anchors.ts';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { COOPERATION, demoCertificateAuthorities, HAPPY_PATH, runEvents } from '../support/execute-demo.ts';
import { nssDatabaseTrusting, parsePdfsig, tempFile, tool } from '../support/pdf-tools.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { countRows, storedAgreement } from '../support/snapshot.ts';
import { createRootCa, exportPkcs12, issueCertificate, openssl, scratchDirectory, type FileCredential } from '../signing/openssl-pki.ts';

const TO_SIGNING = HAPPY_PATH.slice(0, 5);
const PASSPHRASE = 'correct horse battery staple';

function expectProblem(response: ApiResponse, status: number, code: string, detail?: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.contentType).to.match(/^application\/problem\+json/);
  expect(response.body.code).to.equal(code);
  if (detail) expect(response.body.detail).to.match(detail);
}

/** Runs the request and asserts it is refused with status and code, and that the agreement's stored state did not change. */
async function expectRefusedWithoutChange(
  server: TestServer,
  send: () => Promise<ApiResponse>,
  status: number,
  code: string,
  detail?: RegExp,
): Promise<ApiResponse> {
  const before = await storedAgreement(server.db, COOPERATION);
  const response = await send();
  expectProblem(response, status, code, detail);
  expect(await storedAgreement(server.db, COOPERATION)).to.equal(before);
  return response;
}

async function currentVersion(client: ApiClient): Promise<number> {
  return (await client.get(`/api/agreements/${COOPERATION}`)).body.version;
}

async function checkWithPdfsigAndQpdf(pdf: Buffer, trusted: string[]): Promise<void> {
  const file = tempFile('signed.pdf', pdf);
  const { stdout } = await tool('pdfsig', ['-nssdir', await nssDatabaseTrusting(trusted), file]);
  const signatures = parsePdfsig(stdout);
  expect(signatures, stdout).to.have.length(2);
  for (const signature of signatures)
    expect(signature, stdout).to.include({ valid: true, trusted: true, subFilter: 'ETSI.CAdES.detached' });
  expect(signatures.map((signature) => signature.totalDocument)).to.deep.equal([false, true]);
  const qpdf = await tool('qpdf', ['--check', file]);
  expect(qpdf.code, qpdf.stdout + qpdf.stderr).to.equal(0);
  expect(qpdf.stderr).to.equal('');
  expect(qpdf.stdout).to.not.match(/WARNING/i);
}

describe('signing asks for the password again', () => {
  let server: TestServer;
  let signatory: ApiClient;
  before(async () => {
    server = await startTestServer();
    await runEvents(server, COOPERATION, TO_SIGNING);
    signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
  });
  after(async () => server?.close());

  it('when SIGN comes without a password, then 400 naming it and nothing changes', async () => {
    const version = await currentVersion(signatory);
    const response = await expectRefusedWithoutChange(
      server,
      () => signatory.post(`/api/agreements/${COOPERATION}/events`, { type: 'SIGN', expectedVersion: version }),
      400,
      'MALFORMED_REQUEST',
      /password/,
    );
    expect(response.body.field).to.equal('password');
  });

  it('when the password is wrong, then 403 and nothing changes', async () => {
    const version = await currentVersion(signatory);
    await expectRefusedWithoutChange(
      server,
      () =>
        signatory.post(`/api/agreements/${COOPERATION}/events`, { type: 'SIGN', expectedVersion: version, password: 'not my password' }),
      403,
      'FORBIDDEN',
      /password/,
    );
  });

  it('when someone who may not sign sends a password, then the policy answers first', async () => {
    const official = await ApiClient.signIn(server.baseUrl, 'official@sverdlovsk.example');
    const version = await currentVersion(official);
    await expectRefusedWithoutChange(
      server,
      () => official.post(`/api/agreements/${COOPERATION}/events`, { type: 'SIGN', expectedVersion: version, password: 'guess' }),
      403,
      'FORBIDDEN',
      /may not send SIGN/,
    );
  });

  it('when the password is right, then the signature is made and the password is stored nowhere', async () => {
    const version = await currentVersion(signatory);
    const response = await signatory.post(`/api/agreements/${COOPERATION}/events`, {
      type: 'SIGN',
      expectedVersion: version,
      password: DEMO_PASSWORD,
    });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    expect(response.body).to.deep.equal({ state: 'signing', version: version + 1 });
    const audit = await server.db('audit_events').where({ agreement_id: COOPERATION, event: 'SIGN' });
    expect(JSON.stringify(audit)).to.not.include(DEMO_PASSWORD);
  });
});

describe('a government brings its own certificates', () => {
  let server: TestServer;
  let directory: string;
  let root: FileCredential;
  let signer: FileCredential;
  let admin: ApiClient;
  let signatory: ApiClient;
  const url = '/api/signatories/signatory@gyeonggi.example/credentials';

  before(async () => {
    server = await startTestServer();
    directory = scratchDirectory();
    root = await createRootCa(directory, 'Gyeonggi');
    signer = await issueCertificate(root, 'signer', { commonName: '박정의 (own PKI)', email: 'signatory@gyeonggi.example', days: 365 });
    admin = await ApiClient.signIn(server.baseUrl, 'admin@gyeonggi.example');
    signatory = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
  });
  after(async () => server?.close());

  const pkcs12Of = async (credential: FileCredential, encryption: 'legacy' | 'modern' = 'legacy') =>
    (await exportPkcs12(credential, [root], PASSPHRASE, encryption)).toString('base64');

  it('when the certificate does not chain to a trust anchor of the party yet, then 422 names the chain and nothing is stored', async () => {
    const rows = await countRows(server.db, 'credentials');
    expectProblem(
      await signatory.post(url, { pkcs12: await pkcs12Of(signer), passphrase: PASSPHRASE }),
      422,
      'RULE_VIOLATION',
      /does not chain to any of gyeonggi's trust anchors/,
    );
    expect(await countRows(server.db, 'credentials')).to.equal(rows);
  });

  it('when anyone but the party’s administrator registers a trust anchor, then it is refused; the administrator’s is listed', async () => {
    const certificate = root.certificatePem;
    expectProblem(await signatory.post('/api/parties/gyeonggi/trust-anchors', { certificate }), 403, 'FORBIDDEN');
    const otherAdmin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    expectProblem(await otherAdmin.post('/api/parties/gyeonggi/trust-anchors', { certificate }), 404, 'NOT_FOUND');
    expectProblem(
      await admin.post('/api/parties/gyeonggi/trust-anchors', { certificate: signer.certificatePem }),
      422,
      'RULE_VIOLATION',
      /not a CA certificate/,
    );

    const created = await admin.post('/api/parties/gyeonggi/trust-anchors', { certificate });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.include({ party: 'gyeonggi', kind: 'anchor' });
    expect(created.body.certificate.subject).to.include('CN=Gyeonggi Root CA');
    expectProblem(await admin.post('/api/parties/gyeonggi/trust-anchors', { certificate }), 422, 'RULE_VIOLATION', /already/);

    const listed = await signatory.get('/api/parties/gyeonggi/trust-anchors');
    expect(listed.body.map((anchor: { kind: string }) => anchor.kind)).to.deep.equal(['ca', 'anchor']);
  });

  it('when the PKCS#12’s passphrase is wrong, then 422 and nothing is stored', async () => {
    const rows = await countRows(server.db, 'credentials');
    expectProblem(
      await signatory.post(url, { pkcs12: await pkcs12Of(signer), passphrase: 'wrong' }),
      422,
      'RULE_VIOLATION',
      /passphrase is wrong/,
    );
    expectProblem(
      await signatory.post(url, { pkcs12: Buffer.from('not a pkcs12').toString('base64'), passphrase: 'x' }),
      422,
      'RULE_VIOLATION',
      /could not be read/,
    );
    expect(await countRows(server.db, 'credentials')).to.equal(rows);
  });

  it('when the certificate is expired, not yet valid or not for signing, then 422 says which', async () => {
    const expired = await issueCertificate(root, 'expired', {
      commonName: 'Expired',
      notBefore: '20200101000000Z',
      notAfter: '20210101000000Z',
    });
    const future = await issueCertificate(root, 'future', {
      commonName: 'Future',
      notBefore: '20400101000000Z',
      notAfter: '20410101000000Z',
    });
    const encipherOnly = await issueCertificate(root, 'encipher', {
      commonName: 'Encryption only',
      keyUsage: 'critical,keyEncipherment',
      days: 30,
    });
    expectProblem(
      await signatory.post(url, { pkcs12: await pkcs12Of(expired), passphrase: PASSPHRASE }),
      422,
      'RULE_VIOLATION',
      /expired at 2021-01-01T00:00:00.000Z/,
    );
    expectProblem(
      await signatory.post(url, { pkcs12: await pkcs12Of(future), passphrase: PASSPHRASE }),
      422,
      'RULE_VIOLATION',
      /not valid before 2040-01-01/,
    );
    expectProblem(
      await signatory.post(url, { pkcs12: await pkcs12Of(encipherOnly), passphrase: PASSPHRASE }),
      422,
      'RULE_VIOLATION',
      /neither digitalSignature nor nonRepudiation/,
    );
  });

  it('when someone other than the signatory or their administrator uploads, then 403; another party’s administrator gets 404', async () => {
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@gyeonggi.example');
    expectProblem(await legal.post(url, { pkcs12: await pkcs12Of(signer), passphrase: PASSPHRASE }), 403, 'FORBIDDEN');
    const otherAdmin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    expectProblem(await otherAdmin.post(url, { pkcs12: await pkcs12Of(signer), passphrase: PASSPHRASE }), 404, 'NOT_FOUND');
    expectProblem(
      await admin.post('/api/signatories/legal@gyeonggi.example/credentials', { pkcs12: await pkcs12Of(signer), passphrase: PASSPHRASE }),
      422,
      'RULE_VIOLATION',
      /not a signatory/,
    );
  });

  it('when an OpenSSL 3 (AES) PKCS#12 is uploaded by the administrator, then it is accepted', async () => {
    const modern = await issueCertificate(root, 'modern', { commonName: 'Modern export', email: 'signatory@gyeonggi.example', days: 365 });
    const response = await admin.post(url, { pkcs12: await pkcs12Of(modern, 'modern'), passphrase: PASSPHRASE });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    expect(response.body.certificate.subject).to.include('CN=Modern export');
  });

  it('when the signatory uploads a legacy-encrypted PKCS#12 (RC2-40, 3DES, SHA-1 MAC), then the newest wins, and no key material is returned or stored in the clear', async () => {
    const pkcs12 = await exportPkcs12(signer, [root], PASSPHRASE, 'legacy');
    // The file really is the legacy kind: RC2-40 for the certificates, 3DES for the key.
    const info = await openssl(
      ['pkcs12', '-info', '-legacy', '-noout', '-in', path.join(directory, 'signer-legacy.p12'), '-passin', `pass:${PASSPHRASE}`],
      { stderr: true },
    );
    expect(info).to.include('pbeWithSHA1And40BitRC2-CBC').and.include('pbeWithSHA1And3-KeyTripleDES-CBC');
    const response = await signatory.post(url, { pkcs12: pkcs12.toString('base64'), passphrase: PASSPHRASE });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    expect(response.body).to.deep.include({ email: 'signatory@gyeonggi.example', party: 'gyeonggi', serverHoldsKey: true, chain: [] });
    expect(response.body.certificate.subject).to.include('CN=박정의 (own PKI)');
    // A year's certificate under a ten years' root: its own expiry is what ends it.
    expect(response.body.signsUntil).to.equal(new Date(new X509Certificate(signer.certificatePem).validTo).toISOString());
    expect(response.body.limitedBy).to.equal(null);
    expect(response.body.certificate.sha256).to.equal(
      createHash('sha256')
        .update(Buffer.from(signer.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))
        .digest('hex'),
    );
    const keyDer = Buffer.from(await openssl(['pkey', '-in', signer.keyFile, '-outform', 'DER']), 'latin1');
    expect(response.bytes.includes(keyDer.subarray(40, 72))).to.equal(false);
    expect(response.bytes.toString()).to.not.match(/PRIVATE KEY|passphrase|horse/i);
    expect((await signatory.get(url)).body).to.deep.equal(response.body);

    const row = await server.db('credentials').where({ purpose: 'signing' }).orderBy('id', 'desc').first();
    expect(row.encrypted_key).to.match(/^v1\./);
    expect(Buffer.from(row.encrypted_key).includes(keyDer.subarray(40, 72))).to.equal(false);
    // Sealed under the server's secret, bound to its owner, and the very key of the file.
    const opened = createPrivateKey({
      key: openPrivateKey(server.deps.config.secret, `signing:gyeonggi:${row.user_id}`, row.encrypted_key),
      format: 'der',
      type: 'pkcs8',
    });
    expect(opened.export({ format: 'jwk' })).to.deep.equal(createPrivateKey(readFileSync(signer.keyFile)).export({ format: 'jwk' }));
  });

  it('when the signatory then signs with the uploaded key, then pdfsig finds both signatures valid and trusted, and qpdf is clean', async () => {
    await runEvents(server, COOPERATION, HAPPY_PATH);
    const official = await ApiClient.signIn(server.baseUrl, 'official@gyeonggi.example');
    const anchors = [...(await demoCertificateAuthorities(server)).map((authority) => authority.certificatePem), root.certificatePem];
    for (const party of ['sverdlovsk', 'gyeonggi']) {
      const pdf = (await official.get(`/api/agreements/${COOPERATION}/pdf?original=${party}`)).bytes;
      await checkWithPdfsigAndQpdf(pdf, anchors);
      const report = await verifyPdf(pdf, await allTrustAnchors(server.db));
      expect(report.valid, JSON.stringify(report)).to.equal(true);
      expect(report.signatures.map((signature) => signature.signer?.name)).to.deep.equal(['Андрей Соболев', '박정의 (own PKI)']);
      expect(report.signatures[1]!.chain.at(-1)).to.include('CN=Gyeonggi Root CA');
    }
  });

  it('when a certificate outlives its RSA-2048 key, then it is accepted as signing until 2031, and from 2031 on it is refused', async () => {
    const longLived = await issueCertificate(root, 'long-lived', {
      commonName: '박정의 (long-lived)',
      email: 'signatory@gyeonggi.example',
      days: 3000,
    });
    const registered = await admin.post(url, { pkcs12: await pkcs12Of(longLived), passphrase: PASSPHRASE });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    expect(registered.body.certificate.notAfter > '2034').to.equal(true);
    expect(registered.body.signsUntil).to.equal('2031-01-01T00:00:00.000Z');
    expect(registered.body.limitedBy).to.deep.equal({ algorithm: 'RSA-2048', endsAt: '2031-01-01T00:00:00.000Z' });
    expect((await admin.get(url)).body).to.deep.equal(registered.body);

    // The same certificate brought in 2031: still valid by its dates, no longer by its key's strength.
    server.clock.set('2031-06-01T00:00:00Z');
    const administrator = await ApiClient.signIn(server.baseUrl, 'admin@gyeonggi.example');
    const rows = await countRows(server.db, 'credentials');
    expectProblem(
      await administrator.post(url, { pkcs12: await pkcs12Of(longLived), passphrase: PASSPHRASE }),
      422,
      'RULE_VIOLATION',
      /RSA-2048 is counted on only until 2031-01-01T00:00:00.000Z \(NIST SP 800-57 Part 1 Rev. 5\); a signature made with it at 2031-06-01/,
    );
    expect(await countRows(server.db, 'credentials')).to.equal(rows);
  });
});

describe('external signing: the key stays on the government’s device (openssl as the outside tool)', () => {
  let server: TestServer;
  let directory: string;
  let root: FileCredential;
  let signer: FileCredential;
  let signatory: ApiClient;
  let gyeonggiSignatory: ApiClient;

  before(async () => {
    server = await startTestServer();
    directory = scratchDirectory();
    root = await createRootCa(directory, 'Sverdlovsk');
    signer = await issueCertificate(root, 'device', {
      commonName: 'Андрей Соболев (token)',
      email: 'signatory@sverdlovsk.example',
      days: 365,
    });
    const admin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    expect((await admin.post('/api/parties/sverdlovsk/trust-anchors', { certificate: root.certificatePem })).status).to.equal(201);
    signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
    gyeonggiSignatory = await ApiClient.signIn(server.baseUrl, 'signatory@gyeonggi.example');
    const registered = await signatory.post('/api/signatories/signatory@sverdlovsk.example/credentials', {
      certificate: signer.certificatePem,
    });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    expect(registered.body.serverHoldsKey).to.equal(false);
    await runEvents(server, COOPERATION, TO_SIGNING);
  });
  after(async () => server?.close());

  /** What the government's device does: `openssl cms -sign` over the bytes to sign, with signing-certificate-v2 (-cades). */
  async function signWithOpenssl(toSign: string, credential: FileCredential = signer): Promise<string> {
    const input = path.join(directory, 'to-sign.bin');
    const output = path.join(directory, 'signature.der');
    writeFileSync(input, Buffer.from(toSign, 'base64'));
    await openssl([
      'cms',
      '-sign',
      '-binary',
      '-in',
      input,
      '-signer',
      credential.certificateFile,
      '-inkey',
      credential.keyFile,
      '-certfile',
      root.certificateFile,
      '-outform',
      'DER',
      '-out',
      output,
      '-md',
      'sha256',
      '-nosmimecap',
      '-cades',
    ]);
    return readFileSync(output).toString('base64');
  }

  /** The raw-signature form: `openssl dgst -sign` over the signed attributes the server gave. */
  async function signAttributesWithOpenssl(signedAttributes: string): Promise<string> {
    const input = path.join(directory, 'signed-attributes.der');
    const output = path.join(directory, 'signature-value.bin');
    writeFileSync(input, Buffer.from(signedAttributes, 'base64'));
    await openssl(['dgst', '-sha256', '-sign', signer.keyFile, '-out', output, input]);
    return readFileSync(output).toString('base64');
  }

  const requestFor = (original: string, client = signatory) =>
    client.get(`/api/agreements/${COOPERATION}/signing-request?original=${original}`);

  it('when the signatory without a server-held key sends SIGN, then 422 points to external signing', async () => {
    const version = await currentVersion(signatory);
    await expectRefusedWithoutChange(
      server,
      () => signatory.post(`/api/agreements/${COOPERATION}/events`, { type: 'SIGN', expectedVersion: version, password: DEMO_PASSWORD }),
      422,
      'RULE_VIOLATION',
      /without its private key: sign externally/,
    );
  });

  it('when someone who may not sign asks for a signing request, then it is refused like SIGN', async () => {
    const official = await ApiClient.signIn(server.baseUrl, 'official@sverdlovsk.example');
    expectProblem(await requestFor('sverdlovsk', official), 403, 'FORBIDDEN');
    expectProblem(await requestFor('nowhere'), 400, 'MALFORMED_REQUEST', /original must be one of/);
  });

  it('when a signing request is made, then it gives the digest of exactly the bytes to sign and the revision they belong to', async () => {
    const response = await requestFor('sverdlovsk');
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    const body = response.body;
    expect(body).to.include({ agreementId: COOPERATION, original: 'sverdlovsk', agreementVersion: await currentVersion(signatory) });
    expect(body.certificate.subject).to.include('Андрей Соболев (token)');
    const toSign = Buffer.from(body.toSign, 'base64');
    expect(createHash('sha256').update(toSign).digest('hex')).to.equal(body.digest.value);
    const [start, holeStart, holeEnd, tail] = body.byteRange;
    expect(start).to.equal(0);
    expect(toSign.length).to.equal(holeStart + tail);
    expect(holeEnd - holeStart).to.be.greaterThan(2 * 8192);
    const stored = await server
      .db('originals')
      .where({ agreement_id: COOPERATION, party_key: 'sverdlovsk' })
      .orderBy('revision', 'desc')
      .first();
    // An incremental revision: the stored original is its unchanged prefix.
    expect(toSign.subarray(0, Buffer.from(stored.pdf).length).equals(Buffer.from(stored.pdf))).to.equal(true);
  });

  it('when the CMS signs other bytes, or comes from another certificate, or lacks signing-certificate-v2, then 422 and nothing is embedded', async () => {
    const request = (await requestFor('sverdlovsk')).body;
    const other = (await requestFor('gyeonggi')).body;
    const post = (cms: string) => signatory.post(`/api/agreements/${COOPERATION}/signature`, { original: 'sverdlovsk', cms });
    await expectRefusedWithoutChange(
      server,
      async () => post(await signWithOpenssl(other.toSign)),
      422,
      'RULE_VIOLATION',
      /have changed since signing/,
    );
    const stranger = await issueCertificate(root, 'stranger', { commonName: 'Someone else', days: 30 });
    await expectRefusedWithoutChange(
      server,
      async () => post(await signWithOpenssl(request.toSign, stranger)),
      422,
      'RULE_VIOLATION',
      /not signed with your registered certificate/,
    );
    const input = path.join(directory, 'plain.bin');
    writeFileSync(input, Buffer.from(request.toSign, 'base64'));
    const plain = Buffer.from(
      await openssl([
        'cms',
        '-sign',
        '-binary',
        '-in',
        input,
        '-signer',
        signer.certificateFile,
        '-inkey',
        signer.keyFile,
        '-outform',
        'DER',
        '-md',
        'sha256',
        '-nosmimecap',
      ]),
      'latin1',
    ).toString('base64');
    await expectRefusedWithoutChange(server, () => post(plain), 422, 'RULE_VIOLATION', /signing-certificate-v2/);
    expect(await server.db('signing_requests').whereNotNull('signed_pdf').count({ n: '*' }).first()).to.satisfy(
      (row: { n: number | string }) => Number(row.n) === 0,
    );
  });

  it('when the agreement changes between the request and the signature, then 409 and a new request is needed', async () => {
    const stale = (await requestFor('sverdlovsk')).body;
    const version = await currentVersion(gyeonggiSignatory);
    const signed = await gyeonggiSignatory.post(`/api/agreements/${COOPERATION}/events`, {
      type: 'SIGN',
      expectedVersion: version,
      password: DEMO_PASSWORD,
    });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
    const cms = await signWithOpenssl(stale.toSign);
    await expectRefusedWithoutChange(
      server,
      () => signatory.post(`/api/agreements/${COOPERATION}/signature`, { original: 'sverdlovsk', cms }),
      409,
      'VERSION_CONFLICT',
      /ask for a new one/,
    );
  });

  it('when both originals come back signed (openssl cms -sign, and a raw signature over the signed attributes), then SIGN commits once and the PDFs are valid everywhere', async () => {
    const version = await currentVersion(signatory);
    const first = (await requestFor('sverdlovsk')).body;
    const second = (await requestFor('gyeonggi')).body;

    const embedded = await signatory.post(`/api/agreements/${COOPERATION}/signature`, {
      original: 'sverdlovsk',
      cms: await signWithOpenssl(first.toSign),
    });
    expect(embedded.status, JSON.stringify(embedded.body)).to.equal(202);
    expect(embedded.body).to.deep.equal({ original: 'sverdlovsk', complete: false, waitingFor: ['gyeonggi'], state: 'signing', version });
    expect(await currentVersion(signatory)).to.equal(version);

    const completed = await signatory.post(`/api/agreements/${COOPERATION}/signature`, {
      original: 'gyeonggi',
      signatureValue: await signAttributesWithOpenssl(second.signedAttributes),
    });
    expect(completed.status, JSON.stringify(completed.body)).to.equal(200);
    expect(completed.body).to.deep.equal({ original: 'gyeonggi', complete: true, waitingFor: [], state: 'executed', version: version + 1 });

    const audit = await server.db('audit_events').where({ agreement_id: COOPERATION, event: 'SIGN', party_key: 'sverdlovsk' });
    expect(audit).to.have.length(1);
    expect(audit[0].detail).to.include('signed externally');
    expect(await countRows(server.db, 'signing_requests')).to.equal(0);
    const signatures = (await signatory.get(`/api/agreements/${COOPERATION}`)).body.signatures;
    expect(signatures.map((signature: { party: string }) => signature.party)).to.deep.equal(['gyeonggi', 'sverdlovsk']);

    const anchors = [...(await demoCertificateAuthorities(server)).map((authority) => authority.certificatePem), root.certificatePem];
    for (const party of ['sverdlovsk', 'gyeonggi']) {
      const pdf = (await signatory.get(`/api/agreements/${COOPERATION}/pdf?original=${party}`)).bytes;
      await checkWithPdfsigAndQpdf(pdf, anchors);
      const report = await verifyPdf(pdf, await allTrustAnchors(server.db));
      expect(report.valid, JSON.stringify(report)).to.equal(true);
      expect(report.signatures.map((signature) => signature.party)).to.deep.equal(['gyeonggi', 'sverdlovsk']);
    }
  });
});
