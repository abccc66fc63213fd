import {
  PDFAcroSignature,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFString,
  ParseSpeeds,
  type PDFPage,
  type PDFRef,
} from '@cantoo/pdf-lib';
import { SUBFILTER_ETSI_CADES_DETACHED, findByteRange, type Signer } from '@signpdf/utils';
import { decimal, fontSubset, textOperands, writeCompositeFont } from '../pdf/font-subsets.ts';
import { fontMetrics, fonts, shape, type ShapedText } from '../pdf/fonts.ts';
import { documentFonts, type AppearanceFont } from './document-font.ts';
import { withObjectStreams } from '../pdf/object-streams.ts';
import { newObjects, openForRevision, saveRevision, unsignedValueEntries, withFinalEndOfLine } from './pdf-revision.ts';

/**
 * Adds PAdES signatures to a PDF, one incremental revision per signature: the input bytes are kept
 * verbatim and the new objects, the changed page, form and catalog, an xref section and a trailer are
 * appended, so every earlier signature keeps covering exactly the bytes it signed. @cantoo/pdf-lib writes
 * the revision (with a signature placeholder); placeByteRange fills in /ByteRange; the CMS goes into
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
  /** Text of the visible appearance, one entry per line, most important first; wrapped at spaces to fit the rectangle. */
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

/**
 * Room for a DER CMS made elsewhere (external signing), whose size is not known beforehand: signer and
 * CA certificates plus the signature take under 3 KiB; the rest is for longer chains or a timestamp.
 */
const SIGNATURE_PLACEHOLDER_BYTES = 16 * 1024;
/** AcroForm /SigFlags: SignaturesExist | AppendOnly (ISO 32000-1 §12.7.2). */
const SIG_FLAGS = 1 | 2;
/** Annotation flags: Print | Locked, so the box is printed and viewers do not let users move or delete it. */
const WIDGET_FLAGS = 4 | 128;
/** DocMDP permission 2: filling in forms and signing are the only permitted changes (ISO 32000-1 §12.8.2.2). */
const DOCMDP_PERMISSION = 2;

/** The fonts' resource names inside the appearance stream's own /Resources: F1, F2, …. */
const APPEARANCE_FONT_PREFIX = 'F';
/** Dark blue, as the RGB operands of `RG` and `rg`. */
const APPEARANCE_COLOUR = '0.1 0.2 0.5';
const APPEARANCE_MAX_FONT_SIZE = 9;
/** Below 7 pt a printed signature block is hard to read; lines that do not fit at 7 pt are left out, never shrunk further. */
const APPEARANCE_MIN_FONT_SIZE = 7;
const APPEARANCE_FONT_SIZE_STEP = 0.25;
/** Baseline to baseline, in ems: tighter than the font's ascender-to-descender (1.44) so four lines fit a 42 pt field at 7 pt. */
const APPEARANCE_LEADING = 1.2;
const APPEARANCE_PADDING = 3;
const FRAME_WIDTH = 0.75;

/** A signer that can say beforehand how many bytes its CMS takes at most (PadesCmsSigner). */
interface MeasurableSigner {
  maximumLength(): Promise<number>;
}

function isMeasurable(signer: Signer): signer is Signer & MeasurableSigner {
  return typeof (signer as Partial<MeasurableSigner>).maximumLength === 'function';
}

/**
 * Appends exactly one revision holding a new, signed, visible signature field (the first one also certifies the
 * document); the input bytes stay byte-identical, and the same inputs give the same output bytes.
 * /Contents holds what the signer says its CMS takes at most (every byte of it is two hex digits in the
 * file, so a fixed reserve would be most of a signature's bytes); a CMS longer than that after all
 * (a timestamp token larger than the authority's earlier ones) is signed once more with room for it.
 */
