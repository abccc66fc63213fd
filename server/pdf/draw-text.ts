import { decimal, drawnFirst, subsetOfGlyphs, textOperands, writeCompositeFont, type FontSubset } from './font-subsets.ts';
import { shape, type FontId } from './fonts.ts';
import type { TextBox } from './layout-model.ts';

/**
 * The draw stage's text: the layout has already broken, measured and placed every line, so each
 * line is written as content operators of the glyphs the measurer shaped. pdfkit's own `text()` would shape, measure and align every line again (and it
 * justifies by dropping the spaces from the text), and its fonts deflate the same font program again
 * for every document; the fonts here are embedded from remembered subsets (font-subsets.ts).
 */

/** Each font's name in the pages' resources. */
const RESOURCE_NAMES: Record<FontId, string> = { serif: 'Serif', 'serif-bold': 'SerifBold' };

export class TextPainter {
  private readonly embedded = new Map<FontId, { readonly subset: FontSubset; readonly font: PDFKit.PDFKitReference }>();
  /**
   * The text state and fill colour the page's content has set so far: they outlive a text object, so
   * each is written only where it changes. Every page starts with the defaults.
   */
  private fillColor = DEFAULT_COLOR;
  private font: FontId | null = null;
  private fontSize = 0;
  private letterSpacing = 0;
  /** The current line's start as written (rounded to hundredths); null at the start of a text object. */
  private lineStart: { x: number; y: number } | null = null;

  /** Embeds, before anything is drawn, the subset of each font holding every glyph the boxes use. */
  constructor(
    private readonly document: PDFKit.PDFDocument,
    boxes: readonly TextBox[],
  ) {
    const linesByFont = new Map<FontId, Set<string>>();
    for (const box of boxes) {
      let lines = linesByFont.get(box.font);
      if (lines === undefined) linesByFont.set(box.font, (lines = new Set()));
      lines.add(box.text);
    }
    for (const [fontId, lines] of linesByFont) {
      let census = censuses.get(fontId);
      if (census === undefined) censuses.set(fontId, (census = new GlyphCensus(fontId)));
      const subset = census.subsetFor(lines);
      this.embedded.set(fontId, { subset, font: writeCompositeFont(subset, pdfkitWriter(document)) });
    }
  }

  startPage(): void {
    this.fillColor = DEFAULT_COLOR;
    this.font = null;
    this.fontSize = 0;
    this.letterSpacing = 0;
    this.lineStart = null;
  }

  /** Starts a text object: its first line is placed on the page, the next ones each from the one before. */
  beginText(): string {
    this.lineStart = null;
    return 'BT\n';
  }

  endText(): string {
    return 'ET\n';
  }

  /**
   * The operators that draw `box`, in the open text object: the lines of a page share text objects,
   * each line placed relative to the one before, and set font, letter-spacing and colour only where
   * they change.
   */
  paint(box: TextBox): string {
    const { subset, font } = this.embedded.get(box.font)!;
    let operators = '';
    // Furniture (header, page numbers) in grey, the text in black.
    const color = box.color ?? (box.element ? DEFAULT_COLOR : '#555555');
    if (color !== this.fillColor) {
      operators += `${colorOperator(color, 'fill')}\n`;
      this.fillColor = color;
    }
    const name = RESOURCE_NAMES[box.font];
    (this.document.page.fonts as Record<string, PDFKit.PDFKitReference>)[name] ??= font;
    if (box.font !== this.font || box.size !== this.fontSize) {
      operators += `/${name} ${decimal(box.size)} Tf\n`;
      this.font = box.font;
      this.fontSize = box.size;
    }
    const letterSpacing = Math.round(box.letterSpacing * 10_000) / 10_000;
    if (letterSpacing !== this.letterSpacing) {
      operators += `${letterSpacing} Tc\n`;
      this.letterSpacing = letterSpacing;
    }
    // pdfkit's page space has y pointing down; the text matrix turns the glyphs upright again, with
    // the baseline an ascender below the box's top, where pdfkit's text() puts it.
    const [x, y] = [hundredths(box.x), hundredths(box.y + (subset.descriptor.ascent / 1000) * box.size)];
    if (this.lineStart === null) operators += `1 0 0 -1 ${x} ${y} Tm\n`;
    // Td moves in text space, whose y points up: a line lower on the page is a negative move.
    else operators += `${decimal(x - this.lineStart.x)} ${decimal(this.lineStart.y - y)} Td\n`;
    this.lineStart = { x, y };
    return `${operators}[${lineOperands(subset, box)}] TJ\n`;
  }
}

