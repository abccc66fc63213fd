import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { PDFArray, PDFContext, type PDFDict, PDFName, PDFNumber, PDFObjectParser, PDFRawStream } from '@cantoo/pdf-lib';
import { MalformedRequestError, RuleViolationError } from '../errors.ts';

/**
 * What reading an uploaded PDF may cost. pdf-lib reads a whole file eagerly and trusts what it says:
 * it inflates every object stream without a bound (a 261 KB file became 256 MB, then 4.5 GB of heap)
 * and loops over as many cross-reference entries as a stream claims (2^31 from 514 bytes). These
 * limits are checked before pdf-lib sees the bytes; each is far above what a signed agreement needs
 * (the demo's three-language original has about 300 objects and object streams of a few KB).
 */
export const PDF_LIMITS = {
  /** Indirect objects, counting those packed in object streams and the entries xref streams claim. */
  objects: 200_000,
  /** What one object or cross-reference stream may inflate to. */
  streamInflatedBytes: 16 * 1024 * 1024,
  /** What all object and cross-reference streams together may inflate to. */
  totalInflatedBytes: 64 * 1024 * 1024,
  /** Levels of the form field tree (/Kids) walked to find the signatures. */
  fieldDepth: 32,
  /** Nodes of the form field tree; shared /Kids are visited once. */
  fieldNodes: 10_000,
} as const;

/**
 * A limit was exceeded: a 422 that names it (the problem's `limit`, in words, as the clause limits do),
 * so a sender of a genuine file knows what to fix.
 */
export class PdfLimitError extends RuleViolationError {
  constructor(detail: string, limit: string) {
    super(detail, { limit });
  }
}

// A header's object number starts where a run of digits starts: matched from inside a run, the regex
// would retry every shorter run, quadratic in a signature's /Contents placeholder of tens of
// thousands of zeros (4 s for the demo's original, hours for a file of 16 MB of digits).
const OBJECT_HEADER = /(?<!\d)(\d+)[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+obj\b/g;

/**
 * Throws PdfLimitError when the file's object and cross-reference streams would inflate, or claim,
 * more than PDF_LIMITS allow. It parses each object that opens with a dictionary with pdf-lib's own
 * object parser (so names written with # escapes are seen as pdf-lib will see them) and inflates the
 * streams pdf-lib would inflate while loading, with zlib's maxOutputLength as the bound.
 */
export function checkPdfStructure(pdf: Uint8Array): void {
  const context = PDFContext.create();
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  let objects = 0;
  let inflatedTotal = 0;
  for (const header of text.matchAll(OBJECT_HEADER)) {
    objects += 1;
    if (objects > PDF_LIMITS.objects) tooManyObjects();
    const start = header.index + header[0].length;
    if (!opensDictionary(text, start)) continue;
    const stream = parseStreamAt(pdf, start, context);
    if (!stream) continue;
    const type = stream.dict.get(PDFName.of('Type'));
    if (type !== PDFName.of('ObjStm') && type !== PDFName.of('XRef')) continue;
    const inflated = inflateBounded(stream, PDF_LIMITS.totalInflatedBytes - inflatedTotal);
    inflatedTotal += inflated.length;
    objects += type === PDFName.of('ObjStm') ? packedObjectCount(stream.dict) : claimedXrefEntries(stream.dict, inflated.length);
    if (objects > PDF_LIMITS.objects) tooManyObjects();
  }
}

function tooManyObjects(): never {
  throw new PdfLimitError(
    `The PDF has more than ${PDF_LIMITS.objects} objects, more than any agreement needs`,
    `${PDF_LIMITS.objects} objects`,
  );
}

function opensDictionary(text: string, from: number): boolean {
  const at = text.slice(from, from + 64).search(/\S/);
  return at >= 0 && text.startsWith('<<', from + at);
}

/** The stream an object's dictionary opens, or undefined when it is a plain dictionary or unreadable. */
function parseStreamAt(pdf: Uint8Array, start: number, context: PDFContext): PDFRawStream | undefined {
  try {
    const object = PDFObjectParser.forBytes(pdf.subarray(start), context).parseObject();
    return object instanceof PDFRawStream ? object : undefined;
  } catch {
    // pdf-lib skips what it cannot parse too (throwOnInvalidObject: false); nothing of it is inflated.
    return undefined;
  }
}

function inflateBounded(stream: PDFRawStream, totalLeft: number): Buffer {
  const filter = stream.dict.get(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : [];
  if (filters.length === 0) return Buffer.from(stream.contents);
  if (filters.length > 1 || filters[0] !== PDFName.of('FlateDecode')) {
    // pdf-lib would also run LZW, ASCII85 and run-length decoders, which have no output bound.
    throw new PdfLimitError('Object and cross-reference streams are read only when Flate-compressed', 'FlateDecode only');
  }
  const bound = Math.min(PDF_LIMITS.streamInflatedBytes, totalLeft);
  try {
    // Z_SYNC_FLUSH: a truncated stream yields what it has, as pdf-lib's own decoder does.
    return inflateSync(stream.contents, { maxOutputLength: bound, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      const limit =
        bound === PDF_LIMITS.streamInflatedBytes
          ? `${PDF_LIMITS.streamInflatedBytes / 1024 / 1024} MB inflated per object stream`
          : `${PDF_LIMITS.totalInflatedBytes / 1024 / 1024} MB inflated in all`;
      throw new PdfLimitError(`A compressed object stream of the PDF inflates past the limit of ${limit}`, limit);
    }
    return Buffer.alloc(0); // undecodable: pdf-lib's decoder fails on it too and reads no objects from it
  }
}

function integer(dict: PDFDict, key: string): number {
  const value = dict.get(PDFName.of(key));
  return value instanceof PDFNumber ? value.asNumber() : 0;
}

function packedObjectCount(dict: PDFDict): number {
  const count = integer(dict, 'N');
  return Number.isSafeInteger(count) && count >= 0 ? count : PDF_LIMITS.objects + 1;
}

/** The entries an xref stream makes pdf-lib read: /Index's counts, or /Size. */
function claimedXrefEntries(dict: PDFDict, inflatedBytes: number): number {
  const index = dict.get(PDFName.of('Index'));
  let claimed = 0;
  if (index instanceof PDFArray) {
    for (let at = 1; at < index.size(); at += 2) {
      const count = index.get(at);
      claimed += count instanceof PDFNumber ? count.asNumber() : 0;
    }
  } else {
    claimed = integer(dict, 'Size');
  }
  const widths = dict.get(PDFName.of('W'));
  const entryBytes =
    widths instanceof PDFArray ? widths.asArray().reduce((sum, width) => sum + (width instanceof PDFNumber ? width.asNumber() : 0), 0) : 0;
  const wellFormed = Number.isSafeInteger(claimed) && claimed >= 0 && entryBytes > 0 && entryBytes <= 32;
  if (!wellFormed) throw new MalformedRequestError('A cross-reference stream of the PDF has an unreadable /Index, /Size or /W');
  // An entry needs its bytes: a stream claiming more entries than it holds is a loop without data.
  if (claimed > Math.ceil(inflatedBytes / entryBytes) + 1) {
    throw new PdfLimitError(
      `A cross-reference stream of the PDF claims ${claimed} entries but holds ${Math.floor(inflatedBytes / entryBytes)}`,
      'as many xref entries as the stream holds',
    );
  }
  return claimed;
}
