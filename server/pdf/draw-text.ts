import { decimal, fontSubset, textOperands, writeCompositeFont, type FontSubset } from './font-subsets.ts';
import { shape, type FontId } from './fonts.ts';
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
      if (box.text.includes(' ')) words.add(' ');
    }
    for (const [fontId, words] of wordsByFont) {
      const subset = fontSubset(
        fontId,
        [...words].map((word) => shape(fontId, word)),
      );
      this.embedded.set(fontId, { subset, font: writeCompositeFont(subset, pdfkitWriter(document)) });
    }
  }

  startPage(): void {
    this.fillColor = '#000000';
  }

  paint(box: TextBox): void {
    const { subset, font } = this.embedded.get(box.font)!;
    // Furniture (header, page numbers) in grey, the text in black.
    const color = box.color ?? (box.element ? '#000000' : '#555555');
    if (color !== this.fillColor) {
      this.document.fillColor(color);
      this.fillColor = color;
    }
    const name = RESOURCE_NAMES[box.font];
    (this.document.page.fonts as Record<string, PDFKit.PDFKitReference>)[name] ??= font;
    // Justified lines widen every word space by the same amount: a TJ offset after the space glyph,
    // so the text keeps its spaces for copying and for screen readers.
    const space = `${textOperands(subset, ' ')}${box.wordSpacing === 0 ? '' : ` ${decimal((-box.wordSpacing * 1000) / box.size)}`}`;
    const operands = box.text
      .split(' ')
      .map((word) => (word === '' ? '' : textOperands(subset, word)))
      .join(` ${space} `)
      .trim();
    // pdfkit's page space has y pointing down; the text matrix turns the glyphs upright again, with
    // the baseline an ascender below the box's top, where pdfkit's text() puts it.
    const baseline = box.y + (subset.descriptor.ascent / 1000) * box.size;
    // Letter-spacing is text state, which outlives the text object: set for the line, reset after it.
    const [spaced, unspaced] = box.letterSpacing === 0 ? ['', ''] : [`${Math.round(box.letterSpacing * 10_000) / 10_000} Tc\n`, '0 Tc\n'];
    const operators = `BT\n/${name} ${decimal(box.size)} Tf\n${spaced}1 0 0 -1 ${decimal(box.x)} ${decimal(baseline)} Tm\n[${operands}] TJ\n${unspaced}ET\n`;
    // As bytes (the string is all Latin-1): pdfkit copies a string into bytes character by character.
    this.document.addContent(Buffer.from(operators, 'latin1'));
  }
}

/** pdfkit's objects: a primitive string is written as a name, a String object as a text string; a stream with a Filter is written as given. */
function pdfkitWriter(document: PDFKit.PDFDocument) {
  return {
    object: (dictionary: Record<string, unknown>) => {
      const reference = document.ref(dictionary);
      reference.end(undefined);
      return reference;
    },
    deflatedStream: (dictionary: Record<string, unknown>, data: Buffer) => {
      const reference = document.ref({ ...dictionary, Filter: 'FlateDecode' });
      reference.end(data);
      return reference;
    },
    text: (value: string) => new String(value),
  };
}

/**
 * A line is drawn word by word, each word as the measurer shaped and measured it (fonts.ts), and a
 * space glyph between words: no line is shaped again as a whole, and what is drawn is what was measured.
 */
function wordsOf(box: TextBox): readonly string[] {
  return box.text.split(' ').filter((word) => word !== '');
}