const DEFAULT_COLOR = '#000000';
/** As `decimal` writes it, as a number: a line's place is written once and moved from by the next line. */
const hundredths = (value: number) => Math.round(value * 100) / 100;

/**
 * The glyphs the last document drew in a font, each with the characters it drew, counted over the
 * document's lines and their words. A font's subset is a function of those pairs alone
 * (font-subsets.ts), so a document whose lines bring and take away no pair (a new version of the
 * last one, most often) gets the last subset without its every word being gone through again; and
 * one that does gets it from the pairs counted, not from its every word shaped again.
 */
class GlyphCensus {
  private readonly lines = new Set<string>();
  /** How many of the lines have each word, and the word's distinct glyph and character pairs. */
  private readonly words = new Map<string, { count: number; readonly pairs: readonly GlyphPair[] }>();
  /** By glyph id, how many of the words draw it for each character. */
  private readonly pairs = new Map<number, Map<string, number>>();
  private subset: FontSubset | undefined;
  private changed = true;

  constructor(private readonly fontId: FontId) {}

  subsetFor(lines: ReadonlySet<string>): FontSubset {
    for (const line of this.lines)
      if (!lines.has(line)) {
        this.lines.delete(line);
        for (const word of wordsOf(line)) this.removeWord(word);
      }
    for (const line of lines)
      if (!this.lines.has(line)) {
        this.lines.add(line);
        for (const word of wordsOf(line)) this.addWord(word);
      }
    if (this.changed || this.subset === undefined) {
      const characters = new Map<number, string>();
      for (const [id, texts] of this.pairs) {
        let chosen: string | undefined;
        for (const text of texts.keys()) if (chosen === undefined || drawnFirst(text, chosen)) chosen = text;
        characters.set(id, chosen!);
      }
      this.subset = subsetOfGlyphs(this.fontId, characters);
    }
    this.changed = false;
    return this.subset;
  }

  private addWord(word: string): void {
    const counted = this.words.get(word);
    if (counted !== undefined) {
      counted.count += 1;
      return;
    }
    const { glyphs, characters } = shape(this.fontId, word);
    // In the order first drawn; a word has few glyphs, so looking through the pairs so far costs less
    // than a key made for each glyph (a first document counts tens of thousands).
    const pairs: GlyphPair[] = [];
    for (let index = 0; index < glyphs.length; index += 1) {
      const id = glyphs[index]!.id;
      const text = characters[index]!;
      if (!pairs.some((pair) => pair[0] === id && pair[1] === text)) pairs.push([id, text]);
    }
    this.words.set(word, { count: 1, pairs });
    for (const [id, text] of pairs) {
      let texts = this.pairs.get(id);
      if (texts === undefined) this.pairs.set(id, (texts = new Map()));
      const count = texts.get(text) ?? 0;
      if (count === 0) this.changed = true;
      texts.set(text, count + 1);
    }
  }

  private removeWord(word: string): void {
    const counted = this.words.get(word)!;
    counted.count -= 1;
    if (counted.count > 0) return;
    this.words.delete(word);
    for (const [id, text] of counted.pairs) {
      const texts = this.pairs.get(id)!;
      const count = texts.get(text)! - 1;
      if (count > 0) {
        texts.set(text, count);
        continue;
      }
      this.changed = true;
      texts.delete(text);
      if (texts.size === 0) this.pairs.delete(id);
    }
  }
}

