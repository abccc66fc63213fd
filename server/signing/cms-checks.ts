import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { RuleViolationError } from '../errors.ts';
import { pkijsCertificate } from './parsed-certificates.ts';

/**
 * Checks of a CMS SignedData that are not a PDF reader's: what a signature made elsewhere must be
 * before it is embedded in a prepared revision. What every embedded signature must be (digest,
 * signature, signing-certificate-v2, chain) verify-pdf.ts checks afterwards, on the revision itself.
 */

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

/** How far a signing-time attribute (which `openssl cms -sign` always adds) may be from the request's life. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** True when a SignerInfo's sid names `certificate` by its issuer and serial number (the only sid PAdES signers write). */
export function identifiesCertificate(sid: pkijs.SignerInfo['sid'], certificate: pkijs.Certificate): boolean {
  return (
    sid instanceof pkijs.IssuerAndSerialNumber &&
    sid.issuer.isEqual(certificate.issuer) &&
    sid.serialNumber.isEqual(certificate.serialNumber)
  );
}

/**
 * Pure: `cms` when it is one DER SignedData with one signer, signed with and carrying the registered
 * certificate, whose signing-time attribute (if any) lies within the signing request's life (from
 * `requestedAt` to `now`, give or take the clock skew); else a 422 naming the problem.
 */
export function checkSubmittedCms(cms: Buffer, certificatePem: string, life: { readonly requestedAt: string; readonly now: Date }): Buffer {
  const refuse = (problem: string) => new RuleViolationError(`The signature was refused: ${problem}`, { problems: [problem] });
  const parsed = asn1js.fromBER(cms);
  if (parsed.offset === -1 || parsed.offset !== cms.length) throw refuse('it is not one DER-encoded CMS structure');
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
    if (contentInfo.contentType !== OID.signedData) throw new Error('not SignedData');
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch {
    throw refuse('it is not a CMS SignedData (make it with openssl cms -sign -binary -outform DER)');
  }
  if (signedData.signerInfos.length !== 1) throw refuse(`it has ${signedData.signerInfos.length} signers; a PDF signature has exactly one`);
  const signerInfo = signedData.signerInfos[0]!;
  const registered = pkijsCertificate(certificatePem);
  if (!identifiesCertificate(signerInfo.sid, registered))
    throw refuse('it is not signed with your registered certificate (issuer and serial number differ)');
  const carried = (signedData.certificates ?? []).some(
    (certificate) =>
      certificate instanceof pkijs.Certificate &&
      Buffer.from(certificate.toSchema().toBER(false)).equals(Buffer.from(registered.toSchema().toBER(false))),
  );
  if (!carried) throw refuse('it does not carry your registered certificate (do not use -nocerts)');
  const signingTime = signerInfo.signedAttrs?.attributes.find((attribute) => attribute.type === OID.signingTime)?.values[0];
  if (signingTime instanceof asn1js.UTCTime || signingTime instanceof asn1js.GeneralizedTime) {
    const claimed = signingTime.toDate().getTime();
    if (claimed < new Date(life.requestedAt).getTime() - CLOCK_SKEW_MS || claimed > life.now.getTime() + CLOCK_SKEW_MS) {
      throw refuse(
        `its signing-time attribute ${signingTime.toDate().toISOString()} is outside the signing request's life (${life.requestedAt} to now)`,
      );
    }
  }
  return cms;
}
