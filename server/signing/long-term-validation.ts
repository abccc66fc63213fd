import { createHash } from 'node:crypto';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFInvalidObject,
  PDFName,
  PDFRawStream,
  PDFRef,
  PDFString,
  ParseSpeeds,
} from '@cantoo/pdf-lib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { embedSignature, placeByteRange, type PreparedSignature } from './sign-pdf.ts';
import { identifiesCertificate } from './cms-checks.ts';
import { pathProvableUntil, weakestAlgorithmOf } from './cryptographic-strength.ts';
import { newObjects, openForRevision, saveRevision, unsignedValueEntries } from './pdf-revision.ts';
import { requestTimestamp, sampleTimestampToken, TOKEN_LENGTH_SLACK } from './timestamp.ts';
import { checkTimestampToken } from './timestamp-checks.ts';

/**
 * PAdES baseline B-LT and B-LTA (ETSI EN 319 142-1 §5.4, §5.5): after the last signature an original
 * gets, as one incremental revision, a document security store (/DSS: every certificate of its
 * signatures and timestamps, a CRL and an OCSP answer for each of them) and a document timestamp
 * (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) over the whole file, DSS included. The timestamp
 * proves the validation data existed while the certificates it speaks of were valid; a later DSS and
 * timestamp (re-timestamping before the last timestamp unit's certificate expires) extend the proof.
 *
 * Pure PDF and crypto here, no database: the caller brings the validation data (server/signatures/
 * extend-long-term-validation.ts) and the time-stamping authority.
 */

/** DER certificates, CRLs and OCSP responses, as the DSS keeps them. */
export interface ValidationData {
  readonly certificates: readonly Buffer[];
  readonly crls: readonly Buffer[];
  readonly ocspResponses: readonly Buffer[];
}

/** Annotation flags of the document timestamp's widget: Hidden | Print | Locked; it has no appearance (a zero rectangle). */
const INVISIBLE_WIDGET_FLAGS = 2 | 4 | 128;

export const DOCUMENT_TIMESTAMP_SUBFILTER = 'ETSI.RFC3161';

/** What the document's DSS holds, decoded; empty arrays without one. */
export function readDss(document: PDFDocument): ValidationData {
  const dss = document.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  const streams = (key: string): Buffer[] => {
    const array = dss?.lookupMaybe(PDFName.of(key), PDFArray);
    const found: Buffer[] = [];
    for (let index = 0; index < (array?.size() ?? 0); index++) {
      const stream = array!.lookup(index);
      if (stream instanceof PDFRawStream) found.push(Buffer.from(decodePDFRawStream(stream).decode()));
    }
    return found;
  };
  return { certificates: streams('Certs'), crls: streams('CRLs'), ocspResponses: streams('OCSPs') };
}

/**
 * Appends one revision that makes the catalog's /DSS the union of what it held and `data` (each item
 * once, by its bytes); the earlier DSS objects stay as they were, so every earlier timestamp keeps
 * covering exactly what it covered. Same inputs, same bytes.
 */
export async function addValidationData(pdf: Buffer, data: ValidationData): Promise<Buffer> {
  const document = await openForRevision(pdf);
  putValidationData(document, data);
  // A cross-reference stream like every revision before it (sign-pdf.ts prepareSignature says why).
  return saveRevision(document);
}

/** Makes the catalog's /DSS, in the revision being written, the union of what it held and `data`. */
function putValidationData(document: PDFDocument, data: ValidationData): void {
  const { catalog, context } = document;
  const previous = catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  const dss = newObjects(context, () => context.obj({ Type: 'DSS' }));
  const groups: [key: string, items: readonly Buffer[]][] = [
    ['Certs', data.certificates],
    ['CRLs', data.crls],
    ['OCSPs', data.ocspResponses],
  ];
  for (const [key, items] of groups) {
    const refs: PDFRef[] = [];
    const held = new Set<string>();
    const earlier = previous?.lookupMaybe(PDFName.of(key), PDFArray);
    for (let index = 0; index < (earlier?.size() ?? 0); index++) {
      const ref = earlier!.get(index);
      const stream = earlier!.lookup(index);
      if (!(ref instanceof PDFRef) || !(stream instanceof PDFRawStream)) continue;
      refs.push(ref);
      held.add(digestOf(Buffer.from(decodePDFRawStream(stream).decode())));
    }
    for (const item of items) {
      const digest = digestOf(item);
      if (held.has(digest)) continue;
      held.add(digest);
      refs.push(newObjects(context, () => context.register(context.flateStream(item))));
    }
    if (refs.length > 0) newObjects(context, () => dss.set(PDFName.of(key), context.obj(refs)));
  }
  catalog.set(PDFName.of('DSS'), context.register(dss));
}

