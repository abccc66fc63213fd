import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

/**
 * The fonts every agreement is set in. Noto Serif KR draws Latin, Cyrillic and Hangul, so one family
 * serves all three languages and the columns share one typographic colour. The files come from an npm
 * package, are read and parsed once per process, and pdfkit embeds only the glyphs used (subsets).
 */
export type FontId = 'serif' | 'serif-bold';

const require = createRequire(import.meta.url);
const FONT_FILES: Record<FontId, string> = {
  serif: '@expo-google-fonts/noto-serif-kr/400Regular/NotoSerifKR_400Regular.ttf',
  'serif-bold': '@expo-google-fonts/noto-serif-kr/700Bold/NotoSerifKR_700Bold.ttf',
};

export interface LoadedFont {
  readonly id: FontId;
  /** The file's bytes, handed to pdfkit for embedding. */
  readonly data: Buffer;
  readonly font: fontkit.Font;
}

let loaded: Record<FontId, LoadedFont> | undefined;

/** Parses the font files on first use and keeps them for the life of the process. */
export function fonts(): Record<FontId, LoadedFont> {
  loaded ??= Object.fromEntries(
    (Object.keys(FONT_FILES) as FontId[]).map((id) => {
      const data = readFileSync(require.resolve(FONT_FILES[id]));
      const font = fontkit.create(data);
      if (!('layout' in font)) throw new Error(`${FONT_FILES[id]} is a font collection, expected a single font`);
      return [id, { id, data, font }];
    }),
  ) as Record<FontId, LoadedFont>;
  return loaded;
}

const MAX_REMEMBERED_WIDTHS = 100_000;

/** Measures text in points; remembers widths, since agreements repeat their words and lines a lot. */
export class TextMeasurer {
  private readonly widths = new Map<string, number>();

  width(text: string, fontId: FontId, size: number): number {
    const key = `${fontId}\u0000${text}`;
    let unitsPerPoint = this.widths.get(key);
    if (unitsPerPoint === undefined) {
      const { font } = fonts()[fontId];
      unitsPerPoint = font.layout(text).advanceWidth / font.unitsPerEm;
      // Bounded, so a stream of unusual text cannot grow the process without limit.
      if (this.widths.size >= MAX_REMEMBERED_WIDTHS) this.widths.clear();
      this.widths.set(key, unitsPerPoint);
    }
    return unitsPerPoint * size;
  }

  /** The characters of `text` that the font has no glyph for (whitespace and soft hyphens aside). */
  missingCharacters(text: string, fontId: FontId): string[] {
    const { font } = fonts()[fontId];
    const missing = new Set<string>();
    for (const character of text) {
      if (/[\s\u00ad]/u.test(character)) continue;
      if (!font.hasGlyphForCodePoint(character.codePointAt(0)!)) missing.add(character);
    }
    return [...missing];
  }
}
