import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

/**
 * The fonts every agreement is set in. Noto Serif KR draws Latin, Cyrillic and Hangul, so one family
 * serves all three languages and the columns share one typographic colour. The files come from an npm
 * package and are read and parsed once per process, so no document parses the 14 MB file again;
 * a document embeds only the glyphs it uses (font-subsets.ts).
 */
export type FontId = 'serif' | 'serif-bold';

const require = createRequire(import.meta.url);
/** Where the files live inside their npm package; the web pages and the HTML preview are served the same files. */
export const FONT_FILES: Record<FontId, string> = {
  serif: require.resolve('@expo-google-fonts/noto-serif-kr/400Regular/NotoSerifKR_400Regular.ttf'),
  'serif-bold': require.resolve('@expo-google-fonts/noto-serif-kr/700Bold/NotoSerifKR_700Bold.ttf'),
};

/** Where the web application serves each font, so pages and previews set text in what the PDFs embed. */
export const FONT_URLS: Record<FontId, string> = {
  serif: '/assets/fonts/noto-serif-kr-400.ttf',
  'serif-bold': '/assets/fonts/noto-serif-kr-700.ttf',
};

export interface LoadedFont {
  readonly id: FontId;
  /** The parsed font; shape text with `shape`, which remembers. */
  readonly font: fontkit.Font;
}

let loaded: Record<FontId, LoadedFont> | undefined;

/** Parses the font files on first use and keeps them for the life of the process. */
export function fonts(): Record<FontId, LoadedFont> {
  loaded ??= Object.fromEntries(
    (Object.keys(FONT_FILES) as FontId[]).map((id) => {
      const font = fontkit.create(readFileSync(FONT_FILES[id]));
      if (!('layout' in font)) throw new Error(`${FONT_FILES[id]} is a font collection, expected a single font`);
      return [id, { id, font }];
    }),
  ) as Record<FontId, LoadedFont>;
  return loaded;
}

const MAX_REMEMBERED_RUNS = 50_000;
const shapedTexts = new Map<FontId, Map<string, ShapedText>>();

/** A text shaped in one font: its glyphs, where they go, and what each of them stands for. */
export interface ShapedText {
  readonly glyphs: readonly fontkit.Glyph[];
  /** In font units, like `advanceWidth`. */
  readonly positions: readonly fontkit.GlyphPosition[];
  readonly advanceWidth: number;
  /**
   * The characters each glyph draws, taken from the text: fontkit keeps one object per glyph and
   * reports the characters the glyph was first shaped from in the process (a space first met as a
   * no-break space stays one), which would make a PDF's ToUnicode map depend on earlier documents.
   */
  readonly characters: readonly string[];
}

/**
 * `text` shaped (OpenType GSUB and GPOS) in the font, remembered for the life of the process:
 * shaping a word with this CJK font costs about 0.2 ms, and an agreement has ~1,000 distinct words
 * that every rendering, of every original and version, sets again.
 */
export function shape(fontId: FontId, text: string): ShapedText {
  let texts = shapedTexts.get(fontId);
  if (texts === undefined) shapedTexts.set(fontId, (texts = new Map()));
  let shaped = texts.get(text);
  if (shaped === undefined) {
    // Bounded, so a stream of unusual text cannot grow the process without limit.
    if (texts.size >= MAX_REMEMBERED_RUNS) texts.clear();
    const { font } = fonts()[fontId];
    const run = font.layout(text);
    shaped = {
      glyphs: run.glyphs,
      positions: run.positions,
      advanceWidth: run.advanceWidth,
      characters: charactersOf(font, text, run.glyphs),
    };
    texts.set(text, shaped);
  }
  return shaped;
}

/**
 * Where each character got its own glyph (no ligature, no substitution), that character; where the
 * font substituted glyphs, the characters fontkit reports, which for a ligature or an alternate
 * reached from one sequence only are always the same.
 */
