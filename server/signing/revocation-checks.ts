import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs Reflect.getMetadata at import time
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Whether a signer's certificate was revoked, from the CRL its certificate names: only a CRL the caller
 * obtained from one of the certificate's own distribution points counts, and only once it verifies under
 * the certificate's issuer. No I/O: the caller brings the CRLs it may fetch (see revocation-publication.ts).
 */

/** A DER CRL and the URL it was obtained from. */
export interface PublishedCrl {
  readonly url: string;
  readonly der: Uint8Array;
}

/** What the CRL says about the signer's certificate; null when the certificate names no CRL. */
export type RevocationStatus =
  | { readonly status: 'good'; readonly source: string }
  | { readonly status: 'revoked'; readonly source: string; readonly revokedAt: string; readonly reason: string }
  | { readonly status: 'unchecked'; readonly source: string | null };

const CRL_REASON = '2.5.29.21';
const REASON_NAMES = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/**
 * The signer certificate's revocation status from `crls`, judged against `validatedAt` (the time its
 * certificates were checked): revoked at or before it is a problem (the signature was made with a revoked
 * key), revoked after it is a warning (the signature was valid when made); no CRL at hand is a warning.
 */
export async function checkRevocation(
  signerCertificate: pkijs.Certificate,
  issuerCertificate: pkijs.Certificate,
  crls: readonly PublishedCrl[],
  validatedAt: Date,
  problems: string[],
  warnings: string[],
): Promise<RevocationStatus | null> {
  const urls = crlUrlsOf(signerCertificate);
  if (urls.length === 0) return null;
  const crl = await findVerifiedCrl(
    crls.filter((candidate) => urls.includes(candidate.url)),
    issuerCertificate,
  );
  if (!crl) {
    warnings.push(`its revocation was not checked: no CRL from ${urls.join(', ')} could be obtained`);
    return { status: 'unchecked', source: null };
  }
  const serial = Buffer.from(signerCertificate.serialNumber.valueBlock.valueHexView);
  const entry = crl.list.revokedCertificates?.find((candidate) =>
    Buffer.from(candidate.userCertificate.valueBlock.valueHexView).equals(serial),
  );
  if (!entry) return { status: 'good', source: crl.url };
  const revokedAt = entry.revocationDate.value;
  const reason = reasonOf(entry);
  if (revokedAt.getTime() <= validatedAt.getTime()) {
    problems.push(
      `the signer's certificate was revoked at ${revokedAt.toISOString()} (${reason}), before ${validatedAt.toISOString()}, when its certificates were checked`,
    );
  } else {
    warnings.push(
      `the signer's certificate was revoked at ${revokedAt.toISOString()} (${reason}), after ${validatedAt.toISOString()}: the signature was valid when made`,
    );
  }
  return { status: 'revoked', source: crl.url, revokedAt: revokedAt.toISOString(), reason };
}

/** The http(s) URIs of the certificate's CRL distribution points. */
function crlUrlsOf(certificate: pkijs.Certificate): string[] {
  const parsed = new x509.X509Certificate(certificate.toSchema().toBER(false));
  const extension = parsed.getExtension(x509.CRLDistributionPointsExtension);
  return (extension?.distributionPoints ?? []).flatMap((point) =>
    (point.distributionPoint?.fullName ?? []).flatMap((name) => (name.uniformResourceIdentifier ? [name.uniformResourceIdentifier] : [])),
  );
}

/** The first CRL of the certificate's issuer whose signature verifies under it. */
async function findVerifiedCrl(
  crls: readonly PublishedCrl[],
  issuerCertificate: pkijs.Certificate,
): Promise<{ url: string; list: pkijs.CertificateRevocationList } | undefined> {
  for (const candidate of crls) {
    try {
      const list = pkijs.CertificateRevocationList.fromBER(candidate.der);
      if (!list.issuer.isEqual(issuerCertificate.subject)) continue;
      if (await list.verify({ issuerCertificate }, cryptoEngine)) return { url: candidate.url, list };
    } catch {
      // Not a CRL, or one that does not verify: as if it had not been obtained.
    }
  }
  return undefined;
}

function reasonOf(entry: pkijs.RevokedCertificate): string {
  const extension = entry.crlEntryExtensions?.extensions.find((candidate) => candidate.extnID === CRL_REASON);
  if (!extension) return 'unspecified';
  const code = (asn1js.fromBER(extension.extnValue.valueBlock.valueHexView).result as asn1js.Enumerated).valueBlock.valueDec;
  return REASON_NAMES[code] ?? 'unspecified';
}
