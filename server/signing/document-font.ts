import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFStream, type PDFDocument, type PDFObject } from '@cantoo/pdf-lib';
import { extractedCharacters, type TextSetting } from '../pdf/font-subsets.ts';
import { fontMetrics, fontTable, fontTablePart, type FontId, type ShapedText } from '../pdf/fonts.ts';
import { componentIdOffsets, glyphOffsets } from '../pdf/truetype-subset.ts';
import { PDF_LIMITS } from './pdf-limits.ts';

/**
 * A font the PDF embeds already that can draw a signature's appearance exactly as a subset of its own
 * would (sign-pdf.ts), so that the signing revision references it instead of writing a second subset
 * of the same font (5-6 KB of a signature's 17 KB). The revision runs on stored bytes, maybe in
 * another process than the one that rendered them, so what the font holds is read back from the PDF
 * itself rather than from a record of how it was made: that also serves PDFs made elsewhere; lines
 * no font of the document can draw are drawn with a subset of their own, as before.
 *
 * A font qualifies for a line when it is a composite TrueType font (Type 0, Identity-H, CIDFontType2
 * with the identity CIDToGIDMap) named as the process's font, and every glyph of the line is in its
 * program with the very outline bytes the process's font has (hinting instructions included; a
 * composite glyph's components renumbered as the subset numbers them), extracted by its ToUnicode
 * map as the same text. Outlines, not names or Unicode maps, decide which CID draws a glyph: a
 * subset's CIDs follow from the glyphs of the whole document, which the revision does not know.
 * Widths need no check: the appearance's TJ offsets are computed against the font's own /W.
 * Referencing an object of the document from the new appearance changes nothing in the document, so
 * the certification's DocMDP (P 2: form filling only) is kept.
 */
/** A font to draw appearance lines with: the document's (here) or one the revision writes (sign-pdf.ts). */
export interface AppearanceFont {
  /** The Type 0 font, for the appearance's /Resources. */
  readonly font: PDFRef;
  readonly setting: TextSetting;
}

/** A font of the document that may draw some texts in `fontId` exactly as the process's font does. */
export interface DocumentFont {
  readonly font: PDFRef;
  /** How to set `texts` in this font; undefined when it lacks one of their glyphs (or extracts one as other text). */
  settingFor(texts: readonly ShapedText[]): TextSetting | undefined;
}

/**
 * The composite TrueType fonts named as `fontId` is that the document embeds, with the programs and
 * maps they embed: each page's, then the fonts of its annotations' normal appearances (an earlier
 * signature's lines that its document's font could not draw), in page order.
 */
export function documentFonts(document: PDFDocument, fontId: FontId): DocumentFont[] {
  const { context } = document;
  const found: DocumentFont[] = [];
  const seen = new Set<PDFRef>();
  const fontsOf = (resources: PDFDict | undefined) => {
    for (const value of resources?.lookupMaybe(PDFName.of('Font'), PDFDict)?.values() ?? []) {
      if (!(value instanceof PDFRef) || seen.has(value)) continue;
      seen.add(value);
      const font = readDocumentFont(document, value, fontId);
      if (font) found.push(font);
    }
  };
  for (const page of document.getPages()) {
    fontsOf(page.node.Resources());
    for (const annotation of page.node.Annots()?.asArray() ?? []) {
      const appearance = context.lookupMaybe(context.lookupMaybe(annotation, PDFDict)?.get(PDFName.of('AP')), PDFDict);
      const normal = appearance && context.lookup(appearance.get(PDFName.of('N')));
      if (normal instanceof PDFStream) fontsOf(normal.dict.lookupMaybe(PDFName.of('Resources'), PDFDict));
    }
  }
  return found;
}

