import { expect } from 'chai';
import { composeAgreement, TYPOGRAPHY, type Layout, type TextBox } from '../../server/pdf/compose.ts';
import { TextMeasurer } from '../../server/pdf/fonts.ts';
import { buildDocument } from '../support/documents.ts';

const measurer = new TextMeasurer();
const textBoxes = (layout: Layout, page: number) => layout.pages[page]!.boxes.filter((box): box is TextBox => box.kind === 'text');

describe('layout (compose)', () => {
  it('when the demo agreement is laid out in two languages, then each article starts on the same line in every column', () => {
    const document = buildDocument();
    const layout = composeAgreement(document, measurer);
    expect(layout.pageSize[0]).to.be.lessThan(layout.pageSize[1]);
    const headings = layout.pages.flatMap((page, index) =>
      page.boxes.filter((box): box is TextBox => box.kind === 'text' && box.role === 'heading').map((box) => ({ ...box, page: index })),
    );
    expect(headings).to.have.length(document.articles.length * 2);
    for (let index = 0; index < document.articles.length; index += 1) {
      const [russian, korean] = [headings[index * 2]!, headings[index * 2 + 1]!];
      expect(russian.text).to.equal(`Статья ${index + 1}`);
      expect(korean.text).to.equal(`제${index + 1}조`);
      expect([korean.page, korean.y]).to.deep.equal([russian.page, russian.y]);
    }
  });

  it('when an original is laid out, then its party’s language is the left column', () => {
    const leftmost = (original: string) => {
      const layout = composeAgreement(buildDocument({}, original), measurer);
      return textBoxes(layout, 0).filter((box) => box.role === 'title').sort((a, b) => a.x - b.x)[0]!.lang;
    };
    expect(leftmost('sverdlovsk')).to.equal('ru');
    expect(leftmost('gyeonggi')).to.equal('ko');
  });

  it('when a heading falls near the foot of a page, then it moves with its text to the next page', () => {
    const layout = composeAgreement(buildDocument(), measurer);
    const bottom = layout.pageSize[1] - TYPOGRAPHY.margin.bottom;
    layout.pages.forEach((page, index) => {
      for (const heading of page.boxes.filter((box): box is TextBox => box.kind === 'text' && box.role === 'heading')) {
        const following = textBoxes(layout, index).filter((box) => box.lang === heading.lang && box.y > heading.y && box.role === 'paragraph');
        expect(following.length, `heading "${heading.text}" on page ${index + 1} stands alone`).to.be.at.least(1);
        expect(heading.y + TYPOGRAPHY.bodyLeading * 3).to.be.at.most(bottom + 0.001);
      }
    });
  });

  it('when three languages are laid out, then the page turns landscape with three columns', () => {
    const layout = composeAgreement(buildDocument({ languages: ['ru', 'ko', 'en'] }), measurer);
    expect(layout.pageSize[0]).to.be.greaterThan(layout.pageSize[1]);
    const titleColumns = new Set(textBoxes(layout, 0).filter((box) => box.role === 'title').map((box) => box.lang));
    expect([...titleColumns]).to.have.members(['ru', 'ko', 'en']);
  });

  it('when laid out, then every page has its running header and "X / Y" footer, and a draft its mark', () => {
    const layout = composeAgreement(buildDocument(), measurer);
    const count = layout.pages.length;
    expect(count).to.be.greaterThan(1);
    layout.pages.forEach((_, index) => {
      const furniture = textBoxes(layout, index).filter((box) => box.role === 'artifact').map((box) => box.text);
      expect(furniture).to.include(`${index + 1} / ${count}`);
      expect(furniture.some((text) => text.includes('Соглашение') && text.includes('협정'))).to.equal(true);
    });
    expect(layout.watermark).to.match(/^DRAFT .* v1 · 2018-07-20$/);
  });

  it('when laid out, then both signature fields lie on the last page, the original’s party on the left', () => {
    const layout = composeAgreement(buildDocument({}, 'gyeonggi'), measurer);
    const [left, right] = layout.signatureFields;
    expect(left!.party).to.equal('gyeonggi');
    expect(right!.party).to.equal('sverdlovsk');
    expect(left!.page).to.equal(layout.pages.length - 1);
    expect(right!.page).to.equal(left!.page);
    expect(left!.x).to.be.lessThan(right!.x);
    expect(left!.y).to.equal(right!.y);
  });

  it('when a column holds a word wider than itself, then the word is broken between characters and nothing is lost', () => {
    const word = 'Ы'.repeat(120);
    const document = buildDocument();
    const layout = composeAgreement(
      { ...document, preamble: { ...document.preamble, ru: [{ type: 'paragraph', text: word }] } },
      measurer,
    );
    const pieces = textBoxes(layout, 0).filter((box) => box.lang === 'ru' && box.role === 'paragraph' && /^Ы+$/.test(box.text));
    expect(pieces.length).to.be.greaterThan(1);
    expect(pieces.map((box) => box.text).join('')).to.equal(word);
  });
});
