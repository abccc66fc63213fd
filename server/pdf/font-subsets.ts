import { createHash } from 'node:crypto';
import { constants, deflateSync } from 'node:zlib';
import { fontMetrics, fontTable, fontTablePart, shape, type FontId, type ShapedText } from './fonts.ts';
import { subsetTrueType } from './truetype-subset.ts';

/**
 * The part of a font a document draws, ready to embed as a PDF composite font (Type 0, CIDFontType2,
 * Identity-H): the TrueType program of just those glyphs (truetype-subset.ts), their widths, and the
 * ToUnicode map that makes the text extractable. Deflating a program's ~120 KB takes longest, and an
 * agreement sets the same glyphs in both originals and in every rendering of a version, so a subset
 * is built once per process for each glyph set (and deflated as small as zlib makes it).
 * Both PDF writers embed and set text through here: pdfkit for the documents (draw-text.ts), pdf-lib
 * for the signatures' appearances (signing/sign-pdf.ts).
 */
export interface FontSubset {
  readonly fontId: FontId;
  /** "ABCDEF+NotoSerifKR-Regular": the tag (ISO 32000-1 §9.6.4) is derived from the glyphs, so equal subsets get equal names. */
  readonly baseFont: string;
  /** The CID (subset glyph id) of each of the font's glyphs the document draws. */
  readonly cidOf: ReadonlyMap<number, number>;
  /** Advance widths by CID, in thousandths of an em. */
  readonly widths: readonly number[];
  readonly program: DeflatedStream;
  readonly toUnicode: DeflatedStream;
  readonly descriptor: FontDescriptor;
  /** TJ operands by text (see `textOperands`): CIDs mean the same in every document using this subset. */
  readonly encodedTexts: Map<string, string>;
}

export interface DeflatedStream {
  readonly deflated: Buffer;
  readonly length: number;
}

/** What a PDF font descriptor says about the font, in thousandths of an em. */
export interface FontDescriptor {
  readonly flags: number;
  readonly bbox: readonly [number, number, number, number];
  readonly italicAngle: number;
  readonly ascent: number;
  readonly descent: number;
  readonly capHeight: number;
  readonly xHeight: number;
}

const MAX_REMEMBERED_SUBSETS = 16;
const remembered = new Map<string, FontSubset>();

/** A subset as JSON can hold it: its maps as entries, its deflated streams in base64. */
export interface StoredSubset extends Omit<FontSubset, 'cidOf' | 'program' | 'toUnicode' | 'encodedTexts'> {
  readonly cidOf: [number, number][];
  readonly program: { readonly deflated: string; readonly length: number };
  readonly toUnicode: { readonly deflated: string; readonly length: number };
  readonly encodedTexts: [string, string][];
}

/** The subsets built so far, to store (typesetting-cache.ts); and stored ones taken back. */
export function subsetsMemo(): [string, StoredSubset][] {
  const stream = ({ deflated, length }: DeflatedStream) => ({ deflated: deflated.toString('base64'), length });
  return [...remembered].map(([key, subset]) => [
    key,
    {
      ...subset,
      cidOf: [...subset.cidOf],
      program: stream(subset.program),
      toUnicode: stream(subset.toUnicode),
      encodedTexts: [...subset.encodedTexts],
    },
  ]);
}
export function restoreSubsets(entries: readonly [string, StoredSubset][]): void {
  const stream = ({ deflated, length }: StoredSubset['program']) => ({ deflated: Buffer.from(deflated, 'base64'), length });
  for (const [key, stored] of entries) {
    if (remembered.size >= MAX_REMEMBERED_SUBSETS) break;
    remembered.set(key, {
      ...stored,
      cidOf: new Map(stored.cidOf),
      program: stream(stored.program),
      toUnicode: stream(stored.toUnicode),
      encodedTexts: new Map(stored.encodedTexts),
    });
  }
}

/**
 * The subset of `fontId` holding the glyphs of `texts`, CIDs given in glyph-id order so that the same
 * text gives the same subset whichever column comes first. A glyph drawn for several characters (a
 * space and a no-break space) is extracted as the lowest of them, so the choice does not depend on
 * text order.
 */
export function fontSubset(fontId: FontId, texts: Iterable<ShapedText>): FontSubset {
  return subsetOfGlyphs(fontId, extractedCharacters(texts));
}

/** Each glyph `texts` draw, with the text a subset of them extracts it as (see `fontSubset`). */
export function extractedCharacters(texts: Iterable<ShapedText>): Map<number, string> {
  const characters = new Map<number, string>();
  for (const shaped of texts) {
    shaped.glyphs.forEach((glyph, index) => {
      const text = shaped.characters[index]!;
      const earlier = characters.get(glyph.id);
      if (earlier === undefined || drawnFirst(text, earlier)) characters.set(glyph.id, text);
    });
  }
  return characters;
}

