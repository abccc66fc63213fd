import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { weakestAlgorithmOf } from '../../server/signing/cryptographic-strength.ts';
import { pkijsCertificate } from '../../server/signing/parsed-certificates.ts';
import { openssl, scratchDirectory } from './openssl-pki.ts';

/** A self-signed certificate made by `openssl req` with this key and signature hash, read by pkijs. */
async function certificateWith(directory: string, name: string, newKey: readonly string[], digest: readonly string[]) {
  const file = path.join(directory, `${name}.pem`);
  await openssl([
    'req',
    '-x509',
    ...newKey,
    ...digest,
    '-nodes',
    '-keyout',
    path.join(directory, `${name}.key`),
    '-out',
    file,
    '-subj',
    `/CN=${name}`,
    '-days',
    '30',
  ]);
  return pkijsCertificate(readFileSync(file, 'utf8'));
}

describe('how long a path’s cryptography is counted on (NIST SP 800-57 Part 1 Rev. 5)', function () {
  this.timeout(60_000);
  const directory = scratchDirectory('bilateral-strength-');
  const ends2031 = new Date('2031-01-01T00:00:00Z');
  const ended2014 = new Date('2014-01-01T00:00:00Z');

  it('when keys and hashes of every strength sign certificates, then 112 bits end in 2031, less in 2014, and 128 bits or more have no end', async () => {
    const cases: [string, string[], string[], { algorithm: string; endsAt: Date } | undefined][] = [
      ['rsa1024', ['-newkey', 'rsa:1024'], ['-sha256'], { algorithm: 'RSA-1024', endsAt: ended2014 }],
      ['rsa2048', ['-newkey', 'rsa:2048'], ['-sha256'], { algorithm: 'RSA-2048', endsAt: ends2031 }],
      ['rsa3072', ['-newkey', 'rsa:3072'], ['-sha256'], undefined],
      ['rsa3072-sha1', ['-newkey', 'rsa:3072'], ['-sha1'], { algorithm: 'SHA-1', endsAt: ended2014 }],
      ['rsa3072-sha224', ['-newkey', 'rsa:3072'], ['-sha224'], { algorithm: 'SHA-224', endsAt: ends2031 }],
      ['p224', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-224'], ['-sha256'], { algorithm: 'P-224', endsAt: ends2031 }],
      ['p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha256'], undefined],
      ['p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], ['-sha384'], undefined],
      ['ed25519', ['-newkey', 'ed25519'], [], undefined],
    ];
    for (const [name, newKey, digest, expected] of cases) {
      const certificate = await certificateWith(directory, name, newKey, digest);
      expect(weakestAlgorithmOf([certificate]), name).to.deep.equal(expected);
    }
  });

  it('when a path mixes strengths, then the weakest part decides, and a hash the caller names (a token’s digest) counts too', async () => {
    const strong = await certificateWith(directory, 'strong', ['-newkey', 'rsa:3072'], ['-sha256']);
    const weak = await certificateWith(directory, 'weak', ['-newkey', 'rsa:2048'], ['-sha256']);
    const weakest = await certificateWith(directory, 'weakest', ['-newkey', 'rsa:1024'], ['-sha256']);
    expect(weakestAlgorithmOf([strong, weak])).to.deep.equal({ algorithm: 'RSA-2048', endsAt: ends2031 });
    expect(weakestAlgorithmOf([weak, weakest, strong])).to.deep.equal({ algorithm: 'RSA-1024', endsAt: ended2014 });
    // SHA-1 as a timestamp's message imprint.
    expect(weakestAlgorithmOf([strong], ['1.3.14.3.2.26'])).to.deep.equal({ algorithm: 'SHA-1', endsAt: ended2014 });
    expect(weakestAlgorithmOf([strong], ['2.16.840.1.101.3.4.2.1'])).to.equal(undefined);
    expect(weakestAlgorithmOf([])).to.equal(undefined);
  });
});
