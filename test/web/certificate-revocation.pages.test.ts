import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import * as pkijs from 'pkijs';
import { startTestServer, type TestServer } from '../support/server.ts';
import { WebClient } from './web-client.ts';

/** The party administrator's form on /users that revokes a signatory's signing certificate (POST /users/:id/certificate/revocation). */
describe('web: a party administrator revokes a signatory’s certificate on the users page', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  const userId = async (email: string): Promise<number> => (await server.db('users').where({ email }).first('id')).id;
  const revocations = () => server.db('certificate_revocations').select('party_key', 'reason', 'revoked_by', 'explanation');

  it('when the form is posted without its CSRF token, or by another party’s administrator, then nothing is revoked', async () => {
    const signatory = await userId('signatory@sverdlovsk.example');
    const administrator = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
    const withoutToken = await administrator.postForm(`/users/${signatory}/certificate/revocation`, {
      reason: 'keyCompromise',
      explanation: 'lost',
    });
    expect(withoutToken.status).to.equal(403);
    const other = await WebClient.signedIn(server.baseUrl, 'admin@gyeonggi.example');
    const foreign = await other.postForm(
      `/users/${signatory}/certificate/revocation`,
      { reason: 'keyCompromise', explanation: 'lost' },
      await other.csrfTokenOf('/users'),
    );
    expect(foreign.status).to.equal(404);
    expect(foreign.html).to.include('lang="ko"');
    expect(await revocations()).to.deep.equal([]);
  });

  it('when the administrator revokes with a reason, then it is recorded, the page says so in Russian, and the CA’s CRL lists it', async () => {
    const signatory = await userId('signatory@sverdlovsk.example');
    const administrator = await WebClient.signedIn(server.baseUrl, 'admin@sverdlovsk.example');
    const page = await administrator.get('/users');
    expect(page.html).to.include('Основание отзыва сертификата подписи signatory@sverdlovsk.example');
    expect(page.html).to.include(`action="/users/${signatory}/certificate/revocation"`);
    // The demo signatory's RSA-2048 certificate expires when NIST stops counting on its key: 2031-01-01 UTC, in Yekaterinburg.
    expect(page.html).to.include('Сертификат подписи: подписывает до 1 янв. 2031 г., 05:00 (UTC+5).');
    expect(page.html).not.to.include('считается надёжным');

    const posted = await administrator.postForm(
      `/users/${signatory}/certificate/revocation`,
      { reason: 'keyCompromise', explanation: 'Токен утерян' },
      await administrator.csrfTokenOf('/users'),
    );
    expect(posted.status).to.equal(303);
    expect(posted.headers.get('location')).to.equal('/users');
    expect(await revocations()).to.deep.equal([
      { party_key: 'sverdlovsk', reason: 'keyCompromise', revoked_by: 'admin@sverdlovsk.example', explanation: 'Токен утерян' },
    ]);
    const after = await administrator.get('/users');
    expect(after.html).to.include('Сертификат подписи отозван');
    expect(after.html).to.include('ключ скомпрометирован');
    expect(after.html).to.include('Сертификат подписи отозван; им больше ничего не подписать.');
    expect(after.html).not.to.include(`action="/users/${signatory}/certificate/revocation"`);
    const crl = await fetch(`${server.baseUrl}/pki/sverdlovsk/crl`);
    expect(crl.status).to.equal(200);
    const listed = pkijs.CertificateRevocationList.fromBER(new Uint8Array(await crl.arrayBuffer())).revokedCertificates ?? [];
    const credential = await server.db('credentials').where({ user_id: signatory, purpose: 'signing' }).first('certificate_pem');
    const serial = new X509Certificate(credential.certificate_pem).serialNumber.toLowerCase().replace(/^(00)+(?=..)/, '');
    expect(
      listed.map((entry) =>
        Buffer.from(entry.userCertificate.valueBlock.valueHexView)
          .toString('hex')
          .replace(/^(00)+(?=..)/, ''),
      ),
    ).to.deep.equal([serial]);
  });

  it('when the Korean administrator opens the page, then the form speaks Korean', async () => {
    const administrator = await WebClient.signedIn(server.baseUrl, 'admin@gyeonggi.example');
    const page = await administrator.get('/users');
    expect(page.html).to.include('signatory@gyeonggi.example의 서명 인증서 폐지 사유');
    expect(page.html).to.include('인증서 폐지');
    expect(page.html).to.match(/서명 인증서: 2031\. 1\. 1\. [^<]*까지 서명할 수 있습니다\./);
  });
});
