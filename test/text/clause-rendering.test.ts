import { expect } from 'chai';
import { RuleViolationError } from '../../server/errors.ts';
import { assertDrawable } from '../../server/pdf/render-pdf.ts';
import { clauseLibrary } from '../../server/text/clause-library.ts';
import { renderClauseTemplate } from '../../server/text/clause-templates.ts';
import { formatDate } from '../../server/text/languages.ts';
import { parseBlocks } from '../../server/text/markup.ts';
import { buildDocument } from '../support/documents.ts';

function refusal(run: () => unknown): RuleViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof RuleViolationError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('clause text', () => {
  it('when every kind is rendered in every language, then each is complete and non-binding kinds never say "shall"', () => {
    for (const kindName of clauseLibrary().kinds.keys()) {
      const document = buildDocument({ kindName, languages: ['ru', 'ko', 'en'] });
      for (const lang of ['ru', 'ko', 'en'] as const) {
        expect(document.title[lang], `${kindName} ${lang}`).to.be.a('string').and.not.empty;
        expect(document.preamble[lang], `${kindName} ${lang}`).to.not.be.empty;
        expect(document.finalClause[lang], `${kindName} ${lang}`).to.not.be.empty;
        for (const article of document.articles) expect(article.body[lang], `${kindName} ${article.key} ${lang}`).to.not.be.empty;
      }
      const english = JSON.stringify([document.preamble.en, document.articles.map((article) => article.body.en)]);
      if (clauseLibrary().kinds.get(kindName)!.binding) expect(english).to.include('shall');
      else expect(english, kindName).to.not.match(/\bshall\b/);
    }
  });

  it('when the signature blocks are written, then each language names the party as the conventions do (element 13)', () => {
    const headings = (original: string) =>
      buildDocument({ languages: ['ru', 'ko', 'en'] }, original).signatureBlocks.map((block) => [
        block.heading.ru,
        block.heading.ko,
        block.heading.en,
      ]);
    expect(headings('sverdlovsk')).to.deep.equal([
      ['За Правительство Свердловской области', '스베르들롭스크주 정부를 대표하여', 'For the Government of Sverdlovsk Region'],
      ['За провинцию Кёнгидо', '대한민국 경기도를 대표하여', 'For Gyeonggi Province'],
    ]);
    expect(headings('gyeonggi')).to.deep.equal([...headings('sverdlovsk')].reverse());
  });

  it('when the date is printed, then each language writes it its own way', () => {
    expect(formatDate('ru', '2018-07-20')).to.equal('20 июля 2018\u00a0г.');
    expect(formatDate('ko', '2018-07-20')).to.equal('2018년 7월 20일');
    expect(formatDate('en', '2018-07-20')).to.equal('20 July 2018');
  });

  it('when a clause holds no-break spaces, then they stay, so the line breaker keeps "2018 г." together', () => {
    expect(parseBlocks('<p> Совершено\n  20 июля 2018\u00a0г. (ст.\u00a05) </p>', { clause: 'c', lang: 'ru' })).to.deep.equal([
      { type: 'paragraph', text: 'Совершено 20 июля 2018\u00a0г. (ст.\u00a05)' },
    ]);
    const finalClause = JSON.stringify(buildDocument().finalClause.ru);
    expect(finalClause).to.include('2018\u00a0г.');
  });

  it('when a template names an unknown variable, then the refusal names the clause, the language and the variable', () => {
    const error = refusal(() => renderClauseTemplate('<p>{{first.nickname}}</p>', { first: {} }, 'purpose', 'en'));
    expect(error.detail).to.equal('clause "purpose" (en): unknown variable "nickname"');
  });

  it('when a template tries to reach the prototype or a partial, then it renders nothing dangerous or is refused', () => {
    expect(renderClauseTemplate('{{#with this}}{{constructor.name}}{{/with}}', { constructor: { name: 'safe' } }, 'x', 'en')).to.equal(
      'safe',
    );
    expect(() => renderClauseTemplate('{{constructor.constructor "return process"}}', {}, 'x', 'en')).to.throw(RuleViolationError);
    expect(() => renderClauseTemplate('{{> ../../etc/passwd}}', {}, 'x', 'en')).to.throw(RuleViolationError, /partials/);
    expect(() => renderClauseTemplate('{{lookup this "constructor"}}', {}, 'x', 'en')).to.throw(
      RuleViolationError,
      /"lookup" is not allowed/,
    );
  });

  it('when the markup has a tag outside the subset, then it is refused; entities are decoded', () => {
    expect(parseBlocks('<p>A &amp; B</p><ul><li>one</li></ul>', { clause: 'c', lang: 'en' })).to.deep.equal([
      { type: 'paragraph', text: 'A & B' },
      { type: 'list', ordered: false, items: ['one'] },
    ]);
    expect(refusal(() => parseBlocks('<p>x<script>1</script></p>', { clause: 'c', lang: 'en' })).detail).to.include('<script>');
    expect(refusal(() => parseBlocks('<table></table>', { clause: 'c', lang: 'ru' })).detail).to.include('clause "c" (ru)');
  });

  it('when a character no font can draw is in the text, then it is refused with the character, clause and language', () => {
    const document = buildDocument();
    const article = document.articles[1]!;
    const broken = {
      ...document,
      articles: [{ ...article, body: { ...article.body, ko: [{ type: 'paragraph' as const, text: '협력 \u{1F91D}' }] } }],
    };
    const error = refusal(() => assertDrawable(broken));
    expect(error.extensions).to.deep.include({ clause: article.key, lang: 'ko', codePoint: 'U+1F91D' });
  });
});
