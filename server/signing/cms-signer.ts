import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Signer } from '@signpdf/utils';
import type { CryptoKey } from './pki.ts';
import { pkijsCertificate, x509Certificate } from './parsed-certificates.ts';
import {
  sampleTimestampToken,
  signatureTimestampAttribute,
  signatureTimestampToken,
  type TimestampAuthority,
  TOKEN_LENGTH_SLACK,
} from './timestamp.ts';

/**
 * The CMS (RFC 5652) signature inside a PAdES baseline B-B PDF signature (ETSI EN 319 142-1,
 * /SubFilter /ETSI.CAdES.detached). sign-pdf.ts hands `sign` the bytes covered by /ByteRange and puts
 * the returned DER SignedData into /Contents.
 *
 * Signed attributes: content-type, message-digest and ESS signing-certificate-v2 (RFC 5035), which binds
 * the signer's certificate to the signature. There is deliberately no signing-time attribute: PAdES
 * baseline forbids it and carries the claimed time in the signature dictionary's /M instead. With a
 * time-stamping authority configured, an RFC 3161 timestamp over the signature value is added as the
 * unsigned attribute signature-time-stamp (PAdES baseline B-T).
 *
 * The same attributes and SignedData are assembled for a signature value made elsewhere (external
 * signing with a key the server never holds): see padesSignedAttributes and assembleSignedData.
 */

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** The signer's certificate, its issuers and its private key. */
export interface PadesCmsSignerOptions {
  certificatePem: string;
  /** Issuing certificates, nearest first; embedded so validators can build the path to a trusted root. */
  chainPems: string[];
  /** RSASSA-PKCS1-v1_5 key of the certificate (see pki.ts importPrivateKey). */
  privateKey: CryptoKey;
  /** An RFC 3161 time-stamping authority: when given, the signature is timestamped (PAdES B-T); `optional`: B-B when it does not answer. */
  timestampAuthority?: TimestampAuthority;
}

/**
 * Produces detached CMS SignedData (SHA-256, RSA) over the bytes signpdf passes in; same inputs give the
 * same bytes (without a timestamp). The certificates are parsed once per signer, and the CMS is encoded
 * once per signature, its timestamp token included: the attributes signed are the very objects encoded.
 */
export class PadesCmsSigner extends Signer {
  private readonly certificateDer: Buffer;
  private readonly certificate: pkijs.Certificate;
  private readonly chain: pkijs.Certificate[];
  /** An RSA signature is exactly as long as the key's modulus. */
  private readonly signatureLength: number;
  private readonly privateKey: CryptoKey;
  private readonly timestampAuthority: TimestampAuthority | undefined;
  private signingCertificate: Promise<pkijs.Attribute> | undefined;

  constructor(options: PadesCmsSignerOptions) {
    super();
    const certificate = x509Certificate(options.certificatePem);
    this.certificateDer = certificate.raw;
    this.certificate = pkijsCertificate(options.certificatePem);
    this.chain = options.chainPems.map((pem) => pkijsCertificate(pem));
    const modulusLength = certificate.publicKey.asymmetricKeyDetails?.modulusLength;
    if (certificate.publicKey.asymmetricKeyType !== 'rsa' || modulusLength === undefined) {
      throw new Error('PadesCmsSigner signs with RSA keys; this certificate has another');
    }
    this.signatureLength = Math.ceil(modulusLength / 8);
    this.privateKey = options.privateKey;
    this.timestampAuthority = options.timestampAuthority;
  }

  /** Signs `signedBytes` (the PDF without its /Contents value) and returns the DER ContentInfo; signpdf's signingTime argument is unused. */
  override async sign(signedBytes: Buffer): Promise<Buffer> {
    const attributes = await this.signedAttributes(await sha256(signedBytes));
    const signatureValue = Buffer.from(
      await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', this.privateKey, encodeSignedAttributes(attributes)),
    );
    const token = this.timestampAuthority && (await signatureTimestampToken(signatureValue, this.timestampAuthority));
    return signedDataDer(this.certificate, this.chain, attributes, signatureValue, token);
  }

  /**
   * The most bytes sign() returns, so that the PDF reserves that much for the CMS and not a fixed
   * 16 KiB of zeros: the same CMS encoded with a signature value of the modulus's length (exact, as the
   * certificates and attributes are the same whatever is signed) and, with an authority, the largest
   * token it has given so far (asked for one the first time), plus a slack for what varies between its
   * tokens (serial number, nonce, fractions of a second).
   */
  async maximumLength(): Promise<number> {
    const sample = this.timestampAuthority && (await sampleTimestampToken(this.timestampAuthority));
    const attributes = await this.signedAttributes(new ArrayBuffer(32));
    const length = signedDataDer(this.certificate, this.chain, attributes, Buffer.alloc(this.signatureLength), sample).length;
    // An optional authority that does not answer now: the signature may come without a token; if it answers after all, addSignature makes room.
    return sample ? length + TOKEN_LENGTH_SLACK : length;
  }

