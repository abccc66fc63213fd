import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import {
  FONT_FILES,
  fontMetrics,
  fonts,
  nominalGlyph,
  shape,
  shapeTogether,
  shapeWithFontkit,
  shapeWithHarfBuzz,
  shaperReady,
  type FontId,
} from '../../server/pdf/fonts.ts';
import { hyphenationPieces } from '../../server/pdf/hyphenation.ts';
import { clauseTexts } from '../../server/pdf/render-pdf.ts';
import { buildDocument } from '../support/documents.ts';

describe('shaping (fonts)', () => {
  it('when words are shaped together in shared buffers, then each has the glyphs, advances and characters it has shaped alone', async () => {
    await shaperReady();
    const document = { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), draft: null };
    const words = new Set<string>();
    // Words, the pieces hyphenation cuts them into and Korean syllables: what the breaker measures;
    // written backwards, so that no other test file run earlier in this process has shaped them (a
    // word shaped already is not shaped again), with the same letters and scripts.
    const backwards = (word: string) => [...word].reverse().join('');
    for (const { text, lang } of clauseTexts(document))
      for (const word of text.split(' ')) {
        const parts = lang === 'ko' ? [...word] : hyphenationPieces(word, lang as 'ru' | 'en');
        for (const part of [word, ...parts]) if (part !== '') words.add(backwards(part));
      }
    // Words that begin with a combining mark, which would join the space before them in a shared buffer.
    for (const word of ['\u0301a', '\u0306и', '\u0308', '.\u0301', 'A\u0300\u0301']) words.add(word);
    for (const font of ['serif', 'serif-bold'] as const) {
      const together = shapeTogether(font, words);
      expect(together, font).to.be.greaterThan(words.size * 0.7);
      for (const word of words) expect(shape(font, word), `${font}: ${word}`).to.deep.equal(shapeWithHarfBuzz(font, word));
    }
  });

  it('when words are shaped together with the pieces they are cut into, then each piece has the glyphs, advances and characters it has shaped alone', async () => {
    await shaperReady();
    const document = { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), draft: null };
    // Written backwards in capitals, so that neither the test above nor any other file run earlier in
    // this process has shaped them; Korean cut between its syllables, as the breaker's last resort does.
    const backwards = (word: string) => [...word].reverse().join('').toUpperCase();
    const cuts = new Map<string, string[]>();
    for (const { text, lang } of clauseTexts(document))
      for (const word of text.split(' ')) {
        const parts = lang === 'ko' ? [...word] : hyphenationPieces(word, lang as 'ru' | 'en');
        if (parts.length > 1) cuts.set(backwards(word), parts.map(backwards).reverse());
      }
    for (const font of ['serif', 'serif-bold'] as const) {
      const pieces = new Set([...cuts.values()].flat().filter((piece) => !cuts.has(piece)));
      const together = shapeTogether(font, cuts.keys(), cuts.values());
      expect(together, font).to.be.greaterThan((cuts.size + pieces.size) * 0.7);
      for (const text of [...cuts.keys(), ...pieces])
        expect(shape(font, text), `${font}: ${text}`).to.deep.equal(shapeWithHarfBuzz(font, text));
    }
  });

  it('when the words of the clause library are shaped by HarfBuzz, then they are the glyphs, advances and characters fontkit gives', async () => {
    await shaperReady();
    const document = { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), draft: null };
    const words = new Map<'serif' | 'serif-bold', Set<string>>([
      ['serif', new Set()],
      ['serif-bold', new Set()],
    ]);
    for (const { text, font } of clauseTexts(document)) for (const word of text.split(' ')) if (word !== '') words.get(font)!.add(word);
    for (const article of document.articles) for (const heading of Object.values(article.heading)) words.get('serif-bold')!.add(heading!);
    let compared = 0;
    for (const [font, texts] of words)
      for (const text of texts) {
        // fontkit names a glyph drawn for two characters (the space, the no-break space) by the one it
        // met first in the process; HarfBuzz's come from the text. The subsets map both to the lowest.
        const comparable = ({ glyphs, positions, advanceWidth, characters }: ReturnType<typeof shape>) => ({
          glyphs: glyphs.map(({ id }) => id),
          positions,
          advanceWidth,
          characters: characters.map((character) => character.replaceAll('\u00a0', ' ')),
        });
        expect(comparable(shape(font, text)), `${font}: ${text}`).to.deep.equal(comparable(shapeWithFontkit(font, text)));
        compared += 1;
      }
    expect(compared).to.be.greaterThan(1000);
  });

  it('when text is shaped from the font without its outlines, then it is what the whole font gives: every character it maps, and with marks', async () => {
    await shaperReady();
    const harfbuzz = await import('harfbuzzjs');
    for (const fontId of Object.keys(FONT_FILES) as FontId[]) {
      const whole = new harfbuzz.Font(new harfbuzz.Face(new harfbuzz.Blob(readFileSync(FONT_FILES[fontId]))));
      const buffer = new harfbuzz.Buffer();
      const shapedWhole = (text: string) => {
        buffer.reset();
        buffer.setClusterLevel(harfbuzz.ClusterLevel.MONOTONE_CHARACTERS);
        buffer.addText(text);
        buffer.guessSegmentProperties();
        harfbuzz.shape(whole, buffer);
        return {
          glyphs: buffer.getGlyphInfos().map(({ codepoint }) => codepoint),
          positions: buffer.getGlyphPositions().map(({ xAdvance, xOffset, yOffset }) => ({ xAdvance, xOffset, yOffset })),
        };
      };
      const characters = [...whole.face.collectUnicodes()].map((codePoint) => String.fromCodePoint(codePoint));
      // Marks on a Latin, a Cyrillic and a Hangul base, and runs whose glyphs kern, join or mark.
      const marks = Array.from({ length: 0x70 }, (_, index) => String.fromCodePoint(0x300 + index));
      const texts = [
        ...characters,
        ...marks.flatMap((mark) => [`a${mark}`, `и${mark}`, `가${mark}`]),
        'AVAToffice',
        '«Стороны»',
        '협정·협력',
      ];
      for (const text of texts) {
        const { glyphs, positions } = shape(fontId, text);
        expect({ glyphs: glyphs.map(({ id }) => id), positions }, `${fontId}: ${text}`).to.deep.equal(shapedWhole(text));
      }
      expect(characters.length).to.be.greaterThan(10_000);
    }
  });

  it('when a character’s glyph is read from the cmap table, then it is the glyph fontkit maps it to, and 0 for one the font lacks', () => {
    for (const fontId of Object.keys(FONT_FILES) as FontId[]) {
      const { font } = fonts()[fontId];
      const differing = font.characterSet.filter((codePoint) => nominalGlyph(fontId, codePoint) !== font.glyphForCodePoint(codePoint).id);
      expect(differing, fontId).to.deep.equal([]);
      expect(font.characterSet.length, fontId).to.be.greaterThan(20_000);
      for (const missing of [0x0001, 0xfffe, 0x10ffff]) {
        expect(font.hasGlyphForCodePoint(missing)).to.equal(false);
        expect(nominalGlyph(fontId, missing), `${fontId} U+${missing.toString(16)}`).to.equal(0);
      }
    }
  });

  it('when a font’s metrics are read from its tables, then they are what fontkit parses', () => {
    for (const fontId of Object.keys(FONT_FILES) as FontId[]) {
      const font = fontkit.create(readFileSync(FONT_FILES[fontId])) as fontkit.Font;
      const { post, head } = font as unknown as { post: { isFixedPitch: number }; head: { macStyle: { italic: boolean } } };
      expect(fontMetrics(fontId)).to.deep.equal({
        postscriptName: font.postscriptName,
        unitsPerEm: font.unitsPerEm,
        ascent: font.ascent,
        descent: font.descent,
        capHeight: font.capHeight,
        xHeight: font.xHeight,
        bbox: [font.bbox.minX, font.bbox.minY, font.bbox.maxX, font.bbox.maxY],
        italicAngle: font.italicAngle,
        isFixedPitch: post.isFixedPitch !== 0,
        isItalic: head.macStyle.italic,
        familyClass: (font['OS/2']?.sFamilyClass ?? 0) >> 8,
      });
    }
  });
});