function readDocumentFont(document: PDFDocument, ref: PDFRef, fontId: FontId): DocumentFont | undefined {
  const { context } = document;
  const type0 = context.lookupMaybe(ref, PDFDict);
  const baseFont = nameOf(type0, 'BaseFont');
  const { postscriptName } = fontMetrics(fontId);
  if (
    !type0 ||
    baseFont === undefined ||
    nameOf(type0, 'Subtype') !== 'Type0' ||
    nameOf(type0, 'Encoding') !== 'Identity-H' ||
    !(baseFont === postscriptName || (baseFont.endsWith(`+${postscriptName}`) && baseFont.length === postscriptName.length + 7))
  )
    return undefined;
  const descendant = context.lookupMaybe(type0.lookupMaybe(PDFName.of('DescendantFonts'), PDFArray)?.get(0), PDFDict);
  const cidToGid = descendant?.get(PDFName.of('CIDToGIDMap'));
  if (!descendant || nameOf(descendant, 'Subtype') !== 'CIDFontType2' || (cidToGid !== undefined && cidToGid !== PDFName.of('Identity')))
    return undefined;
  const descriptor = descendant.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict);
  const program = inflated(descriptor?.lookup(PDFName.of('FontFile2')));
  const toUnicode = inflated(type0.lookup(PDFName.of('ToUnicode')));
  const outlines = program && programOutlines(program);
  if (!outlines || !toUnicode) return undefined;

  const cidsByOutline = new Map<string, number[]>();
  for (let cid = 0; cid < outlines.numGlyphs; cid++) {
    const outline = outlines.outlineOf(cid);
    if (outline === undefined) return undefined;
    const key = outlineKey(outline);
    const cids = cidsByOutline.get(key);
    if (cids) cids.push(cid);
    else cidsByOutline.set(key, [cid]);
  }
  const texts = unicodeOf(toUnicode.toString('latin1'));
  const fontOutline = processOutlines(fontId);
  const componentCids = new Map<number, number | undefined>();
  /** The CID whose outline is glyph `id`'s and, for a glyph drawn for `text`, that extracts as `text`. */
  const cidOf = (id: number, text?: string): number | undefined => {
    let outline = fontOutline(id);
    const components = componentIdOffsets(outline);
    if (components.length > 0) {
      outline = Buffer.from(outline);
      for (const at of components) {
        const component = outline.readUInt16BE(at);
        if (!componentCids.has(component)) componentCids.set(component, cidOf(component));
        const cid = componentCids.get(component);
        if (cid === undefined) return undefined;
        outline.writeUInt16BE(cid, at);
      }
    }
    return cidsByOutline.get(outlineKey(outline))?.find((cid) => text === undefined || (texts.get(cid) ?? '') === text);
  };
  return {
    font: ref,
    settingFor: (shaped) => {
      const cids = new Map<number, number>();
      for (const [id, text] of extractedCharacters(shaped)) {
        const cid = cidOf(id, text);
        if (cid === undefined) return undefined;
        cids.set(id, cid);
      }
      const widths = widthsOf(document, descendant, new Set(cids.values()));
      return widths && { fontId, baseFont, cidOf: cids, widths, encodedTexts: new Map() };
    },
  };
}

function nameOf(dict: PDFDict | undefined, key: string): string | undefined {
  return dict?.lookupMaybe(PDFName.of(key), PDFName)?.decodeText();
}

/** A stream's data, Flate-decoded as a font program or CMap is written, within the limit of one stream; undefined when it is neither plain nor Flate or does not inflate. */
function inflated(stream: unknown): Buffer | undefined {
  if (!(stream instanceof PDFRawStream)) return undefined;
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  if (filter === undefined) return Buffer.from(stream.contents);
  const filters = filter instanceof PDFArray ? filter.asArray() : [filter];
  if (filters.length !== 1 || filters[0] !== PDFName.of('FlateDecode')) return undefined;
  try {
    return inflateSync(stream.contents, { maxOutputLength: PDF_LIMITS.streamInflatedBytes });
  } catch {
    // Broken or too large: the appearance then embeds a subset of its own.
    return undefined;
  }
}

/** An outline as a key, padded to an even length as a subset's short loca pads it. */
function outlineKey(outline: Buffer): string {
  return (outline.length % 2 === 1 ? Buffer.concat([outline, Buffer.alloc(1)]) : outline).toString('latin1');
}

/** The outlines of the process's font by glyph id. */
function processOutlines(fontId: FontId): (id: number) => Buffer {
  const offset = glyphOffsets(fontTable(fontId, 'head')!, fontTable(fontId, 'loca')!);
  return (id) => fontTablePart(fontId, 'glyf', offset(id), offset(id + 1));
}

/** The outlines of an embedded TrueType program by glyph id, each checked to lie in its glyf table; undefined when it is no such program. */
function programOutlines(program: Buffer): { numGlyphs: number; outlineOf(id: number): Buffer | undefined } | undefined {
  const tables = sfntTables(program);
  const [head, maxp, loca, glyf] = ['head', 'maxp', 'loca', 'glyf'].map((tag) => tables.get(tag));
  if (!head || head.length < 54 || !maxp || maxp.length < 6 || !loca || !glyf) return undefined;
  const numGlyphs = maxp.readUInt16BE(4);
  if (loca.length < (numGlyphs + 1) * (head.readInt16BE(50) === 0 ? 2 : 4)) return undefined;
  const offset = glyphOffsets(head, loca);
  return {
    numGlyphs,
    outlineOf: (id) => {
      const [start, end] = [offset(id), offset(id + 1)];
      return start <= end && end <= glyf.length ? glyf.subarray(start, end) : undefined;
    },
  };
}

