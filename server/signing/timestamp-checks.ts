import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs Reflect.getMetadata at import time
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { identifiesCertificate } from './cms-checks.ts';
import { pathProvableUntil, STRENGTH_SOURCE, weakestAlgorithmOf } from './cryptographic-strength.ts';
import { type Finding, finding } from './verification-findings.ts';

/**
 * Checks an RFC 3161 timestamp token the way verify-pdf.ts checks a signature, trusting nothing it says
 * about itself: a SignedData over a TSTInfo whose message imprint is the digest of the data it should
 * prove (a signature value, or the bytes a document timestamp covers), signed by the certificate it
 * names, a time-stamping unit's (extended key usage timeStamping), which chains to one of the trust
 * anchors and was valid at the time the token states. Pure: bytes and anchors in, a report out.
 */

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  extendedKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

const DIGESTS: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/** What a token proves, if anything. */
export interface TimestampCheck {
  /** The time the token states (genTime), when it could be read. */
  readonly time: Date | null;
  /** The unit's certificate subject, when found. */
  readonly authority: string | null;
  /** The token is sound: it is over this data and its signature verifies with the unit's certificate. */
  readonly intact: boolean;
  /** Sound and its unit chains to a trust anchor, valid at `time`: the time is proven. */
  readonly trusted: boolean;
  /** Why it is not intact (a broken token). */
  readonly problems: Finding[];
  /** Why an intact token is not trusted. */
  readonly warnings: Finding[];
  /** The unit's certificate, when found. */
  readonly unit?: pkijs.Certificate;
  /** When trusted: the unit's validated path, unit first, anchor last. */
  readonly path?: readonly pkijs.Certificate[];
  /**
   * When trusted: the last moment the token can be checked as it is: its path's earliest notAfter, or
   * sooner the end of its weakest algorithm's strength (cryptographic-strength.ts).
   */
  readonly provableUntil?: Date;
}

/** The timestamp tokens a SignerInfo carries as signature-time-stamp attributes (DER ContentInfos). */
export function timestampTokensOf(signerInfo: pkijs.SignerInfo): Buffer[] {
  return (signerInfo.unsignedAttrs?.attributes ?? [])
    .filter((attribute) => attribute.type === OID.signatureTimeStampToken)
    .flatMap((attribute) => attribute.values.map((value) => Buffer.from((value as asn1js.BaseBlock).toBER(false))));
}

