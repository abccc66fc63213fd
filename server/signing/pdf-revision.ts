import { IncrementalDocumentSnapshot, type PDFContext, PDFDocument, PDFHexString, ParseSpeeds } from '@cantoo/pdf-lib';
import { DEFAULT_BYTE_RANGE_PLACEHOLDER } from '@signpdf/utils';

/**
 * A signed PDF loaded to have one incremental revision appended (a signature, validation data, a
 * document timestamp): pdf-lib writes only the objects marked changed and the new ones after the
 * bytes that are there, which stay as they were.
 */
export async function openForRevision(pdf: Buffer): Promise<PDFDocument> {
  const document = await PDFDocument.load(pdf, {
    forIncrementalUpdate: true,
    // Otherwise pdf-lib stamps Producer and ModDate (the current time) into the Info dictionary.
    updateMetadata: false,
    // The default parses 100 objects per macrotask tick; a signing request has no reason to yield.
    parseSpeed: ParseSpeeds.Fastest,
  });
  const { context } = document;
  // pdf-lib marks the catalog changed as it loads, so every revision would rewrite it; only a revision
  // that has reason to (the certifying signature's /Perms, a new /DSS) does. Start with nothing changed.
  context.snapshot = new IncrementalDocumentSnapshot(
    context.largestObjectNumber,
    new Set(),
    context.pdfFileDetails.pdfSize,
    context.pdfFileDetails.prevStartXRef,
    context,
  );
  return document;
}

/**
 * Builds objects that are new in the revision with pdf-lib's change tracking off. Tracking, each key set
 * and each item pushed on a dictionary or array not yet registered makes pdf-lib walk the whole
 * document (the fonts' /W arrays too) for an indirect object that holds it, most of a signature's time;
 * a new object is written for its number alone. Changes to objects already in the file are made outside.
 */
export function newObjects<T>(context: PDFContext, build: () => T): T {
  const { snapshot } = context;
  context.snapshot = undefined;
  try {
    return build();
  } finally {
    context.snapshot = snapshot;
  }
}

/**
 * The file with the revision appended: the objects marked changed and the new ones in an object stream,
 * and a cross-reference stream, after the bytes that were there. The writer gets the snapshot itself;
 * the dictionaries it makes while writing (the streams', the trailer's) are new, so tracking stays
 * off for them too (newObjects says why). Ends with an end-of-line (withFinalEndOfLine).
 */
export async function saveRevision(document: PDFDocument): Promise<Buffer> {
  const { context } = document;
  const { snapshot } = context;
  const original = context.pdfFileDetails.originalBytes;
  if (!snapshot || !original) throw new Error('saveRevision needs a document from openForRevision');
  context.snapshot = undefined;
  try {
    const increment = await document.saveIncremental(snapshot, { useObjectStreams: true, objectsPerTick: Infinity });
    return withFinalEndOfLine(Buffer.concat([original, increment]));
  } finally {
    context.snapshot = snapshot;
  }
}

/**
 * pdf-lib ends a revision at "%%EOF" without a line break; the next revision, or a reader checking
 * that a signature covers the whole file, would find the end-of-line outside every /ByteRange
 * (LibreOffice calls such signatures "partial"). ISO 32000-1 §7.5.5 ends the file with an EOL marker.
 */
export function withFinalEndOfLine(pdf: Uint8Array): Buffer {
  const bytes = Buffer.from(pdf);
  return bytes.at(-1) === 0x0a ? bytes : Buffer.concat([bytes, Buffer.from('\n', 'latin1')]);
}

/**
 * The /ByteRange and /Contents of a signature or document timestamp dictionary before it is signed: a
 * placeholder range and zeros with room for `contentsBytes` of DER. Spread into the dictionary in this
 * order: placeByteRange (sign-pdf.ts) finds the placeholder and then the first "/Contents " after it.
 */
export function unsignedValueEntries(contentsBytes: number): { ByteRange: (number | string)[]; Contents: PDFHexString } {
  return {
    ByteRange: [0, DEFAULT_BYTE_RANGE_PLACEHOLDER, DEFAULT_BYTE_RANGE_PLACEHOLDER, DEFAULT_BYTE_RANGE_PLACEHOLDER],
    Contents: PDFHexString.of('0'.repeat(2 * contentsBytes)),
  };
}
