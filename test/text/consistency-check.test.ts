import { expect } from 'chai';
import {
  checkConsistency,
  extractArticleReferences,
  extractDates,
  extractNames,
  extractNumbers,
  glossaryOf,
} from '../../server/agreements/consistency-check.ts';
import { DEMO_PARTIES } from '../../server/demo/demo-parties.ts';
import type { AgreementDocument } from '../../server/pdf/document-model.ts';
import { clauseLibrary, findKind } from '../../server/text/clause-library.ts';
import type { Block } from '../../server/text/markup.ts';
import { buildAgreementSource, buildDocument } from '../support/documents.ts';

const paragraph = (text: string): Block => ({ type: 'paragraph', text });

/** The document with one article's text replaced in one language. */
function withArticle(document: AgreementDocument, key: string, lang: 'ru' | 'ko' | 'en', blocks: Block[]): AgreementDocument {
  return {
    ...document,
    articles: document.articles.map((article) =>
      article.key === key ? { ...article, body: { ...article.body, [lang]: blocks } } : article,
    ),
  };
}

describe('cross-language consistency check', () => {
  it('when the library renders every kind in both originals, then the languages say the same things', () => {
    for (const kindName of clauseLibrary().kinds.keys()) {
      for (const original of ['sverdlovsk', 'gyeonggi']) {
        const basedOn = findKind(kindName)!.amends ? { basedOn: { kind: findKind('letter-of-intent')!, date: '2012-06-14' } } : {};
        const source = buildAgreementSource({ kindName, languages: ['ru', 'ko', 'en'], ...basedOn });
        const document = buildDocument({ kindName, languages: ['ru', 'ko', 'en'], ...basedOn }, original);
        expect(checkConsistency(document, DEMO_PARTIES, glossaryOf(source.variables)), `${kindName} ${original}`).to.deep.equal([]);
      }
    }
  });

  it('when dates are written in each language, then they are read as the same date', () => {
    expect(extractDates('ru', 'от 14 июня 2012\u00a0г.').dates).to.deep.equal(['2012-06-14']);
    expect(extractDates('en', 'signed on 14 June 2012').dates).to.deep.equal(['2012-06-14']);
    expect(extractDates('ko', '2012년 6월 14일에 서명된').dates).to.deep.equal(['2012-06-14']);
  });

  it('when a number differs in one language, then the numbers rule names the clause, the languages and the numbers', () => {
    const document = buildDocument({ languages: ['ru', 'ko', 'en'] });
    const changed = withArticle(document, 'duration-and-termination', 'en', [
      paragraph('This Agreement shall remain in force for 5 years, notice 7 months.'),
    ]);
    const [difference, ...others] = checkConsistency(changed, DEMO_PARTIES).filter((found) => found.rule === 'numbers');
    expect(others).to.deep.equal([]);
    expect(difference).to.include({ clause: 'duration-and-termination', rule: 'numbers' });
    expect(difference!.found).to.deep.equal({ ru: ['5', '5', '6'], ko: ['5', '5', '6'], en: ['5', '7'] });
    expect(extractNumbers('ru', 'в двух экземплярах, 6 месяцев')).to.deep.equal(['2', '6']);
    expect(extractNumbers('ko', '제3자에게 각 2부씩')).to.deep.equal(['2']);
  });

  it('when a party or place is named in one language only, then the names rule reports it', () => {
    expect(extractNames('ru', 'в Российской Федерации', DEMO_PARTIES)).to.deep.equal(['country:sverdlovsk']);
    expect(extractNames('en', 'Done at Suwon by Gyeonggi Province', DEMO_PARTIES)).to.deep.equal(['party:gyeonggi', 'place:gyeonggi']);
    const document = buildDocument({ languages: ['ru', 'ko', 'en'] });
    const changed = withArticle(document, 'purpose', 'ru', [
      paragraph('Стороны развивают сотрудничество в Свердловской области.'),
      paragraph('x'),
    ]);
    expect(checkConsistency(changed, DEMO_PARTIES).map((found) => `${found.clause} ${found.rule}`)).to.include('purpose names');
  });

  it('when a list or the preamble has an item or recital fewer in one language, then the counts rules report it', () => {
    const document = buildDocument({ languages: ['ru', 'ko', 'en'] });
    const areas = document.articles.find((article) => article.key === 'areas-of-cooperation')!;
    const fewer = areas.body.ko!.map((block) => (block.type === 'list' ? { ...block, items: block.items.slice(1) } : block));
    const rules = (changed: AgreementDocument) => checkConsistency(changed, DEMO_PARTIES).map((found) => `${found.clause} ${found.rule}`);
    expect(rules(withArticle(document, 'areas-of-cooperation', 'ko', fewer))).to.include('areas-of-cooperation list-items');
    expect(rules({ ...document, preamble: { ...document.preamble, ko: document.preamble.ko!.slice(1) } })).to.include(
      'preamble paragraphs',
    );
  });

  it('when an article is referred to by another number in one language, then the article-references rule reports it', () => {
    expect(extractArticleReferences('ru', 'в соответствии со статьёй 3 и статьи 5')).to.deep.equal(['3', '5']);
    expect(extractArticleReferences('ko', '제3조 및 제5조')).to.deep.equal(['3', '5']);
    const document = buildDocument({ languages: ['ru', 'ko', 'en'] });
    const changed = withArticle(document, 'financing', 'en', [paragraph('Each Party shall bear its own costs under Article 4.')]);
    const found = checkConsistency(changed, DEMO_PARTIES).find((difference) => difference.rule === 'article-references');
    expect(found).to.include({ clause: 'financing' });
    expect(found!.found.en).to.deep.equal(['4']);
  });

  it('when a coordinator unit of the glossary is named in two languages but not the third, then the glossary rule reports it', () => {
    const source = buildAgreementSource({ languages: ['ru', 'ko', 'en'] });
    const document = buildDocument({ languages: ['ru', 'ko', 'en'] });
    const coordinators = document.articles.find((article) => article.key === 'coordinators')!;
    const renamed = coordinators.body.en!.map((block) =>
      block.type === 'list'
        ? { ...block, items: block.items.map((item) => item.replace('International Cooperation', 'International Relations')) }
        : block,
    );
    const found = checkConsistency(withArticle(document, 'coordinators', 'en', renamed), DEMO_PARTIES, glossaryOf(source.variables));
    expect(found.map((difference) => `${difference.clause} ${difference.rule}`)).to.deep.equal(['coordinators glossary']);
  });
});
