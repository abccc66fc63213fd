import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ServiceUnavailableError } from '../errors.ts';
import { timestampTokensOf } from './timestamp-checks.ts';

/**
 * PAdES baseline B-T: an RFC 3161 timestamp over the signature value, from a time-stamping authority,
 * kept in the CMS as the unsigned attribute signature-time-stamp (RFC 5126 / ETSI EN 319 122-1). It
 * proves the signature existed at the authority's time, so the signature can still be checked once
 * the signer's certificate has expired.
 *
 * Network here, so never inside a transaction. A configured authority that fails refuses the signing
 * with a 503 (try again): a signature silently made without the promised timestamp would be worth less
 * than it claims.
 */

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

const TIMEOUT_MS = 15_000;
const RETRY_AFTER_SECONDS = 30;
/** A response is a token with the authority's certificate or two: a few KiB. */
const MAX_RESPONSE_BYTES = 256 * 1024;

const cryptoEngine = new pkijs.CryptoEngine({ name: 'nodejs', crypto: webcrypto });

/** Where a timestamp comes from: the address (also for messages) and how to reach it. */
export interface TimestampAuthority {
  readonly url: string;
  readonly fetch: typeof fetch;
  /** When it does not answer, sign without its timestamp (B-B) rather than refuse (ALLOW_UNTIMESTAMPED_SIGNATURES). */
  readonly optional?: boolean;
}

/** What the authority said: the token (a DER ContentInfo) and its time. */
export interface Timestamp {
  readonly token: Buffer;
  readonly time: Date;
}

/**
 * Asks the authority at `url` for a timestamp over `data` (by its SHA-256) and checks the answer: granted,
 * over this digest, with this nonce, signed by the certificate it carries.
 */
