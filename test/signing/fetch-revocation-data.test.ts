import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import * as pkijs from 'pkijs';
import { fetchRevocationData } from '../../server/signatures/fetch-revocation-data.ts';
import { createCertificateAuthority, importPrivateKey, issueSigningCertificate } from '../../server/signing/pki.ts';
import { findRevocationStatus } from '../../server/signing/revocation-checks.ts';
import { answerOcspRequest, buildCrl, serialNumberOf } from '../../server/signing/revocation-data.ts';

/** A registered CA this server does not hold publishes on 127.0.0.1:41650; only an allowed host is ever asked. */
describe('revocation data of other CAs: fetched only from REVOCATION_FETCH_HOSTS', function () {
  this.timeout(30_000);
  const port = 41650;
  const base = `http://127.0.0.1:${port}`;
  let server: Server;
  let requests: string[];
  let ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
  let signer: Awaited<ReturnType<typeof issueSigningCertificate>>;
  let revoked: Awaited<ReturnType<typeof issueSigningCertificate>>;

  before(async () => {
    const validity = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') };
    ca = await createCertificateAuthority({ commonName: 'Registered Outside CA', organization: 'Outside', country: 'ZZ' }, validity);
    const urls = { crl: `${base}/crl`, ocsp: `${base}/ocsp` };
    const subject = { commonName: 'Outside Signer', organization: 'Outside', country: 'ZZ', email: 'signer@outside.example' };
    signer = await issueSigningCertificate(ca, subject, validity, urls);
    revoked = await issueSigningCertificate(ca, { ...subject, email: 'revoked@outside.example' }, validity, urls);
    const issuer = { certificatePem: ca.certificatePem, privateKey: await importPrivateKey(ca.privateKeyPkcs8) };
    const revocation = {
      serialNumber: serialNumberOf(revoked.certificatePem),
      revokedAt: new Date('2026-01-01T00:00:00Z'),
      reason: 'keyCompromise',
    };
    requests = [];
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        requests.push(`${request.method} ${request.url}`);
        const now = new Date();
        const body =
          request.url === '/crl'
            ? await buildCrl(issuer, [revocation], now)
            : await answerOcspRequest(
                issuer,
                (serial) => (serial === revocation.serialNumber ? revocation : undefined),
                Buffer.concat(chunks),
                now,
              );
        response.writeHead(200).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const cert = (pem: string) => pkijs.Certificate.fromBER(new X509Certificate(pem).raw);

  it('when the host is not allowed, then nothing is fetched', async () => {
    const fetched = await fetchRevocationData({ revocationFetchHosts: ['crl.example.org'] }, signer.certificatePem, ca.certificatePem);
    expect(fetched).to.deep.equal({ crls: [], ocspResponses: [] });
    expect(await fetchRevocationData({}, signer.certificatePem, ca.certificatePem)).to.deep.equal({ crls: [], ocspResponses: [] });
    expect(requests).to.deep.equal([]);
  });

  it('when the host is allowed, then the CRL and the OCSP answer come, and they say good and revoked as the CA does', async () => {
    const good = await fetchRevocationData({ revocationFetchHosts: ['127.0.0.1'] }, signer.certificatePem, ca.certificatePem);
    expect(requests).to.deep.equal(['GET /crl', 'POST /ocsp']);
    expect(good.crls).to.have.length(1);
    expect(good.ocspResponses).to.have.length(1);
    expect(
      await findRevocationStatus(cert(signer.certificatePem), cert(ca.certificatePem), [], { crls: [], ocspResponses: good.ocspResponses }),
    ).to.deep.equal({
      status: 'good',
      source: 'dss-ocsp',
    });
    // A year later the same "good" answer proves nothing about the certificate then.
    const aYearLater = new Date(Date.now() + 365 * 86_400_000);
    expect(
      await findRevocationStatus(cert(signer.certificatePem), cert(ca.certificatePem), [], { ...good, crls: good.crls }, aYearLater),
    ).to.deep.equal({ status: 'unchecked', source: null });
    const bad = await fetchRevocationData({ revocationFetchHosts: ['127.0.0.1'] }, revoked.certificatePem, ca.certificatePem);
    for (const stored of [
      { crls: [], ocspResponses: bad.ocspResponses },
      { crls: bad.crls, ocspResponses: [] },
    ]) {
      // A revocation stays a revocation, however old the answer that says so.
      expect(await findRevocationStatus(cert(revoked.certificatePem), cert(ca.certificatePem), [], stored, aYearLater)).to.include({
        status: 'revoked',
        revokedAt: '2026-01-01T00:00:00.000Z',
        reason: 'keyCompromise',
      });
    }
  });
});