function charactersOf(font: fontkit.Font, text: string, glyphs: readonly fontkit.Glyph[]): string[] {
  const characters = [...text];
  const oneToOne =
    characters.length === glyphs.length &&
    characters.every((character, index) => font.glyphForCodePoint(character.codePointAt(0)!).id === glyphs[index]!.id);
  return oneToOne ? characters : glyphs.map((glyph) => String.fromCodePoint(...glyph.codePoints));
}

/** Measures text in points the way the draw stage sets it: word by word, each word shaped once per process. */
export class TextMeasurer {
  /** Advance widths in em by font and word, so measuring a word again costs one lookup. */
  private readonly widths = new Map<FontId, Map<string, number>>();
  /** Glyphs by font and word, likewise. */
  private readonly glyphCounts = new Map<FontId, Map<string, number>>();
  /** Whether each character seen so far has a glyph, by font: a document checks thousands of characters, mostly the same. */
  private readonly drawable = new Map<FontId, Map<string, boolean>>();
  /** Whole texts found drawable, by font: an agreement's clauses are checked again at every rendering. */
  private readonly drawableTexts = new Map<FontId, Set<string>>();

  width(text: string, fontId: FontId, size: number): number {
    let ems = 0;
    for (const word of text.split(' ')) ems += word === '' ? 0 : this.wordWidth(word, fontId);
    const spaces = text.length - text.replaceAll(' ', '').length;
    if (spaces > 0) ems += spaces * this.wordWidth(' ', fontId);
    return ems * size;
  }

  /** How many glyphs the text draws as the draw stage sets it (each takes a line's letter-spacing). */
  glyphCount(text: string, fontId: FontId): number {
    let count = 0;
    for (const word of text.split(' ')) count += word === '' ? 0 : this.wordGlyphs(word, fontId);
    return count + (text.length - text.replaceAll(' ', '').length);
  }

  private wordGlyphs(word: string, fontId: FontId): number {
    let counts = this.glyphCounts.get(fontId);
    if (counts === undefined) this.glyphCounts.set(fontId, (counts = new Map()));
    let count = counts.get(word);
    if (count === undefined) {
      count = shape(fontId, word).glyphs.length;
      if (counts.size >= MAX_REMEMBERED_RUNS) counts.clear();
      counts.set(word, count);
    }
    return count;
  }

  private wordWidth(word: string, fontId: FontId): number {
    let widths = this.widths.get(fontId);
    if (widths === undefined) this.widths.set(fontId, (widths = new Map()));
    let ems = widths.get(word);
    if (ems === undefined) {
      ems = shape(fontId, word).advanceWidth / fonts()[fontId].font.unitsPerEm;
      // Bounded like the shaping it derives from.
      if (widths.size >= MAX_REMEMBERED_RUNS) widths.clear();
      widths.set(word, ems);
    }
    return ems;
  }

  /** How far the baseline stands below a line's top, in em (where the draw stage puts it). */
  ascent(fontId: FontId): number {
    const { font } = fonts()[fontId];
    return font.ascent / font.unitsPerEm;
  }

  /** The characters of `text` that the font has no glyph for (whitespace and soft hyphens aside). */
  missingCharacters(text: string, fontId: FontId): string[] {
    let drawableTexts = this.drawableTexts.get(fontId);
    if (drawableTexts === undefined) this.drawableTexts.set(fontId, (drawableTexts = new Set()));
    if (drawableTexts.has(text)) return [];
    let drawable = this.drawable.get(fontId);
    if (drawable === undefined) this.drawable.set(fontId, (drawable = new Map()));
    const missing = new Set<string>();
    for (const character of text) {
      let known = drawable.get(character);
      if (known === undefined) {
        known = /[\s\u00ad]/u.test(character) || fonts()[fontId].font.hasGlyphForCodePoint(character.codePointAt(0)!);
        drawable.set(character, known);
      }
      if (!known) missing.add(character);
    }
    if (missing.size === 0) {
      // Bounded like the widths.
      if (drawableTexts.size >= MAX_REMEMBERED_RUNS) drawableTexts.clear();
      drawableTexts.add(text);
    }
    return [...missing];
  }
}
