import {
  PDFAcroSignature,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFString,
  ParseSpeeds,
  type PDFPage,
} from '@cantoo/pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { DEFAULT_BYTE_RANGE_PLACEHOLDER, SUBFILTER_ETSI_CADES_DETACHED, Signer as SignerBase, type Signer } from '@signpdf/utils';
import { decimal, fontSubset, textOperands, writeCompositeFont } from '../pdf/font-subsets.ts';
import { fonts, shape } from '../pdf/fonts.ts';

/**
 * Adds PAdES signatures to a PDF, one incremental revision per signature: the input bytes are kept
 * verbatim and the new objects, the changed page, form and catalog, an xref section and a trailer are
 * appended, so every earlier signature keeps covering exactly the bytes it signed. @cantoo/pdf-lib writes
 * the revision (with a signature placeholder); @signpdf/signpdf fills in /ByteRange; the CMS goes into
 * /Contents. The two steps are apart (prepareSignature, embedSignature) so that the CMS can also be made
 * elsewhere, by a key the server never holds (external signing).
 *
 * The first signature of a document is a certification signature (DocMDP, P 2): afterwards only form
 * filling and further signatures are permitted changes.
 */

/** Where the visible signature goes and what it says (the layout's SignatureField, placed and worded). */
export interface VisibleSignature {
  /** Zero-based page index. */
  page: number;
  /** In PDF points, origin at the page's top-left corner, y growing downwards (as in pdfkit). */
  rect: { x: number; y: number; width: number; height: number };
  /** Text of the visible appearance, one entry per line; shrunk to fit the rectangle. */
  lines: string[];
}

/** The signature dictionary's entries and the visible field. */
export interface SignatureRevisionOptions {
  /** The claimed signing time, written to /M (second precision, UTC); the CMS carries no time of its own. */
  signingTime: Date;
  /** The signer's name as viewers show it (/Name); validators read the name from the certificate. */
  name: string;
  reason: string;
  location: string;
  contactInfo?: string;
  field: VisibleSignature;
}

/** Who signs, the signature dictionary's entries and the visible field. */
export interface AddSignatureOptions extends SignatureRevisionOptions {
  signer: Signer;
}

/** A revision with its /ByteRange in place and an empty /Contents, waiting for its CMS. */
export interface PreparedSignature {
  /** The whole file; /Contents is all zeros. */
  readonly pdf: Buffer;
  /** [0, start of the /Contents hex string, its end, length of the rest]. */
  readonly byteRange: readonly [number, number, number, number];
  /** The bytes the signature covers: the file without the /Contents hex string. */
  readonly signedBytes: Buffer;
}

/** Room for the DER CMS: signer and CA certificates plus the signature take under 3 KiB; the rest is for longer chains or a timestamp. */
const SIGNATURE_PLACEHOLDER_BYTES = 16 * 1024;
/** AcroForm /SigFlags: SignaturesExist | AppendOnly (ISO 32000-1 §12.7.2). */
const SIG_FLAGS = 1 | 2;
/** Annotation flags: Print | Locked, so the box is printed and viewers do not let users move or delete it. */
const WIDGET_FLAGS = 4 | 128;
/** DocMDP permission 2: filling in forms and signing are the only permitted changes (ISO 32000-1 §12.8.2.2). */
const DOCMDP_PERMISSION = 2;

/** The font's resource name inside the appearance stream's own /Resources. */
const APPEARANCE_FONT_NAME = 'F1';
/** Dark blue, as the RGB operands of `RG` and `rg`. */
const APPEARANCE_COLOUR = '0.1 0.2 0.5';
const APPEARANCE_MAX_FONT_SIZE = 9;
const APPEARANCE_PADDING = 4;
const FRAME_WIDTH = 0.75;

const signPdf = new SignPdf();

/**
 * Appends exactly one revision holding a new, signed, visible signature field (the first one also certifies the
 * document); the input bytes stay byte-identical, and the same inputs give the same output bytes.
 */
export async function addSignature(pdf: Buffer, options: AddSignatureOptions): Promise<Buffer> {
  const prepared = await prepareSignature(pdf, options);
  return embedSignature(prepared, await options.signer.sign(prepared.signedBytes, options.signingTime));
}

/**
 * The revision addSignature appends, up to the signature itself: the new field, its appearance and the
 * signature dictionary, with /ByteRange final and /Contents zeros. What to sign is `signedBytes`; the
 * CMS goes in with embedSignature. Same inputs, same bytes.
 */
