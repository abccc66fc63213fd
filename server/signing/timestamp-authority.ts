import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { inDerSetOrder, signingCertificateV2 } from './cms-signer.ts';
import type { CryptoKey } from './pki.ts';
import { pkijsCertificate, x509Certificate } from './parsed-certificates.ts';

/**
 * An RFC 3161 time-stamping authority, built with pkijs: it answers a TimeStampReq with a granted
 * TimeStampResp whose token (CMS SignedData over a TSTInfo) is signed by the unit's key, binds the
 * unit's certificate with signing-certificate-v2 and carries the certificate (and its issuers but the root, when
 * asked). It is what demo mode timestamps with: the demo PKI's own unit, on the server's clock, so
 * a demo signature is PAdES B-T with nothing outside. Production points TSA_URL at a real authority.
 */

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

/** The digests a query may be over (SHA-1 is no longer accepted: ETSI TS 119 312). */
const DIGEST_LENGTHS: Record<string, number> = {
  '2.16.840.1.101.3.4.2.1': 32,
  '2.16.840.1.101.3.4.2.2': 48,
  '2.16.840.1.101.3.4.2.3': 64,
};

/** Bilateral's demo time-stamping policy (an OID under the private arc the test PKI uses too). */
export const DEMO_TIMESTAMP_POLICY = '1.3.6.1.4.1.99999.1.2';

/** PKIStatus (RFC 3161 §2.4.2). */
const GRANTED = 0;
const REJECTION = 2;
/** PKIFailureInfo bits. */
const BAD_ALGORITHM = 0;
const BAD_DATA_FORMAT = 5;

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/** A time-stamping unit: its certificate, the issuers to hand out with it, its key and its clock. */
export interface TimestampingUnit {
  readonly certificatePem: string;
  /** Nearest first, up to the root. */
  readonly chainPems: readonly string[];
  readonly privateKey: CryptoKey;
  readonly now: () => Date;
}

/** The DER TimeStampResp to a DER TimeStampReq: granted, or a rejection saying why (never an exception for a bad query). */
export async function answerTimestampQuery(unit: TimestampingUnit, query: Buffer): Promise<Buffer> {
  let request: pkijs.TimeStampReq;
  try {
    request = pkijs.TimeStampReq.fromBER(query);
  } catch {
    return rejection(BAD_DATA_FORMAT, 'not a DER TimeStampReq');
  }
  const { hashAlgorithm, hashedMessage } = request.messageImprint;
  const expectedLength = DIGEST_LENGTHS[hashAlgorithm.algorithmId];
  if (expectedLength === undefined) return rejection(BAD_ALGORITHM, `digest ${hashAlgorithm.algorithmId} is not accepted`);
  if (hashedMessage.getValue().byteLength !== expectedLength) return rejection(BAD_DATA_FORMAT, 'the digest has the wrong length');
  if (request.reqPolicy !== undefined && request.reqPolicy !== DEMO_TIMESTAMP_POLICY) {
    return rejection(BAD_DATA_FORMAT, `policy ${request.reqPolicy} is not offered`);
  }

  const certificateDer = x509Certificate(unit.certificatePem).raw;
  const certificate = pkijsCertificate(unit.certificatePem);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: DEMO_TIMESTAMP_POLICY,
    messageImprint: request.messageImprint,
    serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(serial) }),
    // Whole seconds: GeneralizedTime without fractions, as most authorities write it.
    genTime: new Date(Math.floor(unit.now().getTime() / 1000) * 1000),
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(request.nonce ? { nonce: request.nonce } : {}),
  });
  const tstInfoDer = Buffer.from(tstInfo.toSchema().toBER(false));
  const signedAttributes = inDerSetOrder([
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: toArrayBuffer(createHash('sha256').update(tstInfoDer).digest()) })],
    }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [await signingCertificateV2(certificate, certificateDer)] }),
  ]);
  const certificates = [certificate, ...(request.certReq ? issuersButRoot(unit.chainPems).map((der) => pkijsCertificate(der)) : [])];
  const signedData = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.tstInfo,
      eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(tstInfoDer) }),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: signedAttributes }),
      }),
    ],
    // RFC 3161 §2.4.1: the unit's certificate only when the query asks for it.
    ...(request.certReq ? { certificates } : {}),
  });
  await signedData.sign(unit.privateKey, 0, 'SHA-256', undefined, cryptoEngine);
  signedData.signerInfos[0]!.signatureAlgorithm = new pkijs.AlgorithmIdentifier({
    algorithmId: OID.sha256WithRsa,
    algorithmParams: new asn1js.Null(),
  });
  const token = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  const response = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: GRANTED }),
    timeStampToken: token,
  });
  return Buffer.from(response.toSchema().toBER(false));
}

/**
 * The unit answering over HTTP as RFC 3161 §3.4 describes (POST application/timestamp-query), as a
 * fetch function: what requestTimestamp calls, so the demo unit is asked exactly as a remote one.
 */
export function timestampingFetch(unit: () => Promise<TimestampingUnit>): typeof fetch {
  return async (_input, init) => {
    if (init?.method !== 'POST' || !(init.body instanceof Uint8Array)) return new Response('not a timestamp query', { status: 400 });
    const body = await answerTimestampQuery(await unit(), Buffer.from(init.body));
    return new Response(body, { status: 200, headers: { 'content-type': 'application/timestamp-reply' } });
  };
}

/**
 * The unit's issuers without the self-signed root. RFC 3161 asks for the unit's certificate only; a
 * validator takes the root from its own trust anchors (a root in the token proves nothing), and the
 * DSS keeps it once for the long term, so each copy would be a kilobyte written twice, as hex, into a
 * signature's or a document timestamp's /Contents. Intermediates stay, for building the path.
 * (A signature's CMS keeps its root: poppler's NSS then fails to judge a later signature by the same
 * certificate, "Unknown issue with Certificate".)
 */
function issuersButRoot(chainPems: readonly string[]): Buffer[] {
  return chainPems
    .map((pem) => x509Certificate(pem))
    .filter((certificate) => !(certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey)))
    .map((certificate) => certificate.raw);
}

function rejection(failureBit: number, text: string): Buffer {
  const failInfo = new Uint8Array([0x80 >> failureBit]);
  const response = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({
      status: REJECTION,
      statusStrings: [new asn1js.Utf8String({ value: text })],
      failInfo: new asn1js.BitString({ valueHex: toArrayBuffer(failInfo), unusedBits: 7 - failureBit }),
    }),
  });
  return Buffer.from(response.toSchema().toBER(false));
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
