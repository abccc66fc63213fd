import { X509Certificate } from 'node:crypto';
import type { Database } from '../../db/connection.ts';
import { findPartyCa } from '../../db/repositories/credentials.repository.ts';
import { listParties } from '../../db/repositories/parties.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { openPrivateKey } from '../signing/key-vault.ts';
import { importPrivateKey, issueTimestampingCertificate } from '../signing/pki.ts';
import type { TimestampAuthority } from '../signing/timestamp.ts';
import { type TimestampingUnit, timestampingFetch } from '../signing/timestamp-authority.ts';
import { credentialOwner } from './credential-owner.ts';

/**
 * Which time-stamping authority a signature asks: the one TSA_URL names; in demo mode without it, the
 * demo PKI's own unit (timestamp-authority.ts) on the server's clock; otherwise none (PAdES B-B).
 */

/** How the demo unit is named in messages; no request leaves the process. */
const DEMO_AUTHORITY_NAME = 'http://localhost/demo-time-stamping-unit';
/** Valid from when the demo certificates are: the seed's 2012 signatures are timestamped at their time. */
const DEMO_VALIDITY_START = new Date('2010-01-01T00:00:00Z');

/** One demo unit (key and certificate) per database and process: made on first use, under the first party's demo CA. */
const demoUnits = new WeakMap<Database, Promise<Omit<TimestampingUnit, 'now'>>>();

export function timestampAuthorityOf(deps: UseCaseDeps): TimestampAuthority | undefined {
  if (deps.config.tsaUrl) return { url: deps.config.tsaUrl, fetch, optional: deps.config.allowUntimestampedSignatures === true };
  if (!deps.config.demo) return undefined;
  let unit = demoUnits.get(deps.db);
  if (!unit) {
    unit = issueDemoUnit(deps);
    // A failure is not remembered: the next signature tries again.
    unit.catch(() => demoUnits.delete(deps.db));
    demoUnits.set(deps.db, unit);
  }
  const loaded = unit;
  return { url: DEMO_AUTHORITY_NAME, fetch: timestampingFetch(async () => ({ ...(await loaded), now: deps.now })) };
}

async function issueDemoUnit(deps: UseCaseDeps): Promise<Omit<TimestampingUnit, 'now'>> {
  const [party] = await listParties(deps.db);
  const ca = party && (await findPartyCa(deps.db, party.key));
  if (!party || !ca?.encryptedKey) throw new Error('demo mode has no demo CA to issue its time-stamping unit from');
  const caCredential = {
    certificatePem: ca.certificatePem,
    privateKeyPkcs8: openPrivateKey(deps.config.secret, credentialOwner(ca), ca.encryptedKey),
  };
  // As long as the demo CA: the unit is made on first use, which may be the seed's signing of 2012.
  const notAfter = new Date(new X509Certificate(ca.certificatePem).validTo);
  const issued = await issueTimestampingCertificate(
    caCredential,
    { commonName: 'Bilateral Demo Time-Stamping Unit', organization: party.names.en.name.replace(/^the /, 'The '), country: 'ZZ' },
    { notBefore: DEMO_VALIDITY_START, notAfter },
  );
  return {
    certificatePem: issued.certificatePem,
    chainPems: [ca.certificatePem],
    privateKey: await importPrivateKey(issued.privateKeyPkcs8),
  };
}