export async function addSignature(pdf: Buffer, options: AddSignatureOptions): Promise<Buffer> {
  const { signer } = options;
  const room = isMeasurable(signer) ? await signer.maximumLength() : SIGNATURE_PLACEHOLDER_BYTES;
  const prepared = await prepareSignature(pdf, options, room);
  const cms = await signer.sign(prepared.signedBytes, options.signingTime);
  if (cms.length <= room) return embedSignature(prepared, cms);
  const roomier = await prepareSignature(pdf, options, cms.length + CMS_LENGTH_SLACK);
  return embedSignature(roomier, await signer.sign(roomier.signedBytes, options.signingTime));
}

/** What a second attempt adds to the length the first CMS turned out to have (its timestamp token may differ again). */
const CMS_LENGTH_SLACK = 64;

/**
 * The revision addSignature appends, up to the signature itself: the new field, its appearance and the
 * signature dictionary, with /ByteRange final and /Contents zeros (room for `contentsBytes` of DER).
 * What to sign is `signedBytes`; the CMS goes in with embedSignature. Same inputs, same bytes.
 */
export async function prepareSignature(
  pdf: Buffer,
  options: SignatureRevisionOptions,
  contentsBytes = SIGNATURE_PLACEHOLDER_BYTES,
): Promise<PreparedSignature> {
  const document = await openForRevision(pdf);
  const { catalog, context } = document;
  const acroForm = catalog.getOrCreateAcroForm();
  const existingFields = acroForm.getAllFields().map(([field]) => field);
  const isFirstSignature = !existingFields.some((field) => field instanceof PDFAcroSignature && field.V() !== undefined);

  const page = document.getPage(options.field.page);
  const rect = toPdfRectangle(page, options.field.rect);

  const { signatureRef, appearance } = newObjects(context, () => {
    const signatureRef = context.register(
      context.obj({
        Type: 'Sig',
        Filter: 'Adobe.PPKLite',
        SubFilter: SUBFILTER_ETSI_CADES_DETACHED,
        ...unsignedValueEntries(contentsBytes),
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
    const appearanceRef = context.register(appearanceStream(document, rect.width, rect.height, options.field.lines));
    return { signatureRef, appearance: context.obj({ N: appearanceRef }) };
  });

  const emptyField = findEmptySignatureField(page, rect);
  if (emptyField) {
    // The frozen original already has the field and its widget: filling them is the whole change,
    // which is what the certification (DocMDP P 2) permits; the page, its /Annots and the form stay as they are.
    emptyField.set(PDFName.of('V'), signatureRef);
    emptyField.set(PDFName.of('AP'), appearance);
  } else {
    // A PDF made elsewhere, without the field: it comes with this revision.
    const fieldName = uniqueFieldName(existingFields.map((field) => field.getFullyQualifiedName()));
    const widgetRef = newObjects(context, () => {
      const widget = signatureWidget(document, page, rect, fieldName);
      widget.set(PDFName.of('V'), signatureRef);
      widget.set(PDFName.of('AP'), appearance);
      return context.register(widget);
    });
    addWidget(document, page, widgetRef);
  }

  if (isFirstSignature) {
    const permissions = catalog.lookupMaybe(PDFName.of('Perms'), PDFDict);
    if (permissions) permissions.set(PDFName.of('DocMDP'), signatureRef);
    else
      catalog.set(
        PDFName.of('Perms'),
        newObjects(context, () => context.obj({ DocMDP: signatureRef })),
      );
  }

  // A cross-reference stream, as the frozen original has (LibreOffice reads no classic table on top of
  // one: it calls every signature invalid), with the revision's dictionaries in an object stream.
  // pdf-lib's writer keeps a /Type /Sig dictionary out of it, so /ByteRange and /Contents stay plain bytes to fill in.
  return placeByteRange(await saveRevision(document));
}

/** A signature field to create empty in a frozen original, where a party signs later. */
export interface EmptySignatureField {
  /** Zero-based page index. */
  page: number;
  /** As in VisibleSignature: PDF points from the page's top-left corner, y down. */
  rect: VisibleSignature['rect'];
}

/**
 * The frozen original with every party's signature field already in it, empty ("Signature1", …, in
 * the given order): one widget per field on its page and an AcroForm listing them, written as a whole
 * new file (one revision). Signing then only fills a field (its /V and appearance), so no later
 * revision touches a page's /Annots or the form: readers that judge revisions after the certification
 * (mutool, Acrobat) see nothing but permitted form filling. The file has its dictionaries in an object
 * stream and a cross-reference stream, as drafts do (a fifth fewer bytes than pdf-lib's classic table);
 * the signatures' revisions are appended on top of it.
 */
export async function withEmptySignatureFields(pdf: Buffer, fields: readonly EmptySignatureField[]): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  const { context, catalog } = document;
  const acroForm = catalog.getOrCreateAcroForm();
  fields.forEach((field, index) => {
    const page = document.getPage(field.page);
    const widgetRef = context.register(signatureWidget(document, page, toPdfRectangle(page, field.rect), `Signature${index + 1}`));
    addWidget(document, page, widgetRef);
  });
  acroForm.dict.set(PDFName.of('SigFlags'), PDFNumber.of(SIG_FLAGS));
  // pdf-lib's own object streams leave the pages and the catalog out and cost a full second pass;
  // its classic single-section table is what withObjectStreams reads.
  return withFinalEndOfLine(withObjectStreams(Buffer.from(await document.save({ useObjectStreams: false, objectsPerTick: Infinity }))));
}

/** A signature field merged with its widget (ISO 32000-1 §12.7.3.1), unsigned: no /V yet. */
function signatureWidget(document: PDFDocument, page: PDFPage, rect: VisibleSignature['rect'], name: string): PDFDict {
  return document.context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(name),
    P: page.ref,
    Rect: [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height],
    F: WIDGET_FLAGS,
  });
}

