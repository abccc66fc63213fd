import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
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
import { nssDatabaseTrusting, tempFile, tool } from '../support/pdf-tools.ts';
import { openssl, scratchDirectory } from './openssl-pki.ts';

/**
 * Revocation as a relying party sees it, checked with openssl: each demo signing certificate names its
 * CA's CRL and OCSP responder on this server; the CRL verifies under the CA and lists what an
 * administrator revoked, with the reason; OCSP answers revoked / good under the CA's signature; and a
 * revoked certificate signs nothing.
 */
describe('revocation: the demo CAs publish a CRL and answer OCSP', function () {
  this.timeout(30_000);
  let server: TestServer;
  let directory: string;
  const files = new Map<string, string>();

  const write = (name: string, content: string | Buffer) => {
    const file = path.join(directory, name);
    writeFileSync(file, content);
    files.set(name, file);
    return file;
  };
  const signerPem = async (email: string) => {
    const row = await server
      .db('credentials')
      .join('users', 'users.id', 'credentials.user_id')
      .where({ 'users.email': email })
      .first('certificate_pem');
    return row.certificate_pem as string;
  };
  const fetchCrl = async (party: string) => {
    const response = await fetch(`${server.baseUrl}/pki/${party}/crl`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/pkix-crl');
    return write(`${party}.crl`, Buffer.from(await response.arrayBuffer()));
  };
  const ocsp = (party: string, certificate: string) =>
    openssl(
      [
        'ocsp',
        '-issuer',
        files.get(`${party}-ca.pem`)!,
        '-cert',
        certificate,
        '-url',
        `${server.baseUrl}/pki/${party}/ocsp`,
        '-CAfile',
        files.get(`${party}-ca.pem`)!,
      ],
      {
        stderr: true,
      },
    );
  const expectProblem = (response: ApiResponse, status: number, code: string) => {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    expect(response.contentType).to.match(/^application\/problem\+json/);
    expect(response.body.code).to.equal(code);
  };

  const verifyOverApi = async (email: string, pdf: Buffer) => {
    const session = await new ApiClient(server.baseUrl).post('/api/sessions', { email, password: DEMO_PASSWORD });
    const response = await fetch(`${server.baseUrl}/api/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/pdf' },
      body: pdf,
    });
    expect(response.status).to.equal(200);
    return (await response.json()) as any;
  };

  before(async () => {
    server = await startTestServer();
    directory = scratchDirectory('bilateral-revocation-');
    for (const { party, certificatePem } of await demoCertificateAuthorities(server)) write(`${party}-ca.pem`, certificatePem);
    write('sverdlovsk-signer.pem', await signerPem('signatory@sverdlovsk.example'));
    write('gyeonggi-signer.pem', await signerPem('signatory@gyeonggi.example'));
  });
  after(async () => server.close());

  it('names the CA’s CRL and OCSP responder on this server in each signing certificate', async () => {
    const text = await openssl([
      'x509',
      '-in',
      files.get('sverdlovsk-signer.pem')!,
      '-noout',
      '-ext',
      'crlDistributionPoints,authorityInfoAccess',
    ]);
    expect(text).to.include(`URI:${server.baseUrl}/pki/sverdlovsk/crl`);
    expect(text).to.include(`OCSP - URI:${server.baseUrl}/pki/sverdlovsk/ocsp`);
  });

  it('publishes an empty CRL signed by the CA, and OCSP answers good', async () => {
    const crl = await fetchCrl('sverdlovsk');
    const verified = await openssl(
      ['crl', '-in', crl, '-inform', 'DER', '-CAfile', files.get('sverdlovsk-ca.pem')!, '-verify', '-noout', '-text'],
      {
        stderr: true,
      },
    );
    expect(verified).to.include('verify OK');
    expect(verified).to.include('No Revoked Certificates');
    const answer = await ocsp('sverdlovsk', files.get('sverdlovsk-signer.pem')!);
    expect(answer).to.include('Response verify OK');
    expect(answer).to.match(/sverdlovsk-signer\.pem: good/);
  });

  it('lets only the party’s administrator revoke, once, with a reason RFC 5280 knows', async () => {
    const signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
    const otherAdmin = await ApiClient.signIn(server.baseUrl, 'admin@gyeonggi.example');
    const admin = await ApiClient.signIn(server.baseUrl, 'admin@sverdlovsk.example');
    const path = '/api/signatories/signatory@sverdlovsk.example/credentials/revocation';
    expectProblem(await signatory.post(path, { reason: 'keyCompromise', explanation: 'lost the token' }), 403, 'FORBIDDEN');
    expectProblem(await otherAdmin.post(path, { reason: 'keyCompromise', explanation: 'lost the token' }), 404, 'NOT_FOUND');
    expectProblem(await admin.post(path, { reason: 'because', explanation: 'lost the token' }), 400, 'MALFORMED_REQUEST');
    expectProblem(await admin.post(path, { reason: 'keyCompromise' }), 400, 'MALFORMED_REQUEST');
    expect(await countRows(server.db, 'certificate_revocations')).to.equal(0);

    const revoked = await admin.post(path, { reason: 'keyCompromise', explanation: 'The signing token was lost in transit' });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(201);
    expect(revoked.body).to.include({
      email: 'signatory@sverdlovsk.example',
      reason: 'keyCompromise',
      revokedBy: 'admin@sverdlovsk.example',
    });
    const serial = (await openssl(['x509', '-in', files.get('sverdlovsk-signer.pem')!, '-noout', '-serial']))
      .trim()
      .replace(/^serial=/, '');
    expect(revoked.body.serialNumber).to.equal(serial.toLowerCase());
    expectProblem(await admin.post(path, { reason: 'superseded', explanation: 'again' }), 422, 'RULE_VIOLATION');
  });

  it('lists the revoked certificate in the CRL and answers revoked over OCSP; the other party’s stays good', async () => {
    const crl = await fetchCrl('sverdlovsk');
    const verified = await openssl(
      ['crl', '-in', crl, '-inform', 'DER', '-CAfile', files.get('sverdlovsk-ca.pem')!, '-verify', '-noout', '-text'],
      {
        stderr: true,
      },
    );
    expect(verified).to.include('verify OK');
    const serial = (await openssl(['x509', '-in', files.get('sverdlovsk-signer.pem')!, '-noout', '-serial']))
      .trim()
      .replace(/^serial=/, '');
    expect(verified).to.include(`Serial Number: ${serial}`);
    expect(verified).to.include('Key Compromise');
    // The signer's certificate fails a CRL check; openssl says why.
    const crlPem = path.join(directory, 'sverdlovsk-crl.pem');
    await openssl(['crl', '-in', crl, '-inform', 'DER', '-out', crlPem]);
    const chain = await openssl(
      ['verify', '-crl_check', '-CAfile', files.get('sverdlovsk-ca.pem')!, '-CRLfile', crlPem, files.get('sverdlovsk-signer.pem')!],
      { stderr: true },
    ).catch((error: Error) => error.message);
    expect(chain).to.match(/certificate revoked/i);

    const answer = await ocsp('sverdlovsk', files.get('sverdlovsk-signer.pem')!);
    expect(answer).to.include('Response verify OK');
    expect(answer).to.match(/sverdlovsk-signer\.pem: revoked/);
    expect(answer).to.include('Reason: keyCompromise');
    const other = await ocsp('gyeonggi', files.get('gyeonggi-signer.pem')!);
    expect(other).to.match(/gyeonggi-signer\.pem: good/);
    // Asked about another CA's certificate, a responder knows nothing of it.
    const stranger = await ocsp('gyeonggi', files.get('sverdlovsk-signer.pem')!).catch((error: Error) => error.message);
    expect(stranger).to.match(/unknown/);
  });

  it('answers a body that is no OCSP request, and a party with no CA, with a clear error', async () => {
    const garbage = await fetch(`${server.baseUrl}/pki/sverdlovsk/ocsp`, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: 'not der',
    });
    expect(garbage.status).to.equal(200);
    // OCSPResponse { responseStatus malformedRequest (1) }.
    expect(Buffer.from(await garbage.arrayBuffer()).toString('hex')).to.equal('30030a0101');
    const nobody = await fetch(`${server.baseUrl}/pki/atlantis/crl`);
    expect(nobody.status).to.equal(404);
    expect(nobody.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('verifies a signature made before its certificate was revoked as valid, with a warning', async () => {
    // The seed signed the letter of intent in 2012 (timestamped then); the sverdlovsk certificate was revoked above, now.
    const verified = await verifyOverApi('official@gyeonggi.example', await storedOriginal(server, LETTER_OF_INTENT, 'gyeonggi'));
    expect(verified.valid, JSON.stringify(verified)).to.equal(true);
    const sverdlovsk = verified.signatures.find((signature: { party: string }) => signature.party === 'sverdlovsk');
    expect(sverdlovsk.revocation).to.include({
      status: 'revoked',
      reason: 'keyCompromise',
      source: `${server.baseUrl}/pki/sverdlovsk/crl`,
    });
    expect(sverdlovsk.problems).to.deep.equal([]);
    expect(sverdlovsk.warnings.join()).to.match(/revoked at .* \(keyCompromise\), after 2012-06-14T.*: the signature was valid when made/);
    expect(sverdlovsk.warningFindings).to.deep.equal([
      {
        code: 'revokedAfter',
        values: { at: sverdlovsk.revocation.revokedAt, reason: 'keyCompromise' },
        message: sverdlovsk.warnings[0],
      },
    ]);
    const gyeonggi = verified.signatures.find((signature: { party: string }) => signature.party === 'gyeonggi');
    expect(gyeonggi.revocation).to.include({ status: 'good' });
    // pdfsig (NSS) asks the OCSP responder the certificate names, on this test server, and hears "revoked".
    const nssdir = await nssDatabaseTrusting((await demoCertificateAuthorities(server)).map(({ certificatePem }) => certificatePem));
    const pdf = tempFile('letter.pdf', await storedOriginal(server, LETTER_OF_INTENT, 'gyeonggi'));
    const { stdout } = await tool('pdfsig', ['-nssdir', nssdir, pdf]);
    expect(stdout).to.match(/Андрей Соболев[\s\S]*?Certificate Validation: Certificate has been Revoked/);
    expect(stdout).to.match(/Certificate Validation: Certificate is Trusted/);
  });

  it('verifies a signature made after its certificate was revoked as not valid', async () => {
    // Revoked as of 2011, before the 2012 signature: the key was not to be trusted when it signed.
    server.clock.set('2011-03-01T00:00:00Z');
    const admin = await ApiClient.signIn(server.baseUrl, 'admin@gyeonggi.example');
    const revoked = await admin.post('/api/signatories/signatory@gyeonggi.example/credentials/revocation', {
      reason: 'affiliationChanged',
      explanation: 'Left the provincial government',
    });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(201);
    server.clock.set(new Date());
    const verified = await verifyOverApi('official@gyeonggi.example', await storedOriginal(server, LETTER_OF_INTENT, 'gyeonggi'));
    expect(verified.valid).to.equal(false);
    const gyeonggi = verified.signatures.find((signature: { party: string }) => signature.party === 'gyeonggi');
    expect(gyeonggi.revocation).to.include({ status: 'revoked', revokedAt: '2011-03-01T00:00:00.000Z', reason: 'affiliationChanged' });
    expect(gyeonggi.problems.join()).to.match(/revoked at 2011-03-01T00:00:00.000Z \(affiliationChanged\), before 2012-06-14T/);
    expect(gyeonggi.problemFindings.map(({ code, values }: { code: string; values: object }) => ({ code, values }))).to.deep.equal([
      { code: 'revokedBefore', values: { at: '2011-03-01T00:00:00.000Z', reason: 'affiliationChanged' } },
    ]);
  });

  it('refuses to sign with the revoked certificate, and writes nothing', async () => {
    await runEvents(server, COOPERATION, HAPPY_PATH.slice(0, 5));
    const signatory = await ApiClient.signIn(server.baseUrl, 'signatory@sverdlovsk.example');
    const { version } = (await signatory.get(`/api/agreements/${COOPERATION}`)).body;
    const refused = await signatory.post(`/api/agreements/${COOPERATION}/events`, {
      type: 'SIGN',
      expectedVersion: version,
      password: DEMO_PASSWORD,
    });
    expectProblem(refused, 422, 'RULE_VIOLATION');
    expect(refused.body.detail).to.match(/revoked/);
    expect((await signatory.get(`/api/agreements/${COOPERATION}`)).body.version).to.equal(version);
  });
});