  private async signedAttributes(contentDigest: ArrayBuffer): Promise<pkijs.Attribute[]> {
    this.signingCertificate ??= signingCertificateAttribute(this.certificate, this.certificateDer);
    return inDerSetOrder([contentTypeAttribute(), messageDigestAttribute(contentDigest), await this.signingCertificate]);
  }
}

/**
 * The signed attributes of a PAdES signature over content whose SHA-256 is `contentDigest`, in DER set
 * order: content-type, message-digest, signing-certificate-v2.
 */
export async function padesSignedAttributes(contentDigest: ArrayBuffer | Buffer, certificateDer: Buffer): Promise<pkijs.Attribute[]> {
  const certificate = pkijsCertificate(certificateDer);
  return inDerSetOrder([
    contentTypeAttribute(),
    messageDigestAttribute(contentDigest),
    await signingCertificateAttribute(certificate, certificateDer),
  ]);
}

function contentTypeAttribute(): pkijs.Attribute {
  return new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] });
}

function messageDigestAttribute(contentDigest: ArrayBuffer | Buffer): pkijs.Attribute {
  return new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(contentDigest) })] });
}

async function signingCertificateAttribute(certificate: pkijs.Certificate, certificateDer: Buffer): Promise<pkijs.Attribute> {
  return new pkijs.Attribute({ type: OID.signingCertificateV2, values: [await signingCertificateV2(certificate, certificateDer)] });
}

/** What a signature over the attributes signs (RFC 5652 §5.4): their DER encoded as a SET OF. */
export function encodeSignedAttributes(attributes: pkijs.Attribute[]): Buffer {
  return Buffer.from(new asn1js.Set({ value: attributes.map((attribute) => attribute.toSchema()) }).toBER(false));
}

/**
 * The CMS for a signature value made elsewhere over encodeSignedAttributes(attributes), with the
 * certificate's key: RSA PKCS#1 v1.5 or ECDSA, both with SHA-256.
 */
export function assembleSignedData(
  certificatePem: string,
  chainPems: readonly string[],
  attributes: pkijs.Attribute[],
  signatureValue: Buffer,
): Buffer {
  return signedDataDer(
    pkijsCertificate(certificatePem),
    chainPems.map((pem) => pkijsCertificate(pem)),
    attributes,
    signatureValue,
  );
}

/** The DER ContentInfo of the SignedData with one signer: these signed attributes, this signature value and, when given, its timestamp token. */
function signedDataDer(
  certificate: pkijs.Certificate,
  chain: readonly pkijs.Certificate[],
  attributes: pkijs.Attribute[],
  signatureValue: Buffer,
  timestampToken?: Buffer,
): Buffer {
  const digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlgorithm],
    // Detached: only the content type, the PDF bytes stay outside the CMS.
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
        digestAlgorithm,
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
        signatureAlgorithm: signatureAlgorithmFor(certificate),
        signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signatureValue) }),
        // pkijs would encode an empty set for a key given as undefined.
        ...(timestampToken && {
          unsignedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [signatureTimestampAttribute(timestampToken)] }),
        }),
      }),
    ],
    certificates: [certificate, ...chain],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

const SIGNATURE_ALGORITHMS: Record<string, () => pkijs.AlgorithmIdentifier> = {
  // rsaEncryption key: sha256WithRSAEncryption, parameters NULL (RFC 4055).
  '1.2.840.113549.1.1.1': () => new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.113549.1.1.11', algorithmParams: new asn1js.Null() }),
  // id-ecPublicKey: ecdsa-with-SHA256, parameters absent (RFC 5758).
  '1.2.840.10045.2.1': () => new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' }),
};

/** The SHA-256 signature algorithm for the certificate's key, with the parameters its RFC prescribes. */
function signatureAlgorithmFor(certificate: pkijs.Certificate): pkijs.AlgorithmIdentifier {
  const keyAlgorithm = certificate.subjectPublicKeyInfo.algorithm.algorithmId;
  const signatureAlgorithm = SIGNATURE_ALGORITHMS[keyAlgorithm];
  if (!signatureAlgorithm) throw new Error(`no signature algorithm for keys of type ${keyAlgorithm}`);
  return signatureAlgorithm();
}

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256 (so omitted in DER), certHash OCTET STRING, issuerSerial }
 * IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }
 * pkijs has no class for it. The issuerSerial is optional, but EU DSS warns when it is missing.
 */
export async function signingCertificateV2(certificate: pkijs.Certificate, certificateDer: Buffer): Promise<asn1js.Sequence> {
  const directoryName = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [certificate.issuer.toSchema()] });
  const issuerSerial = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [directoryName] }), certificate.serialNumber] });
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: await sha256(certificateDer) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/**
 * signedAttrs is a DER SET OF, whose elements are sorted by their encodings (X.690 §11.6). pkijs keeps
 * insertion order, and verifiers that re-encode the attributes before checking the signature (NSS) reject
 * any other order.
 */
export function inDerSetOrder(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  return attributes
    .map((attribute) => ({ attribute, der: Buffer.from(attribute.toSchema().toBER(false)) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map(({ attribute }) => attribute);
}

async function sha256(data: Uint8Array): Promise<ArrayBuffer> {
  return webcrypto.subtle.digest('SHA-256', data);
}

function toArrayBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