/**
 * Whether a glyph drawn for `text` and for `earlier` is extracted as `text`: the lowest of the
 * characters. A glyph that is the second of several one character is drawn with maps to no text of
 * its own (''), and gives way to any character.
 */
export function drawnFirst(text: string, earlier: string): boolean {
  return text !== '' && (earlier === '' || text < earlier);
}

/** The subset of `fontId` holding the glyphs `characters` names, each extracted as the text it maps to (see `fontSubset`). */
export function subsetOfGlyphs(fontId: FontId, characters: ReadonlyMap<number, string>): FontSubset {
  const ids = [...characters.keys()].sort((a, b) => a - b);
  const key = `${fontId}|${ids.map((id) => `${id}:${characters.get(id)}`).join('|')}`;
  let subset = remembered.get(key);
  if (subset === undefined) {
    subset = buildSubset(fontId, ids, characters, key);
    // Bounded: the oldest goes first.
    if (remembered.size >= MAX_REMEMBERED_SUBSETS) remembered.delete(remembered.keys().next().value!);
    remembered.set(key, subset);
  }
  return subset;
}

/** `key` names the glyphs and their characters in glyph-id order: what the subset's tag is derived from. */
function buildSubset(fontId: FontId, ids: readonly number[], characters: ReadonlyMap<number, string>, key: string): FontSubset {
  const font = fontMetrics(fontId);
  const scale = 1000 / font.unitsPerEm;
  const { program, cidOf, advances } = subsetTrueType(
    (tag) => fontTable(fontId, tag),
    ids,
    (start, end) => fontTablePart(fontId, 'glyf', start, end),
  );
  const unicode = [...cidOf].filter(([id]) => characters.get(id) !== '').map(([id, cid]) => [cid, characters.get(id)!] as const);
  const tag = String.fromCharCode(
    ...createHash('sha256')
      .update(key)
      .digest()
      .subarray(0, 6)
      .map((byte) => 65 + (byte % 26)),
  );
  const [minX, minY, maxX, maxY] = font.bbox;
  return {
    fontId,
    baseFont: `${tag}+${font.postscriptName}`,
    cidOf,
    widths: advances.map((advance) => advance * scale),
    program: deflated(program, constants.Z_BEST_COMPRESSION),
    toUnicode: deflated(Buffer.from(toUnicodeCMap(unicode), 'latin1')),
    descriptor: {
      // ISO 32000-1 table 123: FixedPitch 1, Serif 2, Symbolic 4 (a CID font's glyphs are outside the
      // standard Latin set), Italic 64.
      flags: (font.isFixedPitch ? 1 : 0) | (font.familyClass >= 1 && font.familyClass <= 7 ? 2 : 0) | 4 | (font.isItalic ? 64 : 0),
      bbox: [minX * scale, minY * scale, maxX * scale, maxY * scale],
      italicAngle: font.italicAngle,
      ascent: font.ascent * scale,
      descent: font.descent * scale,
      capHeight: (font.capHeight || font.ascent) * scale,
      xHeight: font.xHeight * scale,
    },
    encodedTexts: new Map(),
  };
}

function deflated(data: Buffer, level: number = constants.Z_DEFAULT_COMPRESSION): DeflatedStream {
  return { deflated: deflateSync(data, { level }), length: data.length };
}

const hex4 = (value: number) => value.toString(16).padStart(4, '0');

