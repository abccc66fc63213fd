import 'reflect-metadata'; // @peculiar/x509 resolves its algorithms through tsyringe, which needs Reflect.getMetadata at import time
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The signing PKI: one self-signed root per government and end-entity signing certificates issued by it.
 * RSA with PKCS#1 v1.5 / SHA-256, the algorithm every PAdES validator (Acrobat, poppler/NSS, EU DSS)
 * accepts. Everything runs on Node's WebCrypto; private keys leave as PKCS#8 DER, ready for the key vault.
 */
x509.cryptoProvider.set(webcrypto);

/** Node's WebCrypto key type (the DOM's CryptoKey is not in this project's lib). */
export type CryptoKey = webcrypto.CryptoKey;

/** A certificate and its private key, as stored. */
export interface IssuedCredential {
  certificatePem: string;
  privateKeyPkcs8: Buffer;
}

/** The subject of a government's root CA. */
export interface CertificateAuthoritySubject {
  commonName: string;
  organization: string;
  /** ISO 3166-1 alpha-2, e.g. "RU", "KR". */
  country: string;
}

/** The subject of a signatory's certificate; the email goes into subjectAltName, the title into the subject. */
export interface SignerSubject extends CertificateAuthoritySubject {
  email: string;
  title?: string;
}

/** Where the issuing CA publishes revocations: its CRL (distribution point) and its OCSP responder (authority information access). */
export interface RevocationUrls {
  crl: string;
  ocsp: string;
}

/** The certificate's validity period, taken as given (no backdating). */
export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/**
 * CAs and time-stamping units sign what proves everything else (certificates, revocation answers,
 * timestamps) for as long as their certificates run, decades: 128-bit strength, which NIST gives no
 * end yet (cryptographic-strength.ts).
 */
const LONG_LIVED_KEY_BITS = 3072;
/**
 * A signatory's key signs for a few years and its signatures are timestamped when made: 112-bit
 * strength, counted on until 2031, is enough when the certificate ends by then (demo-pki.ts), and its
 * key takes a third of the time to make.
 */
export const SIGNATORY_KEY_BITS = 2048;

/** Adobe's "Document Signing" extended key usage; Acrobat looks for it, NSS ignores it. */
const ADOBE_DOCUMENT_SIGNING = '1.2.840.113583.1.1.5';

/** Creates a self-signed root CA certificate (CA:true, keyCertSign + cRLSign) with a fresh RSA-3072 key (LONG_LIVED_KEY_BITS). */
export async function createCertificateAuthority(subject: CertificateAuthoritySubject, validity: Validity): Promise<IssuedCredential> {
  const keys = await generateKeyPair(LONG_LIVED_KEY_BITS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: distinguishedName(subject),
    ...validity,
    signingAlgorithm: RSA_SHA256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem'), privateKeyPkcs8: await exportPkcs8(keys.privateKey) };
}

/**
 * Issues an end-entity document-signing certificate for a person under `certificateAuthority`, with a
 * fresh RSA-2048 key (SIGNATORY_KEY_BITS); with `revocationUrls`, it says where its revocation is published.
 */
export function issueSigningCertificate(
  certificateAuthority: IssuedCredential,
  subject: SignerSubject,
  validity: Validity,
  revocationUrls?: RevocationUrls,
): Promise<IssuedCredential> {
  return issueEndEntityCertificate(
    certificateAuthority,
    subject,
    validity,
    SIGNATORY_KEY_BITS,
    // NSS validates PDF signers for the "email signer" usage, which requires emailProtection when an EKU is present.
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.emailProtection, ADOBE_DOCUMENT_SIGNING], false),
    [
      new x509.SubjectAlternativeNameExtension([{ type: 'email', value: subject.email }]),
      ...(revocationUrls
        ? [
            new x509.CRLDistributionPointsExtension([revocationUrls.crl]),
            new x509.AuthorityInfoAccessExtension({ ocsp: [revocationUrls.ocsp] }),
          ]
        : []),
    ],
  );
}

