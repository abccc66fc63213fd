import { fontSubset, type FontSubset } from './font-subsets.ts';
import { fonts, shape, type FontId, type ShapedText } from './fonts.ts';
import type { TextBox } from './layout-model.ts';

/**
 * The draw stage's text: the layout has already broken, measured and placed every line, so each
 * line is written as one text object of the glyphs the measurer shaped, through pdfkit's page content
 * and object API. pdfkit's own `text()` would shape, measure and align every line again (and it
 * justifies by dropping the spaces from the text), and its fonts deflate the same font program again
 * for every document; the fonts here are embedded from remembered subsets (font-subsets.ts).
 */

/** Each font's name in the pages' resources. */
const RESOURCE_NAMES: Record<FontId, string> = { serif: 'Serif', 'serif-bold': 'SerifBold' };

/** Two decimals: a hundredth of a point, or of a thousandth of an em, is below any visible difference. */
const decimal = (value: number) => String(Math.round(value * 100) / 100);

export class TextPainter {
  private readonly embedded = new Map<FontId, { readonly subset: FontSubset; readonly font: PDFKit.PDFKitReference }>();
  /** The fill colour set on the current page; every page starts with the default, black. */
  private fillColor = '#000000';

  /** Embeds, before anything is drawn, the subset of each font holding every glyph the boxes use. */
  constructor(
    private readonly document: PDFKit.PDFDocument,
    boxes: readonly TextBox[],
  ) {
    const wordsByFont = new Map<FontId, Set<string>>();
    for (const box of boxes) {
      let words = wordsByFont.get(box.font);
      if (words === undefined) wordsByFont.set(box.font, (words = new Set()));
      for (const word of wordsOf(box)) words.add(word);
    }
    for (const [fontId, words] of wordsByFont) {
      const subset = fontSubset(fontId, [...words].map((word) => shape(fontId, word)));
      this.embedded.set(fontId, { subset, font: embed(document, subset) });
    }
  }

  startPage(): void {
    this.fillColor = '#000000';
  }

  paint(box: TextBox): void {
    const { subset, font } = this.embedded.get(box.font)!;
    // Furniture (header, page numbers) in grey, the text in black.
    const color = box.element ? '#000000' : '#555555';
    if (color !== this.fillColor) {
      this.document.fillColor(color);
      this.fillColor = color;
    }
    const name = RESOURCE_NAMES[box.font];
    (this.document.page.fonts as Record<string, PDFKit.PDFKitReference>)[name] ??= font;
    // Justified lines widen every word space by the same amount: a TJ offset after the space glyph,
    // so the text keeps its spaces for copying and for screen readers.
    const gap = ` ${decimal((-box.wordSpacing * 1000) / box.size)} `;
    const operands = wordsOf(box)
      .map((word) => encodedWord(subset, word))
      .join(gap);
    // pdfkit's page space has y pointing down; the text matrix turns the glyphs upright again, with
    // the baseline an ascender below the box's top, where pdfkit's text() puts it.
    const baseline = box.y + (subset.descriptor.ascent / 1000) * box.size;
    const operators = `BT\n/${name} ${decimal(box.size)} Tf\n1 0 0 -1 ${decimal(box.x)} ${decimal(baseline)} Tm\n[${operands}] TJ\nET\n`;
    // As bytes (the string is all Latin-1): pdfkit copies a string into bytes character by character.
    this.document.addContent(Buffer.from(operators, 'latin1'));
  }
}

/**
 * Writes the subset as a composite font (ISO 32000-1 §9.7): Type 0 with Identity-H, so a content
 * stream's two-byte codes are CIDs; a CIDFontType2 whose CIDs are the program's glyph ids; the
 * TrueType program and the ToUnicode map as streams already deflated, which pdfkit writes as given.
 */
function embed(document: PDFKit.PDFDocument, subset: FontSubset): PDFKit.PDFKitReference {
  const stream = (data: object, { deflated }: { deflated: Buffer }) => {
    const reference = document.ref({ ...data, Filter: 'FlateDecode' });
    reference.end(deflated);
    return reference;
  };
  const object = (data: object) => {
    const reference = document.ref(data);
    reference.end(undefined);
    return reference;
  };
  const { descriptor } = subset;
  const fontDescriptor = object({
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
    FontFile2: stream({ Length1: subset.program.length }, subset.program),
  });
  const descendant = object({
    Type: 'Font',
    Subtype: 'CIDFontType2',
    BaseFont: subset.baseFont,
    // pdfkit writes a JavaScript String object as a PDF string, a primitive string as a name.
    CIDSystemInfo: { Registry: new String('Adobe'), Ordering: new String('Identity'), Supplement: 0 },
    FontDescriptor: fontDescriptor,
    W: [0, [...subset.widths]],
    CIDToGIDMap: 'Identity',
  });
  return object({
    Type: 'Font',
    Subtype: 'Type0',
    BaseFont: subset.baseFont,
    Encoding: 'Identity-H',
    DescendantFonts: [descendant],
    ToUnicode: stream({}, subset.toUnicode),
  });
}

/** A justified line is drawn word by word, each word with its space; any other line as one run. */
function wordsOf(box: TextBox): readonly string[] {
  return box.wordSpacing === 0 ? [box.text] : box.text.split(/(?<= )/);
}

const MAX_ENCODED_WORDS = 50_000;

/** The word's glyphs as TJ operands, remembered with the subset, whose CIDs mean the same in every document. */
function encodedWord(subset: FontSubset, word: string): string {
  let operands = subset.encodedWords.get(word);
  if (operands === undefined) {
    // Bounded: documents sharing one glyph set may still use ever new words.
    if (subset.encodedWords.size >= MAX_ENCODED_WORDS) subset.encodedWords.clear();
    operands = tjOperands(subset, shape(subset.fontId, word), 1000 / fonts()[subset.fontId].font.unitsPerEm);
    subset.encodedWords.set(word, operands);
  }
  return operands;
}

/**
 * TJ operands for a shaped run, in thousandths of an em, each CID two bytes of a literal string
 * (half the size of hexadecimal): a glyph's kerning (its advance differing from its width) becomes
 * an offset after it.
 */
function tjOperands(subset: FontSubset, run: ShapedText, scale: number): string {
  let operands = '';
  let glyphs = '';
  run.glyphs.forEach((glyph, index) => {
    const cid = subset.cidOf.get(glyph.id)!;
    const position = run.positions[index]!;
    // Noto Serif KR positions no mark off its pen position (checked over U+0300-U+036F on Latin,
    // Cyrillic and Hangul bases); a font that does needs a text rise here, not a silent misplacement.
    if (position.xOffset !== 0 || position.yOffset !== 0) {
      throw new Error(`${subset.baseFont} offsets glyph ${glyph.id}: the draw stage does not position marks`);
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
  return String.fromCharCode(cid >> 8, cid & 0xff).replace(/[()\\\r\n]/g, (byte) => ESCAPES[byte]!);
}

const ESCAPES: Record<string, string> = { '(': '\\(', ')': '\\)', '\\': '\\\\', '\r': '\\r', '\n': '\\n' };