/**
 * The revision a document timestamp is: a new, invisible signature field whose value is a
 * /DocTimeStamp dictionary, /ByteRange final and /Contents zeros (room for a token of `tokenBytes`); the RFC 3161 token over
 * `signedBytes` goes in with embedSignature. Only the form's /Fields gains the field (no page changes).
 * With `data`, the same revision first extends the DSS, which the timestamp then covers: one revision
 * that ends with a signature's range, so readers that want every revision after a signature to be a
 * signature's (LibreOffice) call the earlier signatures complete.
 */
export async function prepareDocumentTimestamp(pdf: Buffer, tokenBytes: number, data?: ValidationData): Promise<PreparedSignature> {
  const document = await openForRevision(pdf);
  if (data) putValidationData(document, data);
  const { catalog, context } = document;
  const acroForm = catalog.getOrCreateAcroForm();
  const taken = new Set(acroForm.getAllFields().map(([field]) => field.getFullyQualifiedName()));
  let number = 1;
  while (taken.has(`DocumentTimestamp${number}`)) number += 1;
  const field = newObjects(context, () => {
    const timestampRef = registerUnpacked(
      document,
      context.obj({
        Type: 'DocTimeStamp',
        Filter: 'Adobe.PPKLite',
        SubFilter: DOCUMENT_TIMESTAMP_SUBFILTER,
        ...unsignedValueEntries(tokenBytes),
      }),
    );
    return context.register(
      context.obj({
        Type: 'Annot',
        Subtype: 'Widget',
        FT: 'Sig',
        T: PDFString.of(`DocumentTimestamp${number}`),
        Rect: [0, 0, 0, 0],
        F: INVISIBLE_WIDGET_FLAGS,
        V: timestampRef,
      }),
    );
  });
  acroForm.addField(field);
  return placeByteRange(await saveRevision(document));
}

/**
 * Registers the dictionary as its written bytes. pdf-lib's writer packs every dictionary into the
 * revision's object stream but a /Type /Sig one; a /DocTimeStamp there would have its /ByteRange and
 * /Contents deflated, where they cannot be filled in, so it goes in as an ordinary object of its own.
 */
function registerUnpacked(document: PDFDocument, dictionary: PDFDict): PDFRef {
  const bytes = new Uint8Array(dictionary.sizeInBytes());
  dictionary.copyBytesInto(bytes, 0);
  return document.context.register(PDFInvalidObject.of(bytes));
}

/** A time-stamping authority as the signatures use it (timestamping.ts). */
export interface DocumentTimestampAuthority {
  readonly url: string;
  readonly fetch: typeof fetch;
}

/**
 * Appends a document timestamp over the whole file from `authority`; returns the file, the time the
 * token states and until when the token proves it (the re-timestamping deadline): as the verification
 * checks it against `anchors` (timestamp-checks.ts: its path's earliest expiry or the end of its
 * weakest algorithm), or, when its unit chains to none of them, its own certificates'. /Contents holds
 * the authority's largest token so far and a slack (timestamp.ts); a token larger still is asked for
 * once more, over a revision with room for it.
 */
export async function addDocumentTimestamp(
  pdf: Buffer,
  authority: DocumentTimestampAuthority,
  data?: ValidationData,
  anchors: readonly pkijs.Certificate[] = [],
): Promise<{ pdf: Buffer; time: Date; provableUntil: Date }> {
  const room = (await sampleTimestampToken(authority))!.length + TOKEN_LENGTH_SLACK;
  let prepared = await prepareDocumentTimestamp(pdf, room, data);
  let { token, time } = await requestTimestamp(authority.url, prepared.signedBytes, authority.fetch);
  if (token.length > room) {
    prepared = await prepareDocumentTimestamp(pdf, token.length + TOKEN_LENGTH_SLACK, data);
    ({ token, time } = await requestTimestamp(authority.url, prepared.signedBytes, authority.fetch));
  }
  const checked = await checkTimestampToken(token, prepared.signedBytes, anchors);
  return { pdf: embedSignature(prepared, token), time, provableUntil: checked.provableUntil ?? carriedProvableUntil(token) };
}

/** Until when a token's own certificates (its unit's and the issuers it carries) are valid and their algorithms counted on. */
function carriedProvableUntil(token: Buffer): Date {
  const carried = (signedDataOf(token)?.certificates ?? []).filter(
    (certificate): certificate is pkijs.Certificate => certificate instanceof pkijs.Certificate,
  );
  return pathProvableUntil(carried, weakestAlgorithmOf(carried));
}

/** The certificate of the unit that signed a timestamp token (requestTimestamp checked it is there). */
export function timestampUnitOf(token: Buffer): pkijs.Certificate {
  const signedData = signedDataOf(token);
  const signerInfo = signedData?.signerInfos[0];
  const unit = (signedData?.certificates ?? []).find(
    (certificate): certificate is pkijs.Certificate =>
      certificate instanceof pkijs.Certificate && !!signerInfo && identifiesCertificate(signerInfo.sid, certificate),
  );
  if (!unit) throw new Error("the timestamp token does not carry its unit's certificate");
  return unit;
}

