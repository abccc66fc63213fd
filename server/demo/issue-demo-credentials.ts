import type { Database } from '../../db/connection.ts';
import type { Config } from '../config.ts';
import { findPartyCa, findSigningCredential, insertCredential } from '../../db/repositories/credentials.repository.ts';
import { listParties } from '../../db/repositories/parties.repository.ts';
import { findUsersByRole } from '../../db/repositories/users.repository.ts';
import { credentialOwner } from '../signatures/credential-owner.ts';
import { revocationUrls } from '../signatures/revocation-publication.ts';
import { issueDemoCertificateAuthority, issueDemoSigningCertificate } from '../signing/demo-pki.ts';
import { sealPrivateKey } from '../signing/key-vault.ts';

/**
 * Demo mode only: the demo PKI's CA per government and signing certificate per signatory, made on first
 * start and stored with the private keys sealed under the server's secret. A real deployment brings its
 * own certificates. The signing certificates name this server's /pki endpoints for their revocation.
 */
export async function issueDemoCredentials(db: Database, config: Config, now: Date): Promise<void> {
  const { secret } = config;
  // A party whose CA exists was issued with its signatories on an earlier start.
  const allParties = await listParties(db);
  const parties: typeof allParties = [];
  for (const party of allParties) if (!(await findPartyCa(db, party.key))) parties.push(party);
  // Signatories sign the originals; certifying officers sign the certified copies of them.
  const signersOf = async (party: (typeof parties)[number]) => {
    const signers = [...(await findUsersByRole(db, party.key, 'signatory')), ...(await findUsersByRole(db, party.key, 'certifying'))];
    const unissued: typeof signers = [];
    for (const user of signers) if (!(await findSigningCredential(db, user.id))) unissued.push(user);
    return unissued;
  };
  // Each RSA key takes a tenth of a second (a third for a CA's) or more to generate, on the thread pool: all at once, then stored in order.
  const issued = await Promise.all(
    parties.map(async (party) => {
      const [caCredential, signers] = await Promise.all([issueDemoCertificateAuthority(party, now), signersOf(party)]);
      const signing = await Promise.all(
        signers.map(async (user) => ({
          user,
          credential: await issueDemoSigningCertificate(caCredential, party, user, now, revocationUrls(config, party.key)),
        })),
      );
      return { party, caCredential, signing };
    }),
  );
  for (const { party, caCredential, signing } of issued) {
    const caRecord = { party: party.key, userId: null, purpose: 'ca' as const, certificatePem: caCredential.certificatePem };
    await insertCredential(
      db,
      { ...caRecord, encryptedKey: sealPrivateKey(secret, credentialOwner(caRecord), caCredential.privateKeyPkcs8) },
      now.toISOString(),
    );
    for (const { user, credential } of signing) {
      const record = { party: party.key, userId: user.id, purpose: 'signing' as const, certificatePem: credential.certificatePem };
      await insertCredential(
        db,
        { ...record, encryptedKey: sealPrivateKey(secret, credentialOwner(record), credential.privateKeyPkcs8) },
        now.toISOString(),
      );
    }
  }
}
