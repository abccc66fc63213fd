import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/connection.ts';
import { findPartyCa } from '../../db/repositories/credentials.repository.ts';
import { listParties } from '../../db/repositories/parties.repository.ts';
import { listPartyRevocations } from '../../db/repositories/revocations.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import type { Config } from '../config.ts';
import { NotFoundError } from '../errors.ts';
import { openPrivateKey } from '../signing/key-vault.ts';
import { importPrivateKey, type RevocationUrls } from '../signing/pki.ts';
import type { PublishedCrl } from '../signing/revocation-checks.ts';
import { answerOcspRequest, buildCrl, type RevocationIssuer, type RevokedCertificate } from '../signing/revocation-data.ts';
import { x509Certificate } from '../signing/parsed-certificates.ts';
import { credentialOwner } from './credential-owner.ts';

/**
 * A party's demo CA publishes its revocations as CAs do, public and unauthenticated: a CRL at
 * /pki/:party/crl and an OCSP responder at /pki/:party/ocsp, both built from the revocation record at the
 * moment they are asked and signed by the CA's key. Only the certificates the CA issued are listed; a
 * revoked certificate from another CA is refused for signing here but published by its own CA.
 */

/** Where the party's CA publishes: this server's public address (PUBLIC_URL), else the one it listens on. */
export function revocationUrls(config: Pick<Config, 'publicUrl' | 'host' | 'port'>, party: string): RevocationUrls {
  const host = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host;
  const base = `${config.publicUrl ?? `http://${host}:${config.port}`}/pki/${encodeURIComponent(party)}`;
  return { crl: `${base}/crl`, ocsp: `${base}/ocsp` };
}

/** The party CA's current CRL (DER); 404 for a party without a CA the server holds the key of. */
export async function partyCrl(deps: UseCaseDeps, party: string): Promise<Buffer> {
  const issuer = await revocationIssuer(deps, party);
  return buildCrl(issuer, await revokedByCa(deps.db, party, issuer.certificatePem), deps.now());
}

/**
 * The CRL at each URL of this server's own (GET /pki/:party/crl for each party whose CA it holds), as a
 * fetch of it would answer now, built in-process: a verification consults revocation data only from
 * this server, never from a URL a file names elsewhere.
 */
export async function crlsPublishedHere(deps: UseCaseDeps): Promise<PublishedCrl[]> {
  const crls: PublishedCrl[] = [];
  for (const party of await listParties(deps.db)) {
    if (!(await findPartyCa(deps.db, party.key))?.encryptedKey) continue;
    crls.push({ url: revocationUrls(deps.config, party.key).crl, der: await partyCrl(deps, party.key) });
  }
  return crls;
}

/** The party CA's OCSP answer (DER) to a DER request; 404 for a party without a CA the server holds the key of. */
export async function answerPartyOcsp(deps: UseCaseDeps, party: string, request: Buffer): Promise<Buffer> {
  const issuer = await revocationIssuer(deps, party);
  const revoked = new Map((await revokedByCa(deps.db, party, issuer.certificatePem)).map((entry) => [entry.serialNumber, entry]));
  return answerOcspRequest(issuer, (serialNumber) => revoked.get(serialNumber), request, deps.now());
}

const MAX_ISSUER_KEYS = 16;
/**
 * Each CA's signing key as imported, by a hash of the opened key: every OCSP answer and CRL is signed
 * with it, and importing the key again for each was most of answering one. The key is still opened
 * each time, so a wrong secret or owner fails as before.
 */
const issuerKeys = new Map<string, Promise<RevocationIssuer['privateKey']>>();

async function revocationIssuer(deps: UseCaseDeps, party: string): Promise<RevocationIssuer> {
  const ca = await findPartyCa(deps.db, party);
  if (!ca?.encryptedKey) throw new NotFoundError(`There is no certificate authority of "${party}" publishing here`);
  const pkcs8 = openPrivateKey(deps.config.secret, credentialOwner(ca), ca.encryptedKey);
  const key = createHash('sha256').update(pkcs8).digest('base64');
  let privateKey = issuerKeys.get(key);
  if (privateKey === undefined) {
    privateKey = importPrivateKey(pkcs8);
    // A key that does not import is not remembered: the error is the caller's, every time.
    privateKey.catch(() => issuerKeys.delete(key));
    if (issuerKeys.size >= MAX_ISSUER_KEYS) issuerKeys.delete(issuerKeys.keys().next().value!);
    issuerKeys.set(key, privateKey);
  }
  return { certificatePem: ca.certificatePem, privateKey: await privateKey };
}

async function revokedByCa(db: Queryable, party: string, caPem: string): Promise<RevokedCertificate[]> {
  const ca = x509Certificate(caPem);
  return (await listPartyRevocations(db, party))
    .filter((revocation) => x509Certificate(revocation.certificatePem).checkIssued(ca))
    .map((revocation) => ({ serialNumber: revocation.serialNumber, revokedAt: new Date(revocation.revokedAt), reason: revocation.reason }));
}