export async function requestTimestamp(url: string, data: Buffer, fetchImpl: typeof fetch = fetch): Promise<Timestamp> {
  const digest = createHash('sha256').update(data).digest();
  const nonce = randomBytes(8);
  // A positive INTEGER in its shortest DER form: a leading zero byte before one under 0x80 is a
  // padding strict decoders refuse (openssl ts -verify: "illegal padding"), and the authority echoes it.
  nonce[0] = (nonce[0]! & 0x7f) | 0x01;
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: messageImprint(digest),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  const refused = (reason: string) =>
    new ServiceUnavailableError(`The time-stamping authority (${describe(url)}) ${reason}; nothing was signed`, RETRY_AFTER_SECONDS);
  let body: Buffer;
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: Buffer.from(request.toSchema().toBER(false)),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
    if (!response.ok) throw refused(`answered HTTP ${response.status}`);
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw error;
    throw refused(`could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (body.length > MAX_RESPONSE_BYTES) throw refused(`answered with ${body.length} bytes, more than a timestamp`);

  let token: pkijs.ContentInfo | undefined;
  let tstInfo: pkijs.TSTInfo;
  try {
    const response = pkijs.TimeStampResp.fromBER(body);
    const status = response.status.status;
    if (status !== 0 && status !== 1) throw refused(`refused the request (PKIStatus ${status}${statusText(response)})`);
    token = response.timeStampToken;
    if (!token || token.contentType !== OID.signedData) throw refused('answered without a timestamp token');
    const signedData = new pkijs.SignedData({ schema: token.content });
    const content = signedData.encapContentInfo;
    if (content.eContentType !== OID.tstInfo || !content.eContent) throw refused('answered with a token that holds no TSTInfo');
    tstInfo = pkijs.TSTInfo.fromBER(content.eContent.getValue());
    if (!Buffer.from(tstInfo.messageImprint.hashedMessage.getValue()).equals(digest)) throw refused('timestamped another digest than ours');
    if (!tstInfo.nonce || !Buffer.from(tstInfo.nonce.valueBlock.valueHexView).equals(nonce)) throw refused('answered with another nonce');
    const verified = await signedData
      .verify({ signer: 0, data: toArrayBuffer(data), checkChain: false, extendedMode: true }, cryptoEngine)
      .then((result) => result.signatureVerified === true)
      .catch(() => false);
    if (!verified)
      throw refused(
        'answered with a token whose signature does not verify with the certificate it carries (ask it to include its certificate)',
      );
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw error;
    throw refused(`answered with something that is not an RFC 3161 response: ${error instanceof Error ? error.message : String(error)}`);
  }
  const structure = token.toSchema();
  const der = Buffer.from(structure.toBER(false));
  tokenStructures.set(der, structure);
  rememberTokenSize(url, der);
  return { token: der, time: tstInfo.genTime };
}

/**
 * Adds the authority's timestamp over the signature value to a CMS SignedData (DER ContentInfo) as its
 * signature-time-stamp unsigned attribute. Everything signed stays byte for byte as it was.
 */
export async function addSignatureTimestamp(cms: Buffer, url: string, fetchImpl: typeof fetch = fetch): Promise<Buffer> {
  const { token } = await requestTimestamp(url, signatureValueOf(cms), fetchImpl);
  return withCheckedTimestampToken(cms, token);
}

/** The signature value of a CMS SignedData (DER ContentInfo) with its one signer: what a signature timestamp covers. */
function signatureValueOf(cms: Buffer): Buffer {
  const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content });
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo || signedData.signerInfos.length !== 1) throw new Error('a PDF signature has exactly one signer');
  return Buffer.from(signerInfo.signature.getValue());
}

/** withTimestampToken for a CMS parsed from bytes (made elsewhere), refused if pkijs's re-encoding would change what was signed. */
function withCheckedTimestampToken(cms: Buffer, token: Buffer): Buffer {
  const timestamped = withTimestampToken(cms, token);
  assertSignedPartsUnchanged(cms, timestamped);
  return timestamped;
}

/** The CMS with `token` as its one signature-time-stamp attribute (replacing any it had). */
export function withTimestampToken(cms: Buffer, token: Buffer): Buffer {
  const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content });
  const signerInfo = signedData.signerInfos[0]!;
  const others = (signerInfo.unsignedAttrs?.attributes ?? []).filter((existing) => existing.type !== OID.signatureTimeStampToken);
  signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 1,
    attributes: [...others, signatureTimestampAttribute(token)],
  });
  return Buffer.from(new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(false) }).toSchema().toBER(false));
}

/**
 * Tokens as asn1js structures, by their bytes: a signature embeds a token twice, the authority's sample
 * to measure its CMS and its own to make it, and asn1js parsing a token with its certificates each
 * time took milliseconds. requestTimestamp leaves the structure it encoded each token from.
 */
const tokenStructures = new WeakMap<Buffer, asn1js.AsnType>();

/** The unsigned attribute signature-time-stamp (RFC 5126 §5.11.1) holding `token`, a DER ContentInfo. */
export function signatureTimestampAttribute(token: Buffer): pkijs.Attribute {
  let structure = tokenStructures.get(token);
  if (structure === undefined) tokenStructures.set(token, (structure = asn1js.fromBER(token).result));
  return new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [structure] });
}

/**
 * Bytes by which two tokens of one authority may differ in length: its serial numbers and our nonces
 * as DER integers, a GeneralizedTime with or without fractions. Reserved on top of the largest token seen.
 */
export const TOKEN_LENGTH_SLACK = 32;

/** The largest token each authority (by URL) has given this process: what a placeholder for its next token is sized by. */
const largestTokens = new Map<string, Buffer>();

function rememberTokenSize(url: string, token: Buffer): void {
  if ((largestTokens.get(url)?.length ?? 0) < token.length) largestTokens.set(url, token);
}

/** What the first request to an authority timestamps: any bytes do (pkijs cannot check a token over none). */
const SIZE_PROBE = Buffer.from("Bilateral: the size of this authority's tokens", 'latin1');

/**
 * A token as large as the authority's largest so far; the first time, the authority is asked for one
 * (over SIZE_PROBE), once per process. Undefined when an `optional` authority does not answer.
 */
export async function sampleTimestampToken(authority: TimestampAuthority): Promise<Buffer | undefined> {
  const known = largestTokens.get(authority.url);
  if (known) return known;
  try {
    return (await requestTimestamp(authority.url, SIZE_PROBE, authority.fetch)).token;
  } catch (error) {
    if (authority.optional && error instanceof ServiceUnavailableError) return undefined;
    throw error;
  }
}

/**
 * addSignatureTimestamp, except that an `optional` authority that does not answer (the 503 it would be)
 * leaves the CMS as it is: PAdES B-B, as the deployment chose (ALLOW_UNTIMESTAMPED_SIGNATURES).
 */
export async function addSignatureTimestampIfAvailable(cms: Buffer, authority: TimestampAuthority): Promise<Buffer> {
  const token = await signatureTimestampToken(signatureValueOf(cms), authority);
  return token ? withCheckedTimestampToken(cms, token) : cms;
}

/**
 * The authority's token over a signature value, for its signature-time-stamp attribute; undefined when
 * an `optional` authority does not answer (the 503 it would be): the signature is then PAdES B-B, as
 * the deployment chose (ALLOW_UNTIMESTAMPED_SIGNATURES).
 */
export async function signatureTimestampToken(signatureValue: Buffer, authority: TimestampAuthority): Promise<Buffer | undefined> {
  try {
    return (await requestTimestamp(authority.url, signatureValue, authority.fetch)).token;
  } catch (error) {
    if (authority.optional && error instanceof ServiceUnavailableError) {
      console.warn(
        `${error.message.replace(/; nothing was signed$/, '')}: signing without a timestamp (PAdES B-B), as ALLOW_UNTIMESTAMPED_SIGNATURES allows`,
      );
      return undefined;
    }
    throw error;
  }
}

/** The timestamp tokens a CMS carries as signature-time-stamp attributes (DER ContentInfos). */
export function signatureTimestampTokens(cms: Buffer): Buffer[] {
  const signerInfo = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content }).signerInfos[0];
  return signerInfo ? timestampTokensOf(signerInfo) : [];
}

/**
 * pkijs re-encodes what it parsed; the signed attributes, the signature and the certificates must come
 * out as the very bytes that were signed, or the signature would break.
 */
function assertSignedPartsUnchanged(before: Buffer, after: Buffer): void {
  const parts = (der: Buffer) => {
    const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(der).content });
    const signerInfo = signedData.signerInfos[0]!;
    return [
      Buffer.from(signerInfo.signedAttrs?.encodedValue ?? new ArrayBuffer(0)),
      Buffer.from(signerInfo.signature.getValue()),
      ...(signedData.certificates ?? []).map((certificate) => Buffer.from((certificate as pkijs.Certificate).toSchema().toBER(false))),
    ];
  };
  const [a, b] = [parts(before), parts(after)];
  if (a.length !== b.length || a.some((part, index) => !part.equals(b[index]!))) {
    throw new Error('adding the timestamp would change the signed part of the CMS');
  }
}

function messageImprint(digest: Buffer): pkijs.MessageImprint {
  return new pkijs.MessageImprint({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
    hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
  });
}

function statusText(response: pkijs.TimeStampResp): string {
  const text = response.status.statusStrings?.map((entry) => entry.valueBlock.value).join('; ');
  return text ? `: ${text}` : '';
}

/** The authority's address without credentials or query, for messages. */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'configured in TSA_URL';
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
