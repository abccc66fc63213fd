import { expect } from 'chai';
import { unzipSync } from 'fflate';
import { ApiClient, ok } from '../support/api-client.ts';
import { AKN_NAMESPACE, akomaNtosoProblems, children, first } from '../support/akoma-ntoso-subset.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { LETTER_OF_INTENT } from '../support/execute-demo.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ISO_639_2: Record<string, string> = { ru: 'rus', ko: 'kor', en: 'eng' };
const SCRIPT: Record<string, RegExp> = { ru: /\p{Script=Cyrillic}/u, ko: /\p{Script=Hangul}/u, en: /^[\p{Script=Latin}\p{P}\p{N}\s]+$/u };

describe(`the dossier's Akoma Ntoso texts, parsed back (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let files: Record<string, Uint8Array>;
  let agreement: { languages: string[]; clauses: { key: string }[]; kind: string };
  before(async () => {
    server = await startTestServer();
    const legal = await ApiClient.signIn(server.baseUrl, 'legal@sverdlovsk.example');
    agreement = ok(await legal.get(`/api/agreements/${LETTER_OF_INTENT}`));
    const dossier = await legal.get(`/api/agreements/${LETTER_OF_INTENT}/dossier`);
    expect(dossier.status).to.equal(200);
    files = unzipSync(new Uint8Array(dossier.bytes));
  });
  after(async () => server?.close());

  const text = (path: string) => Buffer.from(files[path]!).toString('utf8');

  it('when each language is parsed back, then it follows the Akoma Ntoso 3.0 content models, with an FRBR expression per language', () => {
    const statement = JSON.parse(text('statement.json'));
    const work = `/akn/int/act/${agreement.kind}/${statement.signedOn}/${LETTER_OF_INTENT}`;
    expect(agreement.languages.length).to.be.greaterThan(1);
    for (const lang of agreement.languages) {
      const { document, problems } = akomaNtosoProblems(text(`texts/${lang}.akn.xml`));
      expect(problems, lang).to.deep.equal([]);
      expect(document.namespaceURI).to.equal(AKN_NAMESPACE);
      const value = (element: string, parent: string, attribute = 'value') =>
        first(first(document, parent), element).getAttribute(attribute);

      // The work: one agreement, signed on the day of the last signature, by both parties.
      expect(value('FRBRuri', 'FRBRWork')).to.equal(work);
      expect(value('FRBRthis', 'FRBRWork')).to.equal(`${work}/!main`);
      expect(value('FRBRdate', 'FRBRWork', 'date')).to.equal(statement.signedOn);
      expect(value('FRBRdate', 'FRBRWork', 'name')).to.equal('signature');
      const authors = Array.from(first(document, 'FRBRWork').getElementsByTagNameNS(AKN_NAMESPACE, 'FRBRauthor')).map((author) =>
        author.getAttribute('href'),
      );
      expect(authors).to.deep.equal(['#sverdlovsk', '#gyeonggi']);
      // The expression: this language, authoritative (every signed language is equally authentic).
      const expression = `${work}/${ISO_639_2[lang]}@`;
      expect(value('FRBRuri', 'FRBRExpression')).to.equal(expression);
      expect(value('FRBRthis', 'FRBRExpression')).to.equal(`${expression}/!main`);
      expect(value('FRBRlanguage', 'FRBRExpression', 'language')).to.equal(ISO_639_2[lang]);
      expect(value('FRBRauthoritative', 'FRBRExpression')).to.equal('true');
      // The manifestation: this XML file of that expression.
      expect(value('FRBRuri', 'FRBRManifestation')).to.equal(`${expression}.akn`);
      expect(value('FRBRthis', 'FRBRManifestation')).to.equal(`${expression}/!main.xml`);
      // The prevailing language is named, and the equally authentic ones listed.
      const proprietary = first(document, 'proprietary');
      const [languages] = children(proprietary);
      expect(languages!.localName).to.equal('languages');
      expect(languages!.getAttribute('prevailing')).to.equal(
        statement.prevailingLanguage ? ISO_639_2[statement.prevailingLanguage] : 'none',
      );
      expect(languages!.textContent!.trim().split(' ')).to.deep.equal(agreement.languages.map((each) => ISO_639_2[each]));

      // The text: every article of the agreement, in order, in this language's script.
      const articles = children(first(document, 'body'));
      expect(articles.map((article) => article.getAttribute('eId'))).to.deep.equal(
        agreement.clauses
          .filter((clause) => !['title', 'preamble', 'final-clause'].includes(clause.key))
          .map((_, index) => `art_${index + 1}`),
      );
      for (const article of articles) {
        expect(first(article, 'p').textContent, `${lang} ${article.getAttribute('eId')}`).to.match(SCRIPT[lang]!);
      }
      expect(first(first(document, 'longTitle'), 'p').textContent).to.match(SCRIPT[lang]!);
    }
  });

  it('when an expression breaks the schema, then the check names how', () => {
    const xml = text(`texts/${agreement.languages[0]}.akn.xml`);
    const reordered = xml.replace(/(<FRBRauthoritative[^>]*\/>)(\s*)(<FRBRlanguage[^>]*\/>)/, '$3$2$1');
    expect(reordered).to.not.equal(xml);
    expect(akomaNtosoProblems(reordered).problems.join('\n')).to.include('FRBRExpression: children');
    const unnamed = xml.replace(/<article eId="art_1">/, '<article>');
    expect(akomaNtosoProblems(unnamed).problems).to.include('/akomaNtoso/act/body/article: lacks the required attribute eId');
    const foreign = xml.replace('<preface>', '<preface><summary>x</summary>');
    expect(akomaNtosoProblems(foreign).problems.join('\n')).to.include('summary is not an element');
    expect(() => akomaNtosoProblems(xml.replace('</akomaNtoso>', ''))).to.throw();
  });
});
