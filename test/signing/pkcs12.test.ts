import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as asn1js from 'asn1js';
import {
  closeModern,
  dataContentInfo,
  elements,
  openModern,
  withIterations,
  withKeyInsideEncryptedContents,
} from '../support/pkcs12-files.ts';
import { expect } from 'chai';
import { DomainError } from '../../server/errors.ts';
import { readPkcs12Isolated } from '../../server/signing/isolated-pkcs12.ts';
import { readPkcs12 } from '../../server/signing/pkcs12.ts';
import { MAX_ITERATIONS_PER_DERIVATION, MAX_ITERATIONS_PER_FILE, MAX_SAFE_BAGS } from '../../server/signing/pkcs12-limits.ts';
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
    expect(wrong)
      .to.match(/passphrase is wrong/)
      .and.not.include('guess');
    expect(refusal(() => readPkcs12(Buffer.from('hello'), PASSPHRASE))).to.match(/could not be read/);
    expect(refusal(() => readPkcs12(Buffer.alloc(0), PASSPHRASE))).to.match(/empty/);
  });

  it('when the file holds no key, or an EC key, then 422 explains what to do instead', async () => {
    const certificateOnly = path.join(directory, 'certificate-only.p12');
    await openssl([
      'pkcs12',
      '-export',
      '-nokeys',
      '-in',
      signer.certificateFile,
      '-passout',
      `pass:${PASSPHRASE}`,
      '-out',
      certificateOnly,
    ]);
    expect(refusal(() => readPkcs12(readFileSync(certificateOnly), PASSPHRASE))).to.match(/no private key/);

    const ecKey = path.join(directory, 'ec.key');
    const ecCertificate = path.join(directory, 'ec.pem');
    const ecPkcs12 = path.join(directory, 'ec.p12');
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      ecKey,
      '-out',
      ecCertificate,
      '-subj',
      '/CN=EC signer',
      '-days',
      '30',
    ]);
    await openssl(['pkcs12', '-export', '-in', ecCertificate, '-inkey', ecKey, '-passout', `pass:${PASSPHRASE}`, '-out', ecPkcs12]);
    expect(refusal(() => readPkcs12(readFileSync(ecPkcs12), PASSPHRASE))).to.match(/not RSA.*sign externally/);
  });
});

