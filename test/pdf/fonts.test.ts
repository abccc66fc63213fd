import { expect } from 'chai';
import { shape, shapeWithFontkit, shaperReady } from '../../server/pdf/fonts.ts';
import { clauseTexts } from '../../server/pdf/render-pdf.ts';
import { buildDocument } from '../support/documents.ts';

describe('shaping (fonts)', () => {
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
});