/** Checks `token` as proof that `data` existed at its time; `anchors` are the CA certificates a unit may chain to. */
export async function checkTimestampToken(token: Buffer, data: Buffer, anchors: readonly pkijs.Certificate[]): Promise<TimestampCheck> {
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  const broken = (problem: string, time: Date | null = null, authority: string | null = null): TimestampCheck => ({
    time,
    authority,
    intact: false,
    trusted: false,
    problems: [...problems, finding('timestampBroken', problem)],
    warnings,
  });
  let signedData: pkijs.SignedData;
  let tstInfo: pkijs.TSTInfo;
  try {
    const contentInfo = pkijs.ContentInfo.fromBER(token);
    if (contentInfo.contentType !== OID.signedData) return broken('the timestamp token is not a CMS SignedData');
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
    const content = signedData.encapContentInfo;
    if (content.eContentType !== OID.tstInfo || !content.eContent) return broken('the timestamp token holds no TSTInfo');
    tstInfo = pkijs.TSTInfo.fromBER(content.eContent.getValue());
  } catch (error) {
    return broken(`the timestamp token cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const time = tstInfo.genTime;
  const signerInfo = signedData.signerInfos[0];
  const certificates = (signedData.certificates ?? []).filter((certificate) => certificate instanceof pkijs.Certificate);
  const unit = signerInfo && certificates.find((certificate) => identifiesCertificate(signerInfo.sid, certificate));
  if (signedData.signerInfos.length !== 1 || !unit)
    return broken('the timestamp token does not carry the certificate of its one signer', time, unit ? subjectOf(unit) : null);
  const authority = subjectOf(unit);

  const digest = DIGESTS[tstInfo.messageImprint.hashAlgorithm.algorithmId];
  if (!digest)
    return broken(
      `the timestamp is over a ${tstInfo.messageImprint.hashAlgorithm.algorithmId} digest, which is not accepted`,
      time,
      authority,
    );
  if (!Buffer.from(tstInfo.messageImprint.hashedMessage.getValue()).equals(createHash(digest).update(data).digest())) {
    return broken('the timestamp is over other data than this signature', time, authority);
  }
  const verified = await signedData
    // pkijs checks a TSTInfo's imprint against `data` once more before the signature.
    .verify({ signer: 0, data: new Uint8Array(data).buffer, checkChain: false, extendedMode: true }, cryptoEngine)
    .then((result) => result.signatureVerified === true)
    .catch(() => false);
  if (!verified) return broken("the timestamp token's signature does not verify with its unit's certificate", time, authority);

  const extendedKeyUsage = unit.extensions?.find((extension) => extension.extnID === OID.extendedKeyUsage);
  const usages = extendedKeyUsage?.parsedValue instanceof pkijs.ExtKeyUsage ? extendedKeyUsage.parsedValue.keyPurposes : [];
  if (!usages.includes(OID.timeStamping)) {
    return broken(
      `the timestamp is signed by "${authority}", whose certificate is not a time-stamping unit's (extended key usage)`,
      time,
      authority,
    );
  }

  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [...anchors],
    certs: [...certificates.filter((certificate) => certificate !== unit), unit],
    checkDate: time,
  });
  const chain = await engine.verify({}, cryptoEngine).catch((error: unknown) => ({
    result: false,
    resultMessage: error instanceof Error ? error.message : String(error),
  }));
  if (!chain.result) {
    warnings.push(
      finding(
        'timestampUnproven',
        `the timestamp of ${time.toISOString()} by "${authority}" is not proven: its unit does not chain to a trust anchor valid at that time (${chain.resultMessage}); register the authority's CA as a trust anchor`,
        { at: time.toISOString(), authority },
      ),
    );
    return { time, authority, intact: true, trusted: false, problems, warnings, unit };
  }
  const path = engine.certs;
  const weakest = weakestAlgorithmOf(path, [signerInfo.digestAlgorithm.algorithmId, tstInfo.messageImprint.hashAlgorithm.algorithmId]);
  if (weakest && time >= weakest.endsAt) {
    warnings.push(
      finding(
        'algorithmEnded',
        `the timestamp of ${time.toISOString()} by "${authority}" is not proven: it relies on ${weakest.algorithm}, which is not counted on from ${weakest.endsAt.toISOString()} (${STRENGTH_SOURCE})`,
        { at: weakest.endsAt.toISOString(), algorithm: weakest.algorithm },
      ),
    );
    return { time, authority, intact: true, trusted: false, problems, warnings, unit };
  }
  // Its algorithm ends before its chain expires: then that end, not the expiry, is how long it proves.
  if (weakest && weakest.endsAt < pathProvableUntil(path, undefined))
    warnings.push(
      finding(
        'algorithmEnding',
        `the timestamp by "${authority}" relies on ${weakest.algorithm}, which is counted on only until ${weakest.endsAt.toISOString()} (${STRENGTH_SOURCE}), before its unit's chain expires: what it proves needs a document timestamp with stronger keys before then`,
        { at: weakest.endsAt.toISOString(), algorithm: weakest.algorithm },
      ),
    );
  return { time, authority, intact: true, trusted: true, problems, warnings, unit, path, provableUntil: pathProvableUntil(path, weakest) };
}

function subjectOf(certificate: pkijs.Certificate): string {
  return new x509.X509Certificate(certificate.toSchema().toBER(false)).subject;
}