/** The DER value of every signature field of the file (signatures and document timestamps), with its /SubFilter. */
export async function signatureValuesOf(pdf: Buffer): Promise<{ subFilter: string | undefined; contents: Buffer }[]> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  const found: { subFilter: string | undefined; contents: Buffer }[] = [];
  for (const [field] of document.catalog.getOrCreateAcroForm().getAllFields()) {
    const value = field.dict.lookup(PDFName.of('V'));
    if (!(value instanceof PDFDict) || field.dict.lookupMaybe(PDFName.of('FT'), PDFName) !== PDFName.of('Sig')) continue;
    const contents = value.lookup(PDFName.of('Contents'));
    if (!(contents instanceof PDFHexString || contents instanceof PDFString)) continue;
    found.push({ subFilter: value.lookupMaybe(PDFName.of('SubFilter'), PDFName)?.decodeText(), contents: Buffer.from(contents.asBytes()) });
  }
  return found;
}

/**
 * Every certificate the file's signatures and timestamps carry (the CMS certificates and those in each
 * signature timestamp token), each once, as the DER written there. Read with asn1js alone: pkijs would
 * check every CMS whole against its schema, five times the work, for these few elements.
 */
export async function certificatesOf(pdf: Buffer): Promise<Buffer[]> {
  const byDigest = new Map<string, Buffer>();
  for (const { contents } of await signatureValuesOf(pdf)) {
    const signedData = signedDataFields(contents);
    if (!signedData) continue;
    const tokens = signedData.signerInfos.flatMap(signatureTimestampTokensIn).flatMap((token) => signedDataFields(token) ?? []);
    for (const certificate of [signedData, ...tokens].flatMap(({ certificates }) => certificates)) {
      byDigest.set(digestOf(certificate), certificate);
    }
  }
  return [...byDigest.values()];
}

/**
 * SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT OPTIONAL,
 * crls [1] IMPLICIT OPTIONAL, signerInfos SET } inside ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }:
 * the DER of each certificate and the blocks of the signer infos; undefined for what is not a SignedData.
 */
function signedDataFields(der: Buffer): { certificates: Buffer[]; signerInfos: asn1js.AsnType[] } | undefined {
  const contentInfo = asn1js.fromBER(der);
  if (contentInfo.offset === -1 || !(contentInfo.result instanceof asn1js.Sequence)) return undefined;
  const [contentType, explicitContent] = contentInfo.result.valueBlock.value;
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== SIGNED_DATA) return undefined;
  const signedData = explicitContent instanceof asn1js.Constructed ? explicitContent.valueBlock.value[0] : undefined;
  if (!(signedData instanceof asn1js.Sequence)) return undefined;
  const fields = signedData.valueBlock.value;
  const certificateSet = fields.find((field) => isContextTag(field, 0));
  const signerInfos = fields.at(-1);
  return {
    certificates:
      certificateSet instanceof asn1js.Constructed
        ? certificateSet.valueBlock.value
            .filter((choice) => choice instanceof asn1js.Sequence)
            .map((certificate) => Buffer.from(certificate.valueBeforeDecodeView))
        : [],
    signerInfos: signerInfos instanceof asn1js.Set ? signerInfos.valueBlock.value : [],
  };
}

/** SignerInfo ::= SEQUENCE { …, signature, unsignedAttrs [1] IMPLICIT OPTIONAL }: the values of its signature-time-stamp attributes. */
function signatureTimestampTokensIn(signerInfo: asn1js.AsnType): Buffer[] {
  if (!(signerInfo instanceof asn1js.Sequence)) return [];
  const unsignedAttributes = signerInfo.valueBlock.value.find((field) => isContextTag(field, 1));
  if (!(unsignedAttributes instanceof asn1js.Constructed)) return [];
  return unsignedAttributes.valueBlock.value.flatMap((attribute) => {
    const [type, values] = attribute instanceof asn1js.Sequence ? attribute.valueBlock.value : [];
    if (!(type instanceof asn1js.ObjectIdentifier) || type.valueBlock.toString() !== SIGNATURE_TIME_STAMP_TOKEN) return [];
    return values instanceof asn1js.Set ? values.valueBlock.value.map((token) => Buffer.from(token.valueBeforeDecodeView)) : [];
  });
}

function isContextTag(block: asn1js.AsnType, tagNumber: number): boolean {
  return block instanceof asn1js.BaseBlock && block.idBlock.tagClass === 3 && block.idBlock.tagNumber === tagNumber;
}

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const SIGNATURE_TIME_STAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';

function signedDataOf(der: Buffer): pkijs.SignedData | undefined {
  try {
    return new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(der).content });
  } catch {
    return undefined;
  }
}

function digestOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
