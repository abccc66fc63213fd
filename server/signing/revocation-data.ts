import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CryptoKey } from './pki.ts';
import { pkijsCertificate, x509Certificate } from './parsed-certificates.ts';

/**
 * What a CA publishes about the certificates it revoked, built with pkijs and signed by the CA's own key:
 * a CRL (RFC 5280 §5) and OCSP answers (RFC 6960, the CA as its own responder, named by its subject).
 */

const OID = {
  crlReason: '2.5.29.21',
  crlNumber: '2.5.29.20',
  authorityKeyIdentifier: '2.5.29.35',
  subjectKeyIdentifier: '2.5.29.14',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** RFC 5280 §5.3.1 reason codes. */
const REASON_CODES: Record<string, number> = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
};

/** How long a CRL and an OCSP answer are current: a relying party asks again after that. */
const CRL_VALIDITY_MS = 24 * 60 * 60 * 1000;
const OCSP_VALIDITY_MS = 60 * 60 * 1000;

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
const SUCCESSFUL = 0;
const MALFORMED_REQUEST = 1;

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/** The CA that publishes: its certificate and its signing key. */
export interface RevocationIssuer {
  readonly certificatePem: string;
  readonly privateKey: CryptoKey;
}

/** One revoked certificate as the CA publishes it. */
export interface RevokedCertificate {
  /** Lowercase hex. */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  readonly reason: string;
}

/** The certificate's serial number as lowercase hex without DER's sign byte, the form revocations are looked up by. */
export function serialNumberOf(certificatePem: string): string {
  return normalizedSerial(x509Certificate(certificatePem).serialNumber);
}

/** The CA's DER CRL at `now`, listing `revoked`, current for a day. */
export async function buildCrl(issuer: RevocationIssuer, revoked: readonly RevokedCertificate[], now: Date): Promise<Buffer> {
  const caCertificate = pkijsCertificate(issuer.certificatePem);
  const thisUpdate = wholeSeconds(now);
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    issuer: caCertificate.subject,
    thisUpdate: new pkijs.Time({ type: 1, value: thisUpdate }),
    nextUpdate: new pkijs.Time({ type: 1, value: new Date(thisUpdate.getTime() + CRL_VALIDITY_MS) }),
    crlExtensions: new pkijs.Extensions({
      extensions: [
        new pkijs.Extension({
          extnID: OID.authorityKeyIdentifier,
          extnValue: new pkijs.AuthorityKeyIdentifier({
            keyIdentifier: new asn1js.OctetString({ valueHex: subjectKeyIdentifier(caCertificate) }),
          })
            .toSchema()
            .toBER(false),
        }),
        // Increasing with each CRL the CA issues: the second it was issued.
        new pkijs.Extension({
          extnID: OID.crlNumber,
          extnValue: new asn1js.Integer({ value: Math.floor(thisUpdate.getTime() / 1000) }).toBER(false),
        }),
      ],
    }),
  });
  // RFC 5280: an empty list is left out, not written empty.
  if (revoked.length > 0) {
    crl.revokedCertificates = revoked.map(
      (entry) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: hexBytes(entry.serialNumber) }),
          revocationDate: new pkijs.Time({ type: 1, value: wholeSeconds(entry.revokedAt) }),
          crlEntryExtensions: new pkijs.Extensions({
            extensions: [new pkijs.Extension({ extnID: OID.crlReason, extnValue: reasonCode(entry.reason).toBER(false) })],
          }),
        }),
    );
  }
  await crl.sign(issuer.privateKey, 'SHA-256', cryptoEngine);
  return Buffer.from(crl.toSchema(true).toBER(false));
}

/**
 * The DER OCSPResponse to a DER OCSPRequest: for each certificate asked about, good, revoked (when and
 * why) or unknown (not this CA's), signed by the CA, the request's nonce echoed; malformedRequest for
 * a body that is no OCSP request (never an exception).
 */
