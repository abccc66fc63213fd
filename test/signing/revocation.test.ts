import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ApiClient, type ApiResponse } from '../support/api-client.ts';
import { COOPERATION, HAPPY_PATH, demoCertificateAuthorities, runEvents } from '../support/execute-demo.ts';
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { countRows } from '../support/snapshot.ts';
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
    expect(text).to.include('URI:http://127.0.0.1:0/pki/sverdlovsk/crl');
    expect(text).to.include('OCSP - URI:http://127.0.0.1:0/pki/sverdlovsk/ocsp');
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