/** Puts the widget on its page and into the form. */
function addWidget(document: PDFDocument, page: PDFPage, widgetRef: PDFRef): void {
  // Straight onto /Annots: page.node.addAnnot() would first "normalize" the page (wrap its content in
  // q/Q streams, add empty resource dictionaries), a content change that DocMDP forbids after certification.
  const annotations = page.node.Annots();
  if (annotations) annotations.push(widgetRef);
  else page.node.set(PDFName.of('Annots'), document.context.obj([widgetRef]));
  const acroForm = document.catalog.getOrCreateAcroForm();
  acroForm.addField(widgetRef);
  const sigFlags = acroForm.dict.lookupMaybe(PDFName.of('SigFlags'), PDFNumber)?.asNumber() ?? 0;
  if ((sigFlags & SIG_FLAGS) !== SIG_FLAGS) acroForm.dict.set(PDFName.of('SigFlags'), PDFNumber.of(sigFlags | SIG_FLAGS));
}

/** The unsigned signature widget withEmptySignatureFields put on this page at this rectangle, if any. */
function findEmptySignatureField(page: PDFPage, rect: VisibleSignature['rect']): PDFDict | undefined {
  const annotations = page.node.Annots();
  const wanted = [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height];
  for (let index = 0; index < (annotations?.size() ?? 0); index++) {
    const widget = annotations!.lookup(index);
    if (!(widget instanceof PDFDict) || widget.lookupMaybe(PDFName.of('FT'), PDFName) !== PDFName.of('Sig')) continue;
    if (widget.lookup(PDFName.of('V')) !== undefined) continue;
    const corners = widget.lookupMaybe(PDFName.of('Rect'), PDFArray)?.asArray();
    // The rectangle went through a decimal PDF number once; a hundredth of a point is the same place.
    if (
      corners?.length === 4 &&
      corners.every((corner, at) => corner instanceof PDFNumber && Math.abs(corner.asNumber() - wanted[at]!) < 0.01)
    )
      return widget;
  }
  return undefined;
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

/** The /ByteRange placeByteRange wrote into a prepared revision (the last one in the file). */
function readByteRange(pdf: Buffer): [number, number, number, number] {
  const tail = pdf.subarray(pdf.lastIndexOf('/ByteRange [')).toString('latin1');
  const match = /^\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(tail);
  if (!match) throw new Error('the prepared revision has no /ByteRange');
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])];
}

