import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DomainError } from '../../server/errors.ts';
import { readPkcs12 } from '../../server/signing/pkcs12.ts';
import { createRootCa, exportPkcs12, issueCertificate, openssl, scratchDirectory, type FileCredential } from './openssl-pki.ts';

const PASSPHRASE = 'пароль 비밀번호';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).code).to.equal('RULE_VIOLATION');
    return (error as DomainError).detail;
  }
  return expect.fail('expected a 422');
}

describe('readPkcs12 (server/signing/pkcs12.ts)', () => {
  let directory: string;
  let root: FileCredential;
  let signer: FileCredential;
  const jwkOf = (pkcs8: Buffer) => createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });

  before(async () => {
    directory = scratchDirectory();
    root = await createRootCa(directory, 'Root');
    signer = await issueCertificate(root, 'signer', { commonName: 'Signer', days: 30 });
  });

  for (const encryption of ['legacy', 'modern'] as const) {
    it(`when ${encryption === 'legacy' ? 'a legacy (RC2-40 / 3DES / SHA-1 MAC)' : 'an OpenSSL 3 (AES-256 / SHA-256 MAC)'} file with its chain is read, then the signer’s certificate, its key and the issuer come out`, async () => {
      const contents = readPkcs12(await exportPkcs12(signer, [root], PASSPHRASE, encryption), PASSPHRASE);
      expect(contents.certificatePem.replace(/\r/g, '')).to.equal(signer.certificatePem);
      expect(contents.otherCertificatePems.map((pem) => pem.replace(/\r/g, ''))).to.deep.equal([root.certificatePem]);
      expect(jwkOf(contents.privateKeyPkcs8)).to.deep.equal(createPrivateKey(readFileSync(signer.keyFile)).export({ format: 'jwk' }));
    });
  }

  it('when the passphrase is wrong or the bytes are no PKCS#12, then 422 says which, without the passphrase', async () => {
    const pkcs12 = await exportPkcs12(signer, [], PASSPHRASE, 'legacy');
    const wrong = refusal(() => readPkcs12(pkcs12, 'guess'));
    expect(wrong).to.match(/passphrase is wrong/).and.not.include('guess');
    expect(refusal(() => readPkcs12(Buffer.from('hello'), PASSPHRASE))).to.match(/could not be read/);
    expect(refusal(() => readPkcs12(Buffer.alloc(0), PASSPHRASE))).to.match(/empty/);
  });

  it('when the file holds no key, or an EC key, then 422 explains what to do instead', async () => {
    const certificateOnly = path.join(directory, 'certificate-only.p12');
    await openssl(['pkcs12', '-export', '-nokeys', '-in', signer.certificateFile, '-passout', `pass:${PASSPHRASE}`, '-out', certificateOnly]);
    expect(refusal(() => readPkcs12(readFileSync(certificateOnly), PASSPHRASE))).to.match(/no private key/);

    const ecKey = path.join(directory, 'ec.key');
    const ecCertificate = path.join(directory, 'ec.pem');
    const ecPkcs12 = path.join(directory, 'ec.p12');
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', ecKey, '-out', ecCertificate, '-subj', '/CN=EC signer', '-days', '30']);
    await openssl(['pkcs12', '-export', '-in', ecCertificate, '-inkey', ecKey, '-passout', `pass:${PASSPHRASE}`, '-out', ecPkcs12]);
    expect(refusal(() => readPkcs12(readFileSync(ecPkcs12), PASSPHRASE))).to.match(/not RSA.*sign externally/);
  });
});