type GlyphPair = readonly [id: number, text: string];

const censuses = new Map<FontId, GlyphCensus>();

/** A colour ("#rrggbb") as the shortest operator that sets it: grey as one component, else RGB, in thousandths. */
export function colorOperator(color: string, use: 'fill' | 'stroke'): string {
  const [red, green, blue] = [1, 3, 5].map((at) => Math.round((Number.parseInt(color.slice(at, at + 2), 16) / 255) * 1000) / 1000);
  const operator = red === green && green === blue ? `${red} g` : `${red} ${green} ${blue} rg`;
  return use === 'fill' ? operator : operator.toUpperCase();
}

/**
 * A line's TJ operands, word by word as the measurer shaped and measured each (fonts.ts), with a space
 * glyph between words: no line is shaped again as a whole, and what is drawn is what was measured.
 * Justified lines widen every word space by the same amount: a TJ offset after the space glyph, so
 * the text keeps its spaces for copying and for screen readers. Adjacent strings are written as one.
 * Remembered with the subset, whose CIDs they are: a new version of an agreement draws most of its
 * lines again as they were.
 */
function lineOperands(subset: FontSubset, box: TextBox): string {
  let lines = operandsByLine.get(subset);
  if (lines === undefined) operandsByLine.set(subset, (lines = new Map()));
  // By text, then by word spacing (in ems): no key is built, and a line's text is the string its paragraph's breaking remembered.
  let bySpacing = lines.get(box.text);
  if (bySpacing === undefined) lines.set(box.text, (bySpacing = new Map()));
  const spacing = box.wordSpacing / box.size;
  let operands = bySpacing.get(spacing);
  if (operands !== undefined) return operands;
  const space = `${textOperands(subset, ' ')}${box.wordSpacing === 0 ? '' : ` ${decimal((-box.wordSpacing * 1000) / box.size)}`}`;
  // The last piece is held back until the next one shows whether the two strings join.
  let written = '';
  let last = '';
  const append = (next: string) => {
    if (last.endsWith(')') && next.startsWith('(')) {
      written += last.slice(0, -1);
      last = next.slice(1);
    } else {
      written += last === '' ? '' : `${last} `;
      last = next;
    }
  };
  box.text.split(' ').forEach((word, index) => {
    if (index > 0) append(space);
    if (word !== '') append(textOperands(subset, word));
  });
  operands = written + last;
  if (lines.size >= MAX_REMEMBERED_LINES) lines.clear();
  bySpacing.set(spacing, operands);
  lines.set(box.text, bySpacing);
  return operands;
}

const MAX_REMEMBERED_LINES = 20_000;
const operandsByLine = new WeakMap<FontSubset, Map<string, Map<number, string>>>();

/** pdfkit's objects: a primitive string is written as a name, a String object as a text string; a stream with a Filter is written as given. */
function pdfkitWriter(document: PDFKit.PDFDocument) {
  return {
    object: (dictionary: Record<string, unknown>) => {
      const reference = document.ref(dictionary);
      reference.end(undefined);
      return reference;
    },
    deflatedStream: (dictionary: Record<string, unknown>, data: Buffer) => deflatedStream(document, dictionary, data),
    text: (value: string) => new String(value),
  };
}

/** A stream of `data`, deflated already: pdfkit writes a stream whose dictionary names a Filter as it is given. */
export function deflatedStream(document: PDFKit.PDFDocument, dictionary: Record<string, unknown>, data: Buffer): PDFKit.PDFKitReference {
  const reference = document.ref({ ...dictionary, Filter: 'FlateDecode' });
  reference.end(data);
  return reference;
}

/** The words a line draws, once each, and the space between them if it has one (see `lineOperands`). */
function wordsOf(line: string): ReadonlySet<string> {
  const words = new Set(line.split(' '));
  words.delete('');
  if (line.includes(' ')) words.add(' ');
  return words;
}