/**
 * Writes the final /ByteRange over its placeholder: everything but the /Contents hex string, to the
 * very end of the file, its last end-of-line included. (@signpdf/signpdf's SignPdf would strip that
 * end-of-line first, leaving it outside every signature; LibreOffice then calls them "partial".)
 */
export function placeByteRange(pdf: Buffer): PreparedSignature {
  const { byteRangePlaceholder, byteRangePlaceholderPosition } = findByteRange(pdf);
  if (byteRangePlaceholder === undefined || byteRangePlaceholderPosition === undefined)
    throw new Error('the revision has no /ByteRange placeholder');
  const holeStart = pdf.indexOf('<', pdf.indexOf('/Contents ', byteRangePlaceholderPosition + byteRangePlaceholder.length));
  const holeEnd = pdf.indexOf('>', holeStart) + 1;
  if (holeStart === -1 || holeEnd === 0) throw new Error('the revision has no /Contents placeholder after its /ByteRange');
  const byteRange: [number, number, number, number] = [0, holeStart, holeEnd, pdf.length - holeEnd];
  const placed = `/ByteRange [${byteRange.join(' ')}]`;
  if (placed.length > byteRangePlaceholder.length) throw new Error('the /ByteRange placeholder is too short for the file');
  const prepared = Buffer.from(pdf);
  prepared.write(placed.padEnd(byteRangePlaceholder.length, ' '), byteRangePlaceholderPosition, 'latin1');
  return { pdf: prepared, byteRange, signedBytes: Buffer.concat([prepared.subarray(0, holeStart), prepared.subarray(holeEnd)]) };
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
 * The widget's normal appearance: a thin frame and the lines in Noto Serif KR, wrapped at spaces, as
 * large as fits between 7 and 9 pt; what does not fit at 7 pt is left out from the end (the signature
 * dictionary and the certificate still say it all). The lines are shaped with the process's parsed
 * font and drawn with the document's own embedded subset of it when that has every glyph they need
 * (document-font.ts: a frozen original's has, most often), else with a subset of their own embedded
 * as the documents' fonts are (font-subsets.ts). The same lines on the same document give the same bytes.
 */
function appearanceStream(document: PDFDocument, width: number, height: number, lines: string[]) {
  const { context } = document;
  const { size, wrapped } = fitAppearance(lines, width - 2 * APPEARANCE_PADDING, height - 2 * APPEARANCE_PADDING);
  const shaped = wrapped.map((line) => shape('serif', line));
  const candidates = documentFonts(document, 'serif');
  const fromDocument = shaped.map((line) => {
    for (const { font, settingFor } of candidates) {
      const setting = settingFor([line]);
      if (setting) return { font, setting };
    }
    return undefined;
  });
  const missing = shaped.filter((_, index) => fromDocument[index] === undefined);
  const own = missing.length > 0 ? ownFont(document, missing) : undefined;
  const fontOfLine = fromDocument.map((font) => font ?? own!);
  // F1, F2, … in the order the lines first use them: a single font is F1, as it always was.
  const names = new Map<PDFRef, string>();
  for (const { font } of fontOfLine) if (!names.has(font)) names.set(font, `${APPEARANCE_FONT_PREFIX}${names.size + 1}`);
  const serif = fontMetrics('serif');
  // As a subset's descriptor has it (font-subsets.ts), so both fonts put the lines in the same place.
  const ascent = serif.ascent * (1000 / serif.unitsPerEm);
  const text =
    wrapped.length === 0
      ? []
      : [
          `BT /${names.get(fontOfLine[0]!.font)} ${decimal(size)} Tf ${APPEARANCE_COLOUR} rg ${decimal(APPEARANCE_LEADING * size)} TL`,
          // The first baseline an ascender below the top padding; T* moves down a line.
          `${APPEARANCE_PADDING} ${decimal(height - APPEARANCE_PADDING - (ascent / 1000) * size)} Td`,
          ...wrapped.map((line, index) => {
            const { font, setting } = fontOfLine[index]!;
            const fontChange = index > 0 && font !== fontOfLine[index - 1]!.font ? `/${names.get(font)} ${decimal(size)} Tf ` : '';
            return `${index > 0 ? 'T* ' : ''}${fontChange}[${textOperands(setting, line)}] TJ`;
          }),
          'ET',
        ];
  const content = [
    `${APPEARANCE_COLOUR} RG ${FRAME_WIDTH} w`,
    `${decimal(FRAME_WIDTH / 2)} ${decimal(FRAME_WIDTH / 2)} ${decimal(width - FRAME_WIDTH)} ${decimal(height - FRAME_WIDTH)} re S`,
    ...text,
  ].join('\n');
  return context.flateStream(Buffer.from(content, 'latin1'), {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, width, height],
    Resources: { Font: Object.fromEntries([...names].map(([font, name]) => [name, font])) },
  });
}

/** A subset of the font holding just the glyphs of `shaped` (the lines no font of the document draws), written into the revision. */
function ownFont(document: PDFDocument, shaped: readonly ShapedText[]): AppearanceFont {
  const { context } = document;
  const subset = fontSubset('serif', shaped);
  const font = writeCompositeFont(subset, {
    object: (dictionary) => context.register(context.obj(dictionary as Parameters<typeof context.obj>[0])),
    deflatedStream: (dictionary, data) =>
      context.register(context.stream(data, { ...dictionary, Filter: 'FlateDecode' } as Parameters<typeof context.stream>[1])),
    text: (value) => PDFString.of(value),
  });
  return { font, setting: subset };
}

/** The largest size (a step at a time, from 9 pt down to 7 pt) at which the wrapped lines fit `width` × `height`, and those lines. */
function fitAppearance(lines: readonly string[], width: number, height: number): { size: number; wrapped: string[] } {
  const serif = fonts().serif.font;
  const ems = (text: string) => shape('serif', text).advanceWidth / serif.unitsPerEm;
  // From the first baseline's ascender to the last one's descender.
  const heightOf = (count: number, size: number) =>
    ((serif.ascent - serif.descent) / serif.unitsPerEm) * size + (count - 1) * APPEARANCE_LEADING * size;
  for (let size = APPEARANCE_MAX_FONT_SIZE; size >= APPEARANCE_MIN_FONT_SIZE; size -= APPEARANCE_FONT_SIZE_STEP) {
    const wrapped = lines.flatMap((line) => wrapWords(line, width / size, ems));
    if (heightOf(wrapped.length, size) <= height) return { size, wrapped };
  }
  const wrapped = lines.flatMap((line) => wrapWords(line, width / APPEARANCE_MIN_FONT_SIZE, ems));
  let fitting = wrapped.length;
  while (fitting > 1 && heightOf(fitting, APPEARANCE_MIN_FONT_SIZE) > height) fitting -= 1;
  return { size: APPEARANCE_MIN_FONT_SIZE, wrapped: wrapped.slice(0, fitting) };
}

/** Greedy line breaking at spaces into lines at most `widthEms` wide; a single word wider than that keeps a line of its own. */
function wrapWords(line: string, widthEms: number, ems: (text: string) => number): string[] {
  const result: string[] = [];
  let current = '';
  for (const word of line.split(' ').filter((part) => part !== '')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (current !== '' && ems(candidate) > widthEms) {
      result.push(current);
      current = word;
    } else current = candidate;
  }
  if (current !== '') result.push(current);
  return result;
}