/** An sfnt's tables by tag, those that lie inside the data. */
function sfntTables(data: Buffer): Map<string, Buffer> {
  const tables = new Map<string, Buffer>();
  if (data.length < 12) return tables;
  const count = data.readUInt16BE(4);
  for (let index = 0; index < count && 12 + 16 * (index + 1) <= data.length; index++) {
    const record = 12 + 16 * index;
    const [offset, length] = [data.readUInt32BE(record + 8), data.readUInt32BE(record + 12)];
    if (offset + length <= data.length) tables.set(data.toString('latin1', record, record + 4), data.subarray(offset, offset + length));
  }
  return tables;
}

const HEX = '<([0-9A-Fa-f]+)>';
const BF_CHAR = new RegExp(`${HEX}\\s*${HEX}`, 'g');
const BF_RANGE = new RegExp(`${HEX}\\s*${HEX}\\s*(?:${HEX}|\\[([^\\]]*)\\])`, 'g');

/** The text of each code a ToUnicode CMap (Adobe TN 5411) names, from its bfchar and bfrange blocks. */
function unicodeOf(cmap: string): Map<number, string> {
  const texts = new Map<number, string>();
  const utf16 = (hex: string) => (hex.length % 4 === 0 ? Buffer.from(hex, 'hex').swap16().toString('utf16le') : undefined);
  const set = (code: number, text: string | undefined) => {
    if (text !== undefined && !texts.has(code)) texts.set(code, text);
  };
  for (const [, block] of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, text] of block!.matchAll(BF_CHAR)) set(Number.parseInt(code!, 16), utf16(text!));
  }
  for (const [, block] of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, low, high, start, list] of block!.matchAll(BF_RANGE)) {
      const [first, last] = [Number.parseInt(low!, 16), Number.parseInt(high!, 16)];
      const listed = list?.match(/[0-9A-Fa-f]+/g) ?? [];
      for (let code = first; code <= last && code - first < 0x10000; code++) {
        if (start === undefined) set(code, listed[code - first] === undefined ? undefined : utf16(listed[code - first]!));
        else {
          // The destination's last code unit counts up through the range.
          const text = utf16(start);
          if (text) set(code, text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) + code - first));
        }
      }
    }
  }
  return texts;
}

/**
 * The widths the CIDFont's /W gives the CIDs of `drawn` (/DW's, 1000 by default, for those it leaves
 * out), in thousandths of an em; undefined when /W is malformed. Only the drawn CIDs are looked up: a
 * range of /W may span all 65,536.
 */
function widthsOf(document: PDFDocument, descendant: PDFDict, drawn: ReadonlySet<number>): number[] | undefined {
  const { context } = document;
  const numberOf = (value: PDFObject | undefined) => {
    const number = value && context.lookup(value);
    return number instanceof PDFNumber ? number.asNumber() : undefined;
  };
  const widths: number[] = [];
  // The first width /W gives a CID is the one that counts.
  const give = (cid: number, width: number | undefined) => {
    if (width !== undefined) widths[cid] ??= width;
  };
  const entries = descendant.lookupMaybe(PDFName.of('W'), PDFArray)?.asArray() ?? [];
  for (let at = 0; at < entries.length; ) {
    const first = numberOf(entries[at]);
    const next = entries[at + 1] && context.lookup(entries[at + 1]);
    if (first === undefined) return undefined;
    if (next instanceof PDFArray) {
      const listed = next.asArray().map(numberOf);
      if (listed.includes(undefined)) return undefined;
      for (const cid of drawn) give(cid, listed[cid - first]);
      at += 2;
    } else {
      const [last, width] = [numberOf(next), numberOf(entries[at + 2])];
      if (last === undefined || width === undefined) return undefined;
      for (const cid of drawn) if (cid >= first && cid <= last) give(cid, width);
      at += 3;
    }
  }
  const defaultWidth = numberOf(descendant.get(PDFName.of('DW'))) ?? 1000;
  for (const cid of drawn) widths[cid] ??= defaultWidth;
  return widths;
}