/** The ToUnicode CMap (Adobe TN 5411): each CID to the UTF-16BE text it draws, 100 per block as the format allows. */
function toUnicodeCMap(entries: readonly (readonly [cid: number, text: string])[]): string {
  const blocks: string[] = [];
  for (let start = 0; start < entries.length; start += 100) {
    const block = entries.slice(start, start + 100);
    // A JavaScript string is UTF-16 already: its code units are what the CMap wants.
    const lines = block.map(
      ([cid, text]) => `<${hex4(cid)}> <${Array.from({ length: text.length }, (_, index) => hex4(text.charCodeAt(index))).join('')}>`,
    );
    blocks.push(`${block.length} beginbfchar\n${lines.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <ffff>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

/**
 * What writes PDF objects, so that one description of a composite font serves both PDF libraries:
 * pdfkit for the documents, pdf-lib for the signatures' appearances. Dictionary values are PDF names
 * when they are strings, PDF text strings when made by `text`.
 */
export interface PdfObjectWriter<Reference> {
  object(dictionary: Record<string, unknown>): Reference;
  /** A stream of `data`, deflated already. */
  deflatedStream(dictionary: Record<string, unknown>, data: Buffer): Reference;
  text(value: string): unknown;
}

/**
 * The subset as a composite font (ISO 32000-1 §9.7): Type 0 with Identity-H, so a content stream's
 * two-byte codes are CIDs; a CIDFontType2 whose CIDs are the program's glyph ids; the TrueType
 * program and the ToUnicode map as the deflated streams the subset holds. Returns the Type 0 font.
 */
export function writeCompositeFont<Reference>(subset: FontSubset, writer: PdfObjectWriter<Reference>): Reference {
  const { descriptor } = subset;
  const fontDescriptor = writer.object({
    Type: 'FontDescriptor',
    FontName: subset.baseFont,
    Flags: descriptor.flags,
    FontBBox: [...descriptor.bbox],
    ItalicAngle: descriptor.italicAngle,
    Ascent: descriptor.ascent,
    Descent: descriptor.descent,
    CapHeight: descriptor.capHeight,
    XHeight: descriptor.xHeight,
    // Not in the font's tables; 0 means unknown.
    StemV: 0,
    FontFile2: writer.deflatedStream({ Length1: subset.program.length }, subset.program.deflated),
  });
  const descendant = writer.object({
    Type: 'Font',
    Subtype: 'CIDFontType2',
    BaseFont: subset.baseFont,
    CIDSystemInfo: { Registry: writer.text('Adobe'), Ordering: writer.text('Identity'), Supplement: 0 },
    FontDescriptor: fontDescriptor,
    W: [0, [...subset.widths]],
    CIDToGIDMap: 'Identity',
  });
  return writer.object({
    Type: 'Font',
    Subtype: 'Type0',
    BaseFont: subset.baseFont,
    Encoding: 'Identity-H',
    DescendantFonts: [descendant],
    ToUnicode: writer.deflatedStream({}, subset.toUnicode.deflated),
  });
}

const MAX_ENCODED_TEXTS = 50_000;

/** Two decimals: a hundredth of a point, or of a thousandth of an em, is below any visible difference. */
export const decimal = (value: number) => String(Math.round(value * 100) / 100);

/**
 * What setting text in an embedded composite font needs: the codes (CIDs) of the font's glyphs and
 * their widths as the PDF gives them. A subset made here is one; so is a font a PDF embeds already
 * and a signature's appearance draws with (signing/document-font.ts).
 */
export type TextSetting = Pick<FontSubset, 'fontId' | 'baseFont' | 'cidOf' | 'widths' | 'encodedTexts'>;

/**
 * `text` shaped in the subset's font as TJ operands, remembered with the subset: each CID two bytes
 * of a literal string (half the size of hexadecimal), a glyph's kerning (its advance differing from
 * its width) an offset after it, in thousandths of an em. The subset must hold the text's glyphs.
 */
export function textOperands(subset: TextSetting, text: string): string {
  let operands = subset.encodedTexts.get(text);
  if (operands === undefined) {
    // Bounded: documents sharing one glyph set may still use ever new words.
    if (subset.encodedTexts.size >= MAX_ENCODED_TEXTS) subset.encodedTexts.clear();
    operands = encode(subset, shape(subset.fontId, text), 1000 / fontMetrics(subset.fontId).unitsPerEm);
    subset.encodedTexts.set(text, operands);
  }
  return operands;
}

function encode(subset: TextSetting, run: ShapedText, scale: number): string {
  let operands = '';
  let glyphs = '';
  run.glyphs.forEach((glyph, index) => {
    const cid = subset.cidOf.get(glyph.id)!;
    const position = run.positions[index]!;
    // Noto Serif KR positions no mark off its pen position (checked over U+0300-U+036F on Latin,
    // Cyrillic and Hangul bases); a font that does needs a text rise here, not a silent misplacement.
    if (position.xOffset !== 0 || position.yOffset !== 0) {
      throw new Error(`${subset.baseFont} offsets glyph ${glyph.id}: marks are not positioned`);
    }
    glyphs += literalBytes(cid);
    const kerning = position.xAdvance * scale - subset.widths[cid]!;
    if (kerning !== 0) {
      operands += `(${glyphs}) ${decimal(-kerning)} `;
      glyphs = '';
    }
  });
  return glyphs === '' ? operands.trimEnd() : `${operands}(${glyphs})`;
}

/** A CID's two bytes (big-endian) inside a literal string: parentheses and backslash escaped, and CR and LF, which a reader would normalise. */
function literalBytes(cid: number): string {
  const high = cid >> 8;
  const low = cid & 0xff;
  // Most CIDs have neither byte to escape: no pattern is run over them (a first document draws thousands).
  if (!(high in BYTE_ESCAPES) && !(low in BYTE_ESCAPES)) return String.fromCharCode(high, low);
  return (BYTE_ESCAPES[high] ?? String.fromCharCode(high)) + (BYTE_ESCAPES[low] ?? String.fromCharCode(low));
}

/** The bytes escaped inside a literal string, by value ("(", ")", "\\", CR and LF), as they are written there. */
const BYTE_ESCAPES: Readonly<Record<number, string>> = { 40: '\\(', 41: '\\)', 92: '\\\\', 13: '\\r', 10: '\\n' };
