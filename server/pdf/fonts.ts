import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

/**
 * The fonts every agreement is set in. Noto Serif KR draws Latin, Cyrillic and Hangul, so one family
 * serves all three languages and the columns share one typographic colour. The files come from an npm
 * package and are read and parsed once per process; pdfkit (0.20 and later) takes the parsed font
 * itself, so no document parses the 14 MB file again, and embeds only the glyphs used (subsets).
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
  /** The file's bytes, for code that embeds the font by itself (the signature appearance). */
  readonly data: Buffer;
  /** The parsed font, shaping remembered: what both the measurer and pdfkit lay text out with. */
  readonly font: fontkit.Font;
}

let loaded: Record<FontId, LoadedFont> | undefined;

/** Parses the font files on first use and keeps them for the life of the process. */
export function fonts(): Record<FontId, LoadedFont> {
  loaded ??= Object.fromEntries(
    (Object.keys(FONT_FILES) as FontId[]).map((id) => {
      const data = readFileSync(FONT_FILES[id]);
      const font = fontkit.create(data);
      if (!('layout' in font)) throw new Error(`${FONT_FILES[id]} is a font collection, expected a single font`);
      return [id, { id, data, font: withRememberedShaping(font) }];
    }),
  ) as Record<FontId, LoadedFont>;
  return loaded;
}

const MAX_REMEMBERED_RUNS = 50_000;

/**
 * The same font, whose plain `layout(text)` (OpenType shaping) is remembered for the life of the
 * process. Shaping a word with this CJK font's GSUB costs about 0.2 ms and pdfkit caches it only per
 * document, so without this every PDF would shape its ~1,000 distinct words again (about 250 ms).
 * Every call returns fresh positions: pdfkit scales a run's positions in place.
 */
function withRememberedShaping(font: fontkit.Font): fontkit.Font {
  const runs = new Map<string, fontkit.GlyphRun>();
  const shape: fontkit.Font['layout'] = (text, features, script, language, direction) => {
    // Shaping with explicit features, script, language or direction is rare and not remembered.
    if ([features, script, language, direction].some((argument) => argument !== undefined)) {
      return font.layout(text, features, script, language, direction);
    }
    let run = runs.get(text);
    if (run === undefined) {
      // Bounded, so a stream of unusual text cannot grow the process without limit.
      if (runs.size >= MAX_REMEMBERED_RUNS) runs.clear();
      run = font.layout(text);
      runs.set(text, run);
    }
    return Object.assign(Object.create(Object.getPrototypeOf(run) as object) as fontkit.GlyphRun, run, {
      positions: run.positions.map((position) => ({ ...position })),
    });
  };
  return Object.create(font, { layout: { value: shape } }) as fontkit.Font;
}

/** Measures text in points the way pdfkit sets it: word by word, each word shaped once per process. */
export class TextMeasurer {
  /** Advance widths in em by font and word, so measuring a word again costs a lookup, not a copied run. */
  private readonly widths = new Map<FontId, Map<string, number>>();
  /** Whether each character seen so far has a glyph, by font: a document checks thousands of characters, mostly the same. */
  private readonly drawable = new Map<FontId, Map<string, boolean>>();

  width(text: string, fontId: FontId, size: number): number {
    let ems = 0;
    for (const word of text.split(' ')) ems += word === '' ? 0 : this.wordWidth(word, fontId);
    const spaces = text.length - text.replaceAll(' ', '').length;
    if (spaces > 0) ems += spaces * this.wordWidth(' ', fontId);
    return ems * size;
  }

  private wordWidth(word: string, fontId: FontId): number {
    let widths = this.widths.get(fontId);
    if (widths === undefined) this.widths.set(fontId, (widths = new Map()));
    let ems = widths.get(word);
    if (ems === undefined) {
      const { font } = fonts()[fontId];
      ems = font.layout(word).advanceWidth / font.unitsPerEm;
      // Bounded like the shaping it derives from.
      if (widths.size >= MAX_REMEMBERED_RUNS) widths.clear();
      widths.set(word, ems);
    }
    return ems;
  }

  /** The characters of `text` that the font has no glyph for (whitespace and soft hyphens aside). */
  missingCharacters(text: string, fontId: FontId): string[] {
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
    return [...missing];
  }
}