/**
 * Issues a time-stamping unit's certificate under `certificateAuthority` (RFC 3161 §2.3: the only
 * extended key usage is timeStamping, critical), with a fresh RSA-3072 key (LONG_LIVED_KEY_BITS).
 */
export function issueTimestampingCertificate(
  certificateAuthority: IssuedCredential,
  subject: CertificateAuthoritySubject,
  validity: Validity,
): Promise<IssuedCredential> {
  return issueEndEntityCertificate(
    certificateAuthority,
    subject,
    validity,
    LONG_LIVED_KEY_BITS,
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true),
  );
}

/**
 * A certificate that is no CA's, with a key that signs (digitalSignature and nonRepudiation), issued by
 * `certificateAuthority`, with its own key identifier and its issuer's, its extended key usage and `others`.
 */
async function issueEndEntityCertificate(
  certificateAuthority: IssuedCredential,
  subject: CertificateAuthoritySubject & { title?: string },
  validity: Validity,
  keyBits: number,
  extendedKeyUsage: x509.ExtendedKeyUsageExtension,
  others: x509.Extension[] = [],
): Promise<IssuedCredential> {
  const issuer = new x509.X509Certificate(certificateAuthority.certificatePem);
  const issuerKeyId = issuer.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (!issuerKeyId) throw new Error(`certificate authority "${issuer.subject}" has no subject key identifier`);
  const keys = await generateKeyPair(keyBits);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: distinguishedName(subject),
    issuer: issuer.subjectName,
    ...validity,
    signingAlgorithm: RSA_SHA256,
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(certificateAuthority.privateKeyPkcs8),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // NSS (pdfsig) refuses signing certificates without digitalSignature; nonRepudiation marks a signature key.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      extendedKeyUsage,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      // Taken from the issuer's own SKI so that path building matches it byte for byte.
      new x509.AuthorityKeyIdentifierExtension(issuerKeyId),
      ...others,
    ],
  });
  return { certificatePem: certificate.toString('pem'), privateKeyPkcs8: await exportPkcs8(keys.privateKey) };
}

/** Returns the certificate's subject as one readable line, e.g. "C=RU, O=…, CN=Андрей Соболев". */
export function certificateSubject(certificatePem: string): string {
  return new x509.X509Certificate(certificatePem).subject;
}

/** Imports a stored PKCS#8 RSA key as a non-extractable WebCrypto key that can only sign (RSASSA-PKCS1-v1_5, SHA-256). */
export async function importPrivateKey(privateKeyPkcs8: Buffer): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', privateKeyPkcs8, { name: RSA_SHA256.name, hash: RSA_SHA256.hash }, false, ['sign']);
}

async function generateKeyPair(modulusLength: number): Promise<webcrypto.CryptoKeyPair> {
  // Extractable only so that the private key can be exported once as PKCS#8 for storage.
  return webcrypto.subtle.generateKey({ ...RSA_SHA256, publicExponent: new Uint8Array([1, 0, 1]), modulusLength }, true, [
    'sign',
    'verify',
  ]);
}

async function exportPkcs8(privateKey: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('pkcs8', privateKey));
}

/**
 * The JSON form of a name rather than "CN=…, O=…": the string parser splits on ',' and '+', and
 * government names contain commas. Most significant RDN first (C, O, title, CN); non-ASCII values
 * are encoded as UTF8String.
 */
function distinguishedName(subject: CertificateAuthoritySubject & { title?: string }): x509.JsonName {
  return [
    { C: [subject.country] },
    { O: [subject.organization] },
    ...(subject.title ? [{ T: [subject.title] }] : []),
    { CN: [subject.commonName] },
  ];
}

/**
 * 16 random bytes (RFC 5280 §4.1.2.2: positive, at most 20 octets). The first byte keeps its high bit clear,
 * so DER needs no sign byte, and is non-zero, so DER drops nothing: the serial is always 16 bytes long.
 */
function randomSerialNumber(): string {
  const serial = webcrypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0] & 0x7f) | 0x01;
  return Buffer.from(serial).toString('hex');
}