export async function prepareSignature(pdf: Buffer, options: SignatureRevisionOptions): Promise<PreparedSignature> {
  const document = await PDFDocument.load(pdf, {
    forIncrementalUpdate: true,
    // Otherwise pdf-lib stamps Producer and ModDate (the current time) into the Info dictionary.
    updateMetadata: false,
    // The default parses 100 objects per macrotask tick; a signing request has no reason to yield.
    parseSpeed: ParseSpeeds.Fastest,
  });
  const { catalog, context } = document;
  const acroForm = catalog.getOrCreateAcroForm();
  const existingFields = acroForm.getAllFields().map(([field]) => field);
  const isFirstSignature = !existingFields.some((field) => field instanceof PDFAcroSignature && field.V() !== undefined);

  const page = document.getPage(options.field.page);
  const rect = toPdfRectangle(page, options.field.rect);

  const signatureRef = context.register(
    context.obj({
      Type: 'Sig',
      Filter: 'Adobe.PPKLite',
      SubFilter: SUBFILTER_ETSI_CADES_DETACHED,
      // signpdf finds this exact placeholder and then the first "/Contents " after it, so the order matters.
      ByteRange: [0, DEFAULT_BYTE_RANGE_PLACEHOLDER, DEFAULT_BYTE_RANGE_PLACEHOLDER, DEFAULT_BYTE_RANGE_PLACEHOLDER],
      Contents: PDFHexString.of('0'.repeat(2 * SIGNATURE_PLACEHOLDER_BYTES)),
      M: PDFString.fromDate(options.signingTime),
      Name: PDFHexString.fromText(options.name),
      Reason: PDFHexString.fromText(options.reason),
      Location: PDFHexString.fromText(options.location),
      ContactInfo: options.contactInfo === undefined ? undefined : PDFHexString.fromText(options.contactInfo),
      Reference: isFirstSignature
        ? [{ Type: 'SigRef', TransformMethod: 'DocMDP', TransformParams: { Type: 'TransformParams', P: DOCMDP_PERMISSION, V: '1.2' } }]
        : undefined,
    }),
  );

  const appearance = appearanceStream(document, rect.width, rect.height, options.field.lines);
  const widgetRef = context.register(
    context.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      T: PDFString.of(uniqueFieldName(existingFields.map((field) => field.getFullyQualifiedName()))),
      V: signatureRef,
      P: page.ref,
      Rect: [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height],
      F: WIDGET_FLAGS,
      AP: { N: context.register(appearance) },
    }),
  );

  // Straight onto /Annots: page.node.addAnnot() would first "normalize" the page (wrap its content in
  // q/Q streams, add empty resource dictionaries), a content change that DocMDP forbids after certification.
  const annotations = page.node.Annots();
  if (annotations) annotations.push(widgetRef);
  else page.node.set(PDFName.of('Annots'), context.obj([widgetRef]));

  acroForm.addField(widgetRef);
  const sigFlags = acroForm.dict.lookupMaybe(PDFName.of('SigFlags'), PDFNumber)?.asNumber() ?? 0;
  acroForm.dict.set(PDFName.of('SigFlags'), PDFNumber.of(sigFlags | SIG_FLAGS));

  if (isFirstSignature) {
    const permissions = catalog.lookupMaybe(PDFName.of('Perms'), PDFDict) ?? context.obj({});
    permissions.set(PDFName.of('DocMDP'), signatureRef);
    catalog.set(PDFName.of('Perms'), permissions);
  }

  // Classic xref table and no object streams: the signature dictionary must stay a plain object for
  // signpdf to patch, and every PDF reader understands this form of update.
  const withPlaceholder = await document.save({ useObjectStreams: false, objectsPerTick: Infinity });
  // signpdf sets /ByteRange and hands over the covered bytes; the empty "signature" leaves /Contents zeros.
  const capture = new CapturingSigner();
  const prepared = await signPdf.sign(Buffer.from(withPlaceholder), capture);
  return { pdf: prepared, byteRange: readByteRange(prepared), signedBytes: capture.signedBytes() };
}

/** Puts the DER CMS into the prepared revision's /Contents (zero-padded); refuses one that does not fit. */
export function embedSignature(prepared: PreparedSignature, cms: Buffer): Buffer {
  const [, holeStart, holeEnd] = prepared.byteRange;
  const room = (holeEnd - holeStart - 2) / 2;
  if (cms.length > room) throw new Error(`the signature takes ${cms.length} bytes; the placeholder holds ${room}`);
  const pdf = Buffer.from(prepared.pdf);
  pdf.write(cms.toString('hex').padEnd(2 * room, '0'), holeStart + 1, 'latin1');
  return pdf;
}

