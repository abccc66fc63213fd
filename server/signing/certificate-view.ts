import { X509Certificate } from 'node:crypto';
import { certificateSha256 } from './certificate-checks.ts';

/** What the API says about a certificate: public facts only, never anything about a private key. */
export interface CertificateView {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** SHA-256 of the DER certificate, hex. */
  readonly sha256: string;
}

export function certificateView(certificatePem: string): CertificateView {
  const certificate = new X509Certificate(certificatePem);
  return {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    serialNumber: certificate.serialNumber.toLowerCase(),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    sha256: certificateSha256(certificatePem),
  };
}

/** Node writes one RDN per line; the API gives one line, most significant first as stored. */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