describe('readPkcs12 budget (server/signing/pkcs12.ts, pkcs12-limits.ts)', () => {
  let modern: Buffer;
  // Far above what the refusals need (milliseconds), far below what deriving the counts would take.
  const FAST_MS = 1500;

  before(async () => {
    const directory = scratchDirectory();
    const root = await createRootCa(directory, 'Root');
    const signer = await issueCertificate(root, 'signer', { commonName: 'Signer', days: 30 });
    modern = await exportPkcs12(signer, [root], PASSPHRASE, 'modern');
  });

  function refusedFast(pkcs12: Buffer): string {
    const started = performance.now();
    const detail = refusal(() => readPkcs12(pkcs12, PASSPHRASE));
    expect(performance.now() - started).to.be.below(FAST_MS);
    return detail;
  }

  it('when the file is unchanged by the rewriting, then it still opens (the builder itself is sound)', () => {
    const rewritten = withIterations(modern, {});
    expect(rewritten.equals(modern)).to.equal(true);
    expect(readPkcs12(withKeyInsideEncryptedContents(modern, PASSPHRASE, 2048), PASSPHRASE).certificatePem).to.include('BEGIN CERTIFICATE');
  });

  for (const [count, what] of [
    ['mac', /MAC iteration count is 2147483647/],
    ['key', /private key encryption iteration count is 2147483647/],
    ['certificates', /SafeContents 1's encryption iteration count is 2147483647/],
  ] as const) {
    it(`when the ${count} iteration count is 2^31-1, then 422 names the count and the limit before deriving anything`, () => {
      const detail = refusedFast(withIterations(modern, { [count]: 2 ** 31 - 1 }));
      expect(detail)
        .to.match(what)
        .and.match(new RegExp(`at most ${MAX_ITERATIONS_PER_DERIVATION} are accepted`))
        .and.not.include(PASSPHRASE);
    });
  }

  it('when the passphrase is wrong too, then the refusal is the same: the count is read before the passphrase is tried', () => {
    const detail = refusal(() => readPkcs12(withIterations(modern, { mac: 1_000_000 }), 'wrong'));
    expect(detail).to.match(/MAC iteration count is 1000000/);
  });

  it('when every count is within the cap but they add up to more than the file may spend, then 422 names the total', () => {
    const { pfx, certificates, keySafeContents } = openModern(
      withIterations(modern, {
        mac: MAX_ITERATIONS_PER_DERIVATION,
        key: MAX_ITERATIONS_PER_DERIVATION,
        certificates: MAX_ITERATIONS_PER_DERIVATION,
      }),
    );
    // The certificates twice: a fourth derivation at the cap.
    const detail = refusedFast(closeModern(pfx, [certificates, certificates, dataContentInfo(keySafeContents)], true));
    expect(detail).to.match(new RegExp(`add up to more than ${MAX_ITERATIONS_PER_FILE}`));
  });

  it('when a shrouded key with 2^31-1 iterations hides inside encrypted SafeContents, then it is refused when reached, before its derivation', () => {
    const detail = refusedFast(withKeyInsideEncryptedContents(modern, PASSPHRASE, 2 ** 31 - 1));
    expect(detail).to.match(/encryption iteration count is 2147483647/);
  });

  it('when the structure is truncated, trailing or not ASN.1 where a PFX needs it, then 422 says it cannot be read', () => {
    expect(refusal(() => readPkcs12(modern.subarray(0, modern.length - 40), PASSPHRASE))).to.match(/could not be read/);
    expect(refusal(() => readPkcs12(Buffer.concat([modern, Buffer.from([0])]), PASSPHRASE))).to.match(/could not be read/);
    expect(
      refusal(() =>
        readPkcs12(Buffer.from(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 3 }), new asn1js.Null()] }).toBER()), PASSPHRASE),
      ),
    ).to.match(/could not be read/);
    expect(refusal(() => readPkcs12(Buffer.alloc(4000, 0x30), PASSPHRASE))).to.match(/could not be read/);
  });

  it('when a file holds more bags than a signer’s credential needs, then 422 names the limit', () => {
    const { pfx, certificates, keySafeContents } = openModern(modern);
    const bag = elements(keySafeContents)[0]!;
    const many = new asn1js.Sequence({ value: Array.from({ length: MAX_SAFE_BAGS + 1 }, () => bag) });
    expect(refusedFast(closeModern(pfx, [certificates, dataContentInfo(many)], true))).to.match(
      new RegExp(`more than ${MAX_SAFE_BAGS} bags`),
    );
  });
});

describe('readPkcs12Isolated (server/signing/isolated-pkcs12.ts)', () => {
  let directory: string;
  let root: FileCredential;
  let signer: FileCredential;

  before(async () => {
    directory = scratchDirectory();
    root = await createRootCa(directory, 'Root');
    signer = await issueCertificate(root, 'signer', { commonName: 'Signer', days: 30 });
  });

  it('when a file is read in a worker thread, then the contents are those read in this thread, the key a Buffer of its own', async () => {
    const pkcs12 = await exportPkcs12(signer, [root], PASSPHRASE, 'modern');
    const isolated = await readPkcs12Isolated(pkcs12, PASSPHRASE);
    const direct = readPkcs12(pkcs12, PASSPHRASE);
    expect(isolated.certificatePem).to.equal(direct.certificatePem);
    expect(isolated.otherCertificatePems).to.deep.equal(direct.otherCertificatePems);
    expect(Buffer.isBuffer(isolated.privateKeyPkcs8)).to.equal(true);
    expect(isolated.privateKeyPkcs8.equals(direct.privateKeyPkcs8)).to.equal(true);
    expect(isolated.privateKeyPkcs8.buffer.byteLength).to.equal(isolated.privateKeyPkcs8.length);
  });

  it('when the thread refuses a file, then the same 422 arrives here, its limit included', async () => {
    const pkcs12 = await exportPkcs12(signer, [root], PASSPHRASE, 'modern');
    const refused = await readPkcs12Isolated(pkcs12, 'guess').then(
      () => expect.fail('expected a 422'),
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(DomainError);
    expect((refused as DomainError).code).to.equal('RULE_VIOLATION');
    expect((refused as DomainError).detail).to.equal(refusal(() => readPkcs12(pkcs12, 'guess')));
    const greedy = withIterations(pkcs12, { mac: 2 ** 31 - 1 });
    const overLimit = await readPkcs12Isolated(greedy, PASSPHRASE).then(
      () => expect.fail('expected a 422'),
      (error: unknown) => error as DomainError,
    );
    expect(overLimit.extensions).to.deep.include({ limit: 'iterations-per-derivation', max: MAX_ITERATIONS_PER_DERIVATION });
  });
});
