import { X509Certificate, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Signer } from '@signpdf/utils';
import type { CryptoKey } from './pki.ts';

/**
 * The CMS (RFC 5652) signature inside a PAdES baseline B-B PDF signature (ETSI EN 319 142-1,
 * /SubFilter /ETSI.CAdES.detached). @signpdf/signpdf hands `sign` the bytes covered by /ByteRange and puts
 * the returned DER SignedData into /Contents.
 *
 * Signed attributes: content-type, message-digest and ESS signing-certificate-v2 (RFC 5035), which binds
 * the signer's certificate to the signature. There is deliberately no signing-time attribute: PAdES
 * baseline forbids it and carries the claimed time in the signature dictionary's /M instead.
 */

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/** The signer's certificate, its issuers and its private key. */
export interface PadesCmsSignerOptions {
  certificatePem: string;
  /** Issuing certificates, nearest first; embedded so validators can build the path to a trusted root. */
  chainPems: string[];
  /** RSASSA-PKCS1-v1_5 key of the certificate (see pki.ts importPrivateKey). */
  privateKey: CryptoKey;
}

/** Produces detached CMS SignedData (SHA-256, RSA) over the bytes signpdf passes in; same inputs give the same bytes. */
export class PadesCmsSigner extends Signer {
  private readonly certificate: pkijs.Certificate;
  private readonly certificateDer: Buffer;
  private readonly chain: pkijs.Certificate[];
  private readonly privateKey: CryptoKey;

  constructor(options: PadesCmsSignerOptions) {
    super();
    this.certificateDer = new X509Certificate(options.certificatePem).raw;
    this.certificate = pkijs.Certificate.fromBER(this.certificateDer);
    this.chain = options.chainPems.map((pem) => pkijs.Certificate.fromBER(new X509Certificate(pem).raw));
    this.privateKey = options.privateKey;
  }

  /** Signs `signedBytes` (the PDF without its /Contents value) and returns the DER ContentInfo; signpdf's signingTime argument is unused. */
  override async sign(signedBytes: Buffer): Promise<Buffer> {
    const signedAttributes = inDerSetOrder([
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
      new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: await sha256(signedBytes) })] }),
      new pkijs.Attribute({ type: OID.signingCertificateV2, values: [await this.signingCertificateV2()] }),
    ]);
    const signedData = new pkijs.SignedData({
      version: 1,
      // Detached: only the content type, the PDF bytes stay outside the CMS.
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: this.certificate.issuer, serialNumber: this.certificate.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: signedAttributes }),
        }),
      ],
      certificates: [this.certificate, ...this.chain],
    });
    // With signed attributes present, pkijs signs their DER (re-tagged as SET) and ignores the content itself.
    await signedData.sign(this.privateKey, 0, 'SHA-256', undefined, cryptoEngine);
    const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return Buffer.from(contentInfo.toSchema().toBER(false));
  }

  /**
   * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
   * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256 (so omitted in DER), certHash OCTET STRING, issuerSerial }
   * IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }
   * pkijs has no class for it. The issuerSerial is optional, but EU DSS warns when it is missing.
   */
  private async signingCertificateV2(): Promise<asn1js.Sequence> {
    const directoryName = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [this.certificate.issuer.toSchema()] });
    const issuerSerial = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [directoryName] }), this.certificate.serialNumber] });
    const essCertIdV2 = new asn1js.Sequence({
      value: [new asn1js.OctetString({ valueHex: await sha256(this.certificateDer) }), issuerSerial],
    });
    return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
  }
}

/**
 * signedAttrs is a DER SET OF, whose elements are sorted by their encodings (X.690 §11.6). pkijs keeps
 * insertion order, and verifiers that re-encode the attributes before checking the signature (NSS) reject
 * any other order.
 */
function inDerSetOrder(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  return attributes
    .map((attribute) => ({ attribute, der: Buffer.from(attribute.toSchema().toBER(false)) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map(({ attribute }) => attribute);
}

async function sha256(data: Uint8Array): Promise<ArrayBuffer> {
  return webcrypto.subtle.digest('SHA-256', data);
}
