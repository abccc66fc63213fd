import { expect } from 'chai';
import { TextMeasurer } from '../../server/pdf/fonts.ts';
import { hyphenationPieces } from '../../server/pdf/hyphenation.ts';
import { breakParagraph, type LineBreakingOptions } from '../../server/pdf/line-breaking.ts';
import type { Lang } from '../../server/text/languages.ts';
import { buildDocument } from '../support/documents.ts';

const measurer = new TextMeasurer();
const SIZE = 10;
const COLUMN = 234;
const options = (lang: Lang | null, overrides: Partial<LineBreakingOptions> = {}): LineBreakingOptions => ({
  width: COLUMN,
  lang,
  justified: true,
  measure: (text) => measurer.width(text, 'serif', SIZE),
  ...overrides,
});
/** The text back from its lines: a line-end hyphen was added by hyphenation, a space was the break. */
const rejoin = (lines: readonly string[]) =>
  lines.map((line, index) => (index < lines.length - 1 && !line.endsWith('-') ? `${line} ` : line.replace(/-$/, ''))).join('');
/** How far each justified line's word spaces open beyond their natural width, in spaces (a one-word line as one space). */
const openings = (lines: readonly string[]) => {
  const space = measurer.width(' ', 'serif', SIZE);
  return lines.slice(0, -1).map((line) => (COLUMN - measurer.width(line, 'serif', SIZE)) / Math.max(1, line.split(' ').length - 1) / space);
};
const paragraphsOf = (lang: Lang) =>
  buildDocument({ languages: ['ru', 'ko', 'en'] })
    .articles.flatMap((article) => article.body[lang]!)
    .flatMap((block) => (block.type === 'paragraph' ? [block.text] : block.items));

describe('line breaking', () => {
  it('when Russian and English words are hyphenated, then by their own patterns, leaving TeX’s minimum of letters at each end', () => {
    expect(hyphenationPieces('сотрудничество', 'ru')).to.deep.equal(['со', 'труд', 'ни', 'че', 'ство']);
    expect(hyphenationPieces('cooperation', 'en')).to.deep.equal(['co', 'oper', 'a', 'tion']);
    // The patterns alone would allow "internation-al" and "Econom-ic": English keeps three letters after a break.
    expect(hyphenationPieces('international', 'en')).to.deep.equal(['in', 'ter', 'na', 'tional']);
    expect(hyphenationPieces('Economic', 'en')).to.deep.equal(['Eco', 'nomic']);
    expect(hyphenationPieces('협정에', 'ko')).to.deep.equal(['협정에']);
  });

  it('when a compound has a hard hyphen, then no line breaks after it, so text extraction keeps the hyphen', () => {
    expect(hyphenationPieces('торгово-экономическом', 'ru').some((piece) => piece.endsWith('-'))).to.equal(false);
    for (const width of [120, 140, 160, 180, 200]) {
      const lines = breakParagraph('Стороны развивают торгово-экономическое и научно-техническое сотрудничество', options('ru', { width }));
      expect(lines.some((line) => /(торгово|научно)-$/.test(line))).to.equal(false);
      expect(rejoin(lines)).to.equal('Стороны развивают торгово-экономическое и научно-техническое сотрудничество');
    }
  });

  for (const lang of ['ru', 'en'] as const) {
    it(`when the ${lang} clauses are justified, then hyphenation opens word spaces less than breaking at spaces alone`, () => {
      const widest = (hyphenate: boolean) =>
        paragraphsOf(lang).flatMap((text) => openings(breakParagraph(text, options(hyphenate ? lang : null))));
      const [hyphenated, plain] = [widest(true), widest(false)];
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      expect(mean(hyphenated)).to.be.lessThan(mean(plain) * 0.75);
      expect(Math.max(...hyphenated)).to.be.lessThan(Math.max(...plain));
      for (const text of paragraphsOf(lang)) expect(rejoin(breakParagraph(text, options(lang)))).to.equal(text);
    });
  }

  it('when Korean is broken, then only between words (keep-all), and no line is wider than the column', () => {
    for (const text of paragraphsOf('ko')) {
      const lines = breakParagraph(text, options('ko'));
      expect(lines.join(' ')).to.equal(text);
      for (const line of lines) expect(measurer.width(line, 'serif', SIZE)).to.be.at.most(COLUMN + 0.001);
    }
  });

  it('when a word is wider than the column, then it is broken between characters and nothing is lost', () => {
    const word = '스베르들롭스크주'.repeat(4);
    const lines = breakParagraph(`양측은 ${word} 협력한다`, options('ko', { width: 120 }));
    expect(lines.length).to.be.greaterThan(2);
    expect(lines.join('').replaceAll(' ', '')).to.equal(`양측은${word}협력한다`);
    for (const line of lines) expect(measurer.width(line, 'serif', SIZE)).to.be.at.most(120.001);
  });

  it('when a title is set ragged, then its lines are balanced rather than filled greedily', () => {
    const title = buildDocument().title.ru!;
    const lines = breakParagraph(title, options('ru', { justified: false, width: 230 }));
    const widths = lines.map((line) => measurer.width(line, 'serif', SIZE));
    expect(lines.join(' ')).to.equal(title);
    expect(Math.min(...widths)).to.be.greaterThan(230 * 0.5);
    expect(lines.some((line) => line.endsWith('-'))).to.equal(false);
  });
});
