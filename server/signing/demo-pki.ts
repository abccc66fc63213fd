import type { Database } from '../../db/connection.ts';
import { findPartyCa, findSigningCredential, insertCredential } from '../../db/repositories/credentials.repository.ts';
import { listParties } from '../../db/repositories/parties.repository.ts';
import { findUsersByRole } from '../../db/repositories/users.repository.ts';
import { credentialOwner } from '../signatures/credential-owner.ts';
import { sealPrivateKey } from './key-vault.ts';
import { createCertificateAuthority, issueSigningCertificate } from './pki.ts';

const COUNTRY_OF_LANGUAGE: Record<string, string> = { ru: 'RU', ko: 'KR', en: 'GB' };

/**
 * Demo mode only: a CA per government and a signing certificate per signatory, made on first start
 * and stored with the private keys sealed under the server's secret. The validity starts in 2010 so
 * the seed's 2012 letter of intent is signed within it. A real deployment brings its own certificates.
 */
export async function issueDemoCredentials(db: Database, secret: Buffer, now: Date): Promise<void> {
  const validity = (years: number) => ({ notBefore: new Date('2010-01-01T00:00:00Z'), notAfter: addYears(now, years) });
  for (const party of await listParties(db)) {
    const organization = party.names.en.name.replace(/^the /, 'The ');
    const country = COUNTRY_OF_LANGUAGE[party.language] ?? 'ZZ';
    // A party whose CA exists was issued with its signatories on an earlier start.
    if (await findPartyCa(db, party.key)) continue;
    const caCredential = await createCertificateAuthority(
      { commonName: `${party.names.en.short} Demo Signing CA`, organization, country },
      validity(20),
    );
    const caRecord = { party: party.key, userId: null, purpose: 'ca' as const, certificatePem: caCredential.certificatePem };
    await insertCredential(
      db,
      { ...caRecord, encryptedKey: sealPrivateKey(secret, credentialOwner(caRecord), caCredential.privateKeyPkcs8) },
      now.toISOString(),
    );
    for (const user of await findUsersByRole(db, party.key, 'signatory')) {
      if (await findSigningCredential(db, user.id)) continue;
      const issued = await issueSigningCertificate(
        caCredential,
        { commonName: user.profile.name[party.language], organization, country, email: user.email, title: user.profile.title.en },
        validity(10),
      );
      const record = { party: party.key, userId: user.id, purpose: 'signing' as const, certificatePem: issued.certificatePem };
      await insertCredential(
        db,
        { ...record, encryptedKey: sealPrivateKey(secret, credentialOwner(record), issued.privateKeyPkcs8) },
        now.toISOString(),
      );
    }
  }
}

function addYears(date: Date, years: number): Date {
  const result = new Date(date);
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}
