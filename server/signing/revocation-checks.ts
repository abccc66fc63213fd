import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs Reflect.getMetadata at import time
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { type Finding, finding } from './verification-findings.ts';

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

/** Revocation data a file carries in its DSS (DER CRLs and OCSP responses): good for any certificate of their issuer, offline. */
export interface StoredRevocationData {
  readonly crls: readonly Uint8Array[];
  readonly ocspResponses: readonly Uint8Array[];
}

const NO_STORED_DATA: StoredRevocationData = { crls: [], ocspResponses: [] };
/** How much older than the validation time carried revocation data may be: it is made just before the timestamp that covers it. */
const FRESHNESS_GRACE_MS = 24 * 60 * 60 * 1000;

/** What the CRL or OCSP answer says about the signer's certificate; null when the certificate names no CRL and the file carries nothing about it. */
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
  problems: Finding[],
  warnings: Finding[],
  stored: StoredRevocationData = NO_STORED_DATA,
): Promise<RevocationStatus | null> {
  const found = await findRevocationStatus(signerCertificate, issuerCertificate, crls, stored, validatedAt);
  if (found === null) return null;
  if (found.status === 'unchecked') {
    const urls = crlUrlsOf(signerCertificate);
    warnings.push(
      finding(
        'revocationUnchecked',
        `its revocation was not checked: no CRL from ${urls.join(', ')} could be obtained and the file carries none`,
      ),
    );
    return found;
  }
  if (found.status === 'good') return found;
  const revokedAt = new Date(found.revokedAt);
  const reason = found.reason;
  if (revokedAt.getTime() <= validatedAt.getTime()) {
    problems.push(
      finding(
        'revokedBefore',
        `the signer's certificate was revoked at ${revokedAt.toISOString()} (${reason}), before ${validatedAt.toISOString()}, when its certificates were checked`,
        { at: revokedAt.toISOString(), reason },
      ),
    );
  } else {
    warnings.push(
      finding(
        'revokedAfter',
        `the signer's certificate was revoked at ${revokedAt.toISOString()} (${reason}), after ${validatedAt.toISOString()}: the signature was valid when made`,
        { at: revokedAt.toISOString(), reason },
      ),
    );
  }
  return found;
}

/**
 * The certificate's status without judging it: from an OCSP answer the file carries, else a CRL it
 * carries, else a CRL from one of the certificate's own distribution points among `crls`; each only
 * once it verifies under the issuer. Null when the certificate names no CRL and nothing is carried.
 * With `validatedAt`, carried data that says "good" counts only when issued at most a day before that
 * time: an old answer says nothing about a revocation since (a "revoked" answer counts whenever made).
 */
export async function findRevocationStatus(
  certificate: pkijs.Certificate,
  issuerCertificate: pkijs.Certificate,
  crls: readonly PublishedCrl[],
  stored: StoredRevocationData = NO_STORED_DATA,
  validatedAt?: Date,
): Promise<RevocationStatus | null> {
  const freshFrom = validatedAt ? validatedAt.getTime() - FRESHNESS_GRACE_MS : Number.NEGATIVE_INFINITY;
  const answered = await statusFromOcsp(certificate, issuerCertificate, stored.ocspResponses);
  if (answered && (answered.status.status === 'revoked' || answered.producedAt.getTime() >= freshFrom)) return answered.status;
  const urls = crlUrlsOf(certificate);
  const serial = Buffer.from(certificate.serialNumber.valueBlock.valueHexView);
  const listsIt = (list: pkijs.CertificateRevocationList) =>
    list.revokedCertificates?.some((candidate) => Buffer.from(candidate.userCertificate.valueBlock.valueHexView).equals(serial)) ?? false;
  const crl =
    (await findVerifiedCrl(
      stored.crls.map((der) => ({ url: 'dss', der })),
      issuerCertificate,
      (list) => listsIt(list) || list.thisUpdate.value.getTime() >= freshFrom,
    )) ??
    (await findVerifiedCrl(
      crls.filter((candidate) => urls.includes(candidate.url)),
      issuerCertificate,
    ));
  if (!crl) return urls.length === 0 ? null : { status: 'unchecked', source: null };
  const source = crl.url === 'dss' ? 'dss-crl' : crl.url;
  const entry = crl.list.revokedCertificates?.find((candidate) =>
    Buffer.from(candidate.userCertificate.valueBlock.valueHexView).equals(serial),
  );
  if (!entry) return { status: 'good', source };
  return { status: 'revoked', source, revokedAt: entry.revocationDate.value.toISOString(), reason: reasonOf(entry) };
}

/** The status an OCSP answer signed by the issuer gives for the certificate (RFC 6960, the CA as its own responder); undefined when none does. */
async function statusFromOcsp(
  certificate: pkijs.Certificate,
  issuerCertificate: pkijs.Certificate,
  responses: readonly Uint8Array[],
): Promise<{ status: RevocationStatus; producedAt: Date } | undefined> {
  for (const der of responses) {
    try {
      const response = pkijs.OCSPResponse.fromBER(der);
      if (response.responseStatus.valueBlock.valueDec !== 0 || !response.responseBytes) continue;
      const basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView);
      const signed = await cryptoEngine.verifyWithPublicKey(
        basic.tbsResponseData.tbsView,
        basic.signature,
        issuerCertificate.subjectPublicKeyInfo,
        basic.signatureAlgorithm,
      );
      if (!signed) continue;
      for (const single of basic.tbsResponseData.responses) {
        const certId = await pkijs.CertID.create(
          certificate,
          { hashAlgorithm: single.certID.hashAlgorithm.algorithmId === '1.3.14.3.2.26' ? 'SHA-1' : 'SHA-256', issuerCertificate },
          cryptoEngine,
        );
        if (!single.certID.isEqual(certId)) continue;
        const status = single.certStatus as asn1js.BaseBlock & {
          idBlock: { tagNumber: number };
          valueBlock: { value?: asn1js.BaseBlock[] };
        };
        const producedAt = basic.tbsResponseData.producedAt;
        if (status.idBlock.tagNumber === 0) return { status: { status: 'good', source: 'dss-ocsp' }, producedAt };
        if (status.idBlock.tagNumber === 1) {
          const [time, reason] = status.valueBlock.value ?? [];
          const revokedAt = time instanceof asn1js.GeneralizedTime ? time.toDate() : new Date(0);
          const code =
            reason instanceof asn1js.Constructed ? (reason.valueBlock.value[0] as asn1js.Enumerated | undefined)?.valueBlock.valueDec : 0;
          const revoked: RevocationStatus = {
            status: 'revoked',
            source: 'dss-ocsp',
            revokedAt: revokedAt.toISOString(),
            reason: REASON_NAMES[code ?? 0] ?? 'unspecified',
          };
          return { status: revoked, producedAt };
        }
      }
    } catch {
      // Not an OCSP response, or one that does not verify: as if it were not there.
    }
  }
  return undefined;
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
  usable: (list: pkijs.CertificateRevocationList) => boolean = () => true,
): Promise<{ url: string; list: pkijs.CertificateRevocationList } | undefined> {
  for (const candidate of crls) {
    try {
      const list = pkijs.CertificateRevocationList.fromBER(candidate.der);
      if (!list.issuer.isEqual(issuerCertificate.subject) || !usable(list)) continue;
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