/** A revision prepareSignature made, from its stored bytes: the range and the bytes to sign are read back from it. */
export function reopenPreparedSignature(pdf: Buffer): PreparedSignature {
  const byteRange = readByteRange(pdf);
  const [, holeStart, holeEnd, tailLength] = byteRange;
  if (holeEnd + tailLength !== pdf.length || !/^<0+>$/.test(pdf.subarray(holeStart, holeEnd).toString('latin1'))) {
    throw new Error('the stored revision is not a prepared, unsigned one');
  }
  return { pdf, byteRange, signedBytes: Buffer.concat([pdf.subarray(0, holeStart), pdf.subarray(holeEnd)]) };
}

/** The /ByteRange signpdf wrote into a prepared revision (the last one in the file). */
function readByteRange(pdf: Buffer): [number, number, number, number] {
  const tail = pdf.subarray(pdf.lastIndexOf('/ByteRange [')).toString('latin1');
  const match = /^\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(tail);
  if (!match) throw new Error('the prepared revision has no /ByteRange');
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])];
}

/** Keeps the bytes signpdf asks to be signed and returns an empty signature. */
class CapturingSigner extends SignerBase {
  private captured: Buffer | undefined;
  override async sign(signedBytes: Buffer): Promise<Buffer> {
    this.captured = Buffer.from(signedBytes);
    return Buffer.alloc(0);
  }
  signedBytes(): Buffer {
    if (!this.captured) throw new Error('signpdf did not ask for a signature');
    return this.captured;
  }
}

/** "Signature1", "Signature2", …: the first one no field of the form uses yet. */
function uniqueFieldName(takenNames: (string | undefined)[]): string {
  const taken = new Set(takenNames);
  for (let number = 1; ; number++) {
    const name = `Signature${number}`;
    if (!taken.has(name)) return name;
  }
}

/** Converts a top-left, y-down rectangle (pdfkit's coordinates) into PDF user space (bottom-left, y-up). */
function toPdfRectangle(page: PDFPage, rect: VisibleSignature['rect']): VisibleSignature['rect'] {
  if (page.getRotation().angle % 360 !== 0) throw new Error('signature fields on rotated pages are not supported');
  if (!(rect.width > 0 && rect.height > 0)) throw new Error(`signature field must have a positive size, got ${rect.width}×${rect.height}`);
  const mediaBox = page.getMediaBox();
  return { x: mediaBox.x + rect.x, y: mediaBox.y + mediaBox.height - rect.y - rect.height, width: rect.width, height: rect.height };
}

/**
 * The widget's normal appearance: a thin frame and the lines in Noto Serif KR, as large as fits (at
 * most 9 pt), the font embedded as the documents' fonts are (font-subsets.ts): shaped with the
 * process's parsed font, and the same lines give the same bytes.
 */
function appearanceStream(document: PDFDocument, width: number, height: number, lines: string[]) {
  const { context } = document;
  const shaped = lines.map((line) => shape('serif', line));
  const subset = fontSubset('serif', shaped);
  const font = writeCompositeFont(subset, {
    object: (dictionary) => context.register(context.obj(dictionary as Parameters<typeof context.obj>[0])),
    deflatedStream: (dictionary, data) =>
      context.register(context.stream(data, { ...dictionary, Filter: 'FlateDecode' } as Parameters<typeof context.stream>[1])),
    text: (value) => PDFString.of(value),
  });
  // In ems: the line from ascender to descender, and each line's advance.
  const { ascent, descent } = subset.descriptor;
  const lineHeight = (ascent - descent) / 1000;
  const unitsPerEm = fonts().serif.font.unitsPerEm;
  const widest = Math.max(0, ...shaped.map((run) => run.advanceWidth / unitsPerEm));
  const size = Math.min(
    APPEARANCE_MAX_FONT_SIZE,
    (width - 2 * APPEARANCE_PADDING) / widest,
    (height - 2 * APPEARANCE_PADDING) / (lines.length * lineHeight),
  );
  const content = [
    `${APPEARANCE_COLOUR} RG ${FRAME_WIDTH} w`,
    `${decimal(FRAME_WIDTH / 2)} ${decimal(FRAME_WIDTH / 2)} ${decimal(width - FRAME_WIDTH)} ${decimal(height - FRAME_WIDTH)} re S`,
    `BT /${APPEARANCE_FONT_NAME} ${decimal(size)} Tf ${APPEARANCE_COLOUR} rg ${decimal(lineHeight * size)} TL`,
    // The first baseline an ascender below the top padding; T* moves down a line.
    `${APPEARANCE_PADDING} ${decimal(height - APPEARANCE_PADDING - (ascent / 1000) * size)} Td`,
    ...lines.map((line, index) => `${index > 0 ? 'T* ' : ''}[${textOperands(subset, line)}] TJ`),
    'ET',
  ].join('\n');
  return context.flateStream(Buffer.from(content, 'latin1'), {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, width, height],
    Resources: { Font: { [APPEARANCE_FONT_NAME]: font } },
  });
}
