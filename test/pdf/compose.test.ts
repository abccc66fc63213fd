import { expect } from 'chai';
import { composeAgreement } from '../../server/pdf/compose.ts';
import { TextMeasurer } from '../../server/pdf/fonts.ts';
import type { Layout, StructureElement, TextBox } from '../../server/pdf/layout-model.ts';
import { TYPOGRAPHY } from '../../server/pdf/typesetter.ts';
import { buildDocument } from '../support/documents.ts';

const measurer = new TextMeasurer();
const textBoxes = (layout: Layout, page: number) => layout.pages[page]!.boxes.filter((box): box is TextBox => box.kind === 'text');
const allTextBoxes = (layout: Layout) =>
  layout.pages.flatMap((_, index) => textBoxes(layout, index).map((box) => ({ ...box, page: index })));
const ofType = (box: TextBox, type: StructureElement['type']) => box.element?.type === type;
const bottomOf = (layout: Layout) => layout.pageSize[1] - TYPOGRAPHY.margin.bottom;

describe('layout (compose)', () => {
  it('when the demo agreement is laid out in two languages, then each article starts on the same line in every column', () => {
    const document = buildDocument();
    const layout = composeAgreement(document, measurer);
    expect(layout.pageSize[0]).to.be.lessThan(layout.pageSize[1]);
    const headings = allTextBoxes(layout).filter((box) => ofType(box, 'H2'));
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
      return textBoxes(layout, 0)
        .filter((box) => ofType(box, 'H1'))
        .sort((a, b) => a.x - b.x)[0]!.lang;
    };
    expect(leftmost('sverdlovsk')).to.equal('ru');
    expect(leftmost('gyeonggi')).to.equal('ko');
  });

  it('when a heading falls near the foot of a page, then it moves with its text to the next page', () => {
    for (const layout of [
      composeAgreement(buildDocument(), measurer),
      composeAgreement({ ...buildDocument(), layout: 'sequential' }, measurer),
    ]) {
      layout.pages.forEach((_, index) => {
        for (const heading of textBoxes(layout, index).filter((box) => ofType(box, 'H2'))) {
          const following = textBoxes(layout, index).filter((box) => box.lang === heading.lang && box.y > heading.y && !ofType(box, 'H2'));
          expect(following.length, `heading "${heading.text}" on page ${index + 1} stands alone`).to.be.at.least(1);
          expect(heading.y + TYPOGRAPHY.bodyLeading * 3).to.be.at.most(bottomOf(layout) + 0.001);
        }
      });
    }
  });

  it('when a paragraph runs over a page, then at least two of its lines stand on each page (no orphan, no widow)', () => {
    const demo = buildDocument({ languages: ['ru', 'ko', 'en'] });
    const long = (lang: 'ru' | 'ko' | 'en') => [
      {
        type: 'paragraph' as const,
        text: demo.articles
          .flatMap((article) => article.body[lang]!)
          .map((block) => (block.type === 'paragraph' ? block.text : block.items.join(' ')))
          .join(' '),
      },
    ];
    const document = { ...demo, preamble: { ru: long('ru'), ko: long('ko'), en: long('en') } };
    let split = 0;
    for (const layout of [composeAgreement(document, measurer), composeAgreement({ ...document, layout: 'sequential' }, measurer)]) {
      const pagesOf = new Map<StructureElement, number[]>();
      for (const box of allTextBoxes(layout).filter((box) => ofType(box, 'P') || ofType(box, 'LBody'))) {
        pagesOf.set(box.element!, [...(pagesOf.get(box.element!) ?? []), box.page]);
      }
      for (const pages of pagesOf.values()) {
        if (new Set(pages).size === 1) continue;
        split += 1;
        for (const page of new Set(pages)) expect(pages.filter((candidate) => candidate === page).length).to.be.at.least(2);
      }
    }
    expect(split, 'some paragraph should run over a page in these layouts').to.be.greaterThan(0);
  });

  it('when a paragraph leads into a list, then it never ends a page without the list’s first item', () => {
    let leadIns = 0;
    for (const languages of [
      ['ru', 'ko'],
      ['ru', 'ko', 'en'],
      ['ko', 'ru', 'en'],
    ] as const)
      for (const layout of ['parallel', 'sequential'] as const) {
        const composed = composeAgreement({ ...buildDocument({ languages: [...languages] }), layout }, measurer);
        const pageOf = new Map<StructureElement, number>();
        for (const box of allTextBoxes(composed)) if (box.element) pageOf.set(box.element, box.page);
        const firstPageOf = new Map<StructureElement, number>();
        for (const box of allTextBoxes(composed)) if (box.element && !firstPageOf.has(box.element)) firstPageOf.set(box.element, box.page);
        for (const text of composed.structure.slice(0, languages.length))
          text.children.forEach((element, index) => {
            const list = text.children[index + 1];
            if (element.type !== 'P' || list?.type !== 'L') return;
            leadIns += 1;
            const firstItem = list.children[0]!.children.find((part) => part.type === 'LBody')!;
            expect(firstPageOf.get(firstItem), `${languages.join('|')} ${layout}, page of the list after a lead-in`).to.equal(
              pageOf.get(element),
            );
          });
      }
    expect(leadIns).to.be.greaterThan(10);
  });

  it('when three languages are laid out in parallel, then the page turns landscape with three columns', () => {
    const layout = composeAgreement(buildDocument({ languages: ['ru', 'ko', 'en'] }), measurer);
    expect(layout.pageSize[0]).to.be.greaterThan(layout.pageSize[1]);
    const titleColumns = new Set(
      textBoxes(layout, 0)
        .filter((box) => ofType(box, 'H1'))
        .map((box) => box.lang),
    );
    expect([...titleColumns]).to.have.members(['ru', 'ko', 'en']);
  });

  for (const languages of [
    ['ru', 'ko'],
    ['ru', 'ko', 'en'],
  ] as const) {
    it(`when ${languages.join(', ')} are laid out in sequence, then each language's complete text starts a new portrait page, full width, in the original's order`, () => {
      const document = { ...buildDocument({ languages: [...languages] }, 'gyeonggi'), layout: 'sequential' as const };
      const layout = composeAgreement(document, measurer);
      const { margin } = TYPOGRAPHY;
      expect(layout.pageSize[0]).to.be.lessThan(layout.pageSize[1]);

      const titles = layout.sectionStarts.filter((start) => start.key === 'title');
      expect(titles.map((start) => start.lang)).to.deep.equal(document.languages);
      expect(document.languages[0]).to.equal('ko');
      titles.forEach((start, index) => {
        expect(start.y).to.equal(margin.top);
        if (index > 0) expect(start.page).to.be.greaterThan(titles[index - 1]!.page);
      });
      // Each text runs from its title to the page before the next text begins, and nothing else is there.
      titles.forEach((start, index) => {
        const end = titles[index + 1]?.page ?? layout.pages.length;
        const langs = new Set(
          allTextBoxes(layout)
            .filter((box) => box.page >= start.page && box.page < end && box.element && !box.element.lang)
            .map((box) => box.lang),
        );
        expect([...langs]).to.deep.equal([start.lang]);
      });
      const body = allTextBoxes(layout).filter((box) => ofType(box, 'P') && box.align === 'justify');
      // Full measure, a hanging hyphen or stop standing at most half a hyphen's width into the margin.
      for (const box of body)
        expect(box.x + box.width).to.be.within(layout.pageSize[0] - margin.right - 0.01, layout.pageSize[0] - margin.right + 2);
      expect(layout.sectionStarts.filter((start) => start.key === document.articles[0]!.key)).to.have.length(languages.length);
    });
  }

  it('when laid out in sequence, then the signature blocks follow the last text’s final clause, on its page', () => {
    const layout = composeAgreement({ ...buildDocument(), layout: 'sequential' }, measurer);
    const finalClause = layout.sectionStarts.findLast((start) => start.key === 'final-clause')!;
    const signatures = layout.sectionStarts.find((start) => start.key === 'signatures')!;
    expect(finalClause.lang).to.equal('ko');
    expect(signatures.page).to.equal(finalClause.page);
    expect(signatures.page).to.equal(layout.pages.length - 1);
    expect(layout.signatureFields.map((field) => field.page)).to.deep.equal([signatures.page, signatures.page]);
  });

  it('when laid out, then every page has its running header and "X / Y" footer, and a draft its mark', () => {
    const layout = composeAgreement(buildDocument(), measurer);
    const count = layout.pages.length;
    expect(count).to.be.greaterThan(1);
    layout.pages.forEach((_, index) => {
      const furniture = textBoxes(layout, index)
        .filter((box) => box.element === null)
        .map((box) => box.text);
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

  it('when laid out, then the structure is one section per language with its language, and each paragraph is one element however many lines', () => {
    const document = buildDocument();
    const layout = composeAgreement(document, measurer);
    const [russian, korean, signatures] = layout.structure;
    expect([russian!.type, russian!.lang, korean!.type, korean!.lang]).to.deep.equal(['Sect', 'ru-RU', 'Sect', 'ko-KR']);
    expect(russian!.children.filter((element) => element.type === 'H1')).to.have.length(1);
    expect(russian!.children.filter((element) => element.type === 'H2')).to.have.length(document.articles.length);
    const paragraphs = russian!.children.filter((element) => element.type === 'P');
    const preambleParagraphs = document.preamble.ru!.length;
    const articleParagraphs = document.articles.flatMap((article) => article.body.ru!).filter((block) => block.type === 'paragraph').length;
    const finalParagraphs = document.finalClause.ru!.length;
    expect(paragraphs).to.have.length(preambleParagraphs + articleParagraphs + finalParagraphs);

    const linesOf = (element: StructureElement) => allTextBoxes(layout).filter((box) => box.element === element);
    expect(Math.max(...paragraphs.map((paragraph) => linesOf(paragraph).length))).to.be.greaterThan(2);

    expect(signatures!.children.map((element) => element.type)).to.deep.equal(['Div', 'Div']);
    expect(signatures!.children[0]!.children.map((element) => element.lang)).to.include.members(['ru-RU', 'ko-KR']);
  });

  it('when a list is laid out, then each item is an LI whose label and body are separate elements', () => {
    const layout = composeAgreement(buildDocument(), measurer);
    const list = layout.structure[0]!.children.find((element) => element.type === 'L')!;
    const item = list.children[0]!;
    expect(item.type).to.equal('LI');
    expect(item.children.map((element) => element.type)).to.deep.equal(['Lbl', 'LBody']);
    const [label] = allTextBoxes(layout).filter((box) => box.element === item.children[0]);
    const [body] = allTextBoxes(layout).filter((box) => box.element === item.children[1]);
    expect(label!.text).to.equal('–');
    expect(body!.x - label!.x).to.equal(TYPOGRAPHY.listIndent);
  });

  describe('paragraphs aligned across the columns', () => {
    /**
     * Where each paragraph (a P, or a list item's body) of a language's text starts, in reading order:
     * [page, y]. The signature blocks' lines, each a P with its own language, are not the text.
     */
    const paragraphStarts = (layout: Layout, lang: string) => {
      const starts = new Map<StructureElement, [number, number]>();
      for (const box of allTextBoxes(layout))
        if (box.lang === lang && (ofType(box, 'P') || ofType(box, 'LBody')) && box.element!.lang === null && !starts.has(box.element!))
          starts.set(box.element!, [box.page, box.y]);
      return [...starts.values()];
    };

    it('when every language has as many recitals and paragraphs, then each starts on the same line in every column', () => {
      const document = buildDocument({ languages: ['ru', 'ko', 'en'] });
      const layout = composeAgreement(document, measurer);
      const [ru, ko, en] = (['ru', 'ko', 'en'] as const).map((lang) => paragraphStarts(layout, lang));
      expect(ru!.length).to.be.greaterThan(document.articles.length + 6);
      expect(ko).to.deep.equal(ru);
      expect(en).to.deep.equal(ru);
      // Not merely the first: the preamble's recitals, which differ most in length across the languages.
      const recitals = document.preamble.ru!.length;
      expect(new Set(ru!.slice(0, recitals).map(([page, y]) => `${page}:${y}`)).size).to.equal(recitals);
    });

    it('when the languages have different numbers of recitals, then the preamble starts together, its paragraphs run on, and the first article aligns again', () => {
      const demo = buildDocument();
      const extra = { type: 'paragraph' as const, text: 'учитывая взаимный интерес к развитию сотрудничества,' };
      const document = { ...demo, preamble: { ...demo.preamble, ru: [demo.preamble.ru![0]!, extra, ...demo.preamble.ru!.slice(1)] } };
      const layout = composeAgreement(document, measurer);
      const [ru, ko] = (['ru', 'ko'] as const).map((lang) => paragraphStarts(layout, lang));
      const recitals = demo.preamble.ko!.length;
      expect(ru![0]).to.deep.equal(ko![0]);
      // Each Korean recital follows the one before a paragraph gap below its last line: no room is kept for the Russian ones.
      const linesOf = (lang: string, index: number) => {
        const elements = [
          ...new Set(
            allTextBoxes(layout)
              .filter((box) => box.lang === lang && ofType(box, 'P'))
              .map((box) => box.element),
          ),
        ];
        return allTextBoxes(layout).filter((box) => box.element === elements[index]).length;
      };
      for (let index = 1; index < recitals; index += 1) {
        const [[page, y], [previousPage, previousY]] = [ko![index]!, ko![index - 1]!];
        if (page !== previousPage) continue;
        expect(y - previousY).to.be.closeTo(linesOf('ko', index - 1) * TYPOGRAPHY.bodyLeading + TYPOGRAPHY.paragraphGap, 0.001);
      }
      // From the first article on, the paragraphs align again.
      expect(ru!.slice(recitals + 1)).to.deep.equal(ko!.slice(recitals));
    });

    it('when one language’s paragraph is far longer than the others’, then the next paragraph of every language starts below it', () => {
      const demo = buildDocument();
      const [first, ...rest] = demo.articles[0]!.body.ru!;
      const long = { type: 'paragraph' as const, text: Array.from({ length: 4 }, () => (first as { text: string }).text).join(' ') };
      const articles = [{ ...demo.articles[0]!, body: { ...demo.articles[0]!.body, ru: [long, ...rest] } }, ...demo.articles.slice(1)];
      const layout = composeAgreement({ ...demo, articles }, measurer);
      const at = demo.preamble.ru!.length;
      const [ru, ko] = (['ru', 'ko'] as const).map((lang) => paragraphStarts(layout, lang));
      expect(ru![at + 1]).to.deep.equal(ko![at + 1]);
      const longLines = allTextBoxes(layout).filter(
        (box) => box.lang === 'ru' && ofType(box, 'P') && box.page === ru![at]![0] && box.y >= ru![at]![1],
      );
      const [page, y] = ru![at + 1]!;
      const longEnd = longLines.filter((box) => box.page === page && box.y < y).map((box) => box.y);
      if (page === ru![at]![0]) expect(y).to.be.closeTo(Math.max(...longEnd) + TYPOGRAPHY.bodyLeading + TYPOGRAPHY.paragraphGap, 0.001);
      // The Korean first paragraph, far shorter, leaves the gap below it empty in its column.
      const koreanSecondY = ko![at + 1]![1];
      const koreanFirstLines = allTextBoxes(layout).filter(
        (box) => box.lang === 'ko' && box.page === ko![at]![0] && box.y >= ko![at]![1] && box.y < koreanSecondY,
      );
      expect(koreanFirstLines.length).to.be.lessThan(longLines.length);
    });
  });
});