export async function answerOcspRequest(
  issuer: RevocationIssuer,
  findRevocation: (serialNumber: string) => RevokedCertificate | undefined,
  body: Buffer,
  now: Date,
): Promise<Buffer> {
  let request: pkijs.OCSPRequest;
  try {
    request = pkijs.OCSPRequest.fromBER(toArrayBuffer(body));
  } catch {
    return unsuccessful(MALFORMED_REQUEST);
  }
  const caCertificate = pkijsCertificate(issuer.certificatePem);
  const producedAt = wholeSeconds(now);
  const responses = request.tbsRequest.requestList.map((single) => {
    const certId = single.reqCert;
    const serialNumber = normalizedSerial(Buffer.from(certId.serialNumber.valueBlock.valueHexView).toString('hex'));
    const revocation = issuedBy(certId, caCertificate) ? findRevocation(serialNumber) : undefined;
    const certStatus = !issuedBy(certId, caCertificate)
      ? new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } })
      : revocation
        ? new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 1 },
            value: [
              new asn1js.GeneralizedTime({ valueDate: wholeSeconds(revocation.revokedAt) }),
              new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [reasonCode(revocation.reason)] }),
            ],
          })
        : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
    return new pkijs.SingleResponse({
      certID: certId,
      certStatus,
      thisUpdate: producedAt,
      nextUpdate: new Date(producedAt.getTime() + OCSP_VALIDITY_MS),
    });
  });
  const nonce = request.tbsRequest.requestExtensions?.find((extension) => extension.extnID === OID.ocspNonce);
  const basic = new pkijs.BasicOCSPResponse({
    tbsResponseData: new pkijs.ResponseData({
      responderID: caCertificate.subject,
      producedAt,
      responses,
      ...(nonce ? { responseExtensions: [nonce] } : {}),
    }),
  });
  await basic.sign(issuer.privateKey, 'SHA-256', cryptoEngine);
  const response = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: SUCCESSFUL }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: OID.ocspBasic,
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
    }),
  });
  return Buffer.from(response.toSchema().toBER(false));
}

/** Whether the CertID names a certificate of this CA: the hashes of its subject and of its public key (SHA-1 or SHA-256). */
function issuedBy(certId: pkijs.CertID, caCertificate: pkijs.Certificate): boolean {
  const algorithm = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256' }[certId.hashAlgorithm.algorithmId];
  if (!algorithm) return false;
  const digest = (bytes: ArrayBuffer | Uint8Array) => createHash(algorithm).update(new Uint8Array(bytes)).digest();
  const nameHash = digest(caCertificate.subject.toSchema().toBER(false));
  const keyHash = digest(caCertificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  return (
    nameHash.equals(Buffer.from(certId.issuerNameHash.valueBlock.valueHexView)) &&
    keyHash.equals(Buffer.from(certId.issuerKeyHash.valueBlock.valueHexView))
  );
}

function unsuccessful(status: number): Buffer {
  return Buffer.from(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) }).toSchema().toBER(false));
}

function reasonCode(reason: string): asn1js.Enumerated {
  return new asn1js.Enumerated({ value: REASON_CODES[reason] ?? REASON_CODES.unspecified! });
}

function subjectKeyIdentifier(certificate: pkijs.Certificate): ArrayBuffer {
  const extension = certificate.extensions?.find((candidate) => candidate.extnID === OID.subjectKeyIdentifier);
  if (!extension) throw new Error('the CA certificate has no subject key identifier');
  const keyIdentifier = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView).result as asn1js.OctetString;
  return toArrayBuffer(keyIdentifier.valueBlock.valueHexView);
}

function normalizedSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=..)/, '');
}

function hexBytes(hex: string): ArrayBuffer {
  return toArrayBuffer(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex'));
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A DER OCSP request (RFC 6960) for one certificate of `issuerPem`'s, by SHA-1 CertID as every responder understands it. */
export async function ocspRequestFor(certificatePem: string, issuerPem: string): Promise<Buffer> {
  const request = new pkijs.OCSPRequest();
  await request.createForCertificate(
    pkijsCertificate(certificatePem),
    { hashAlgorithm: 'SHA-1', issuerCertificate: pkijsCertificate(issuerPem) },
    cryptoEngine,
  );
  return Buffer.from(request.toSchema(true).toBER(false));
}
