import { expect } from 'chai';
import { buildAgreementDocument } from '../../server/agreements/agreement-document.ts';
import { contextOf, editableTextOf, storedTemplateOf, type ClauseTextContext } from '../../server/agreements/editable-clauses.ts';
import { RuleViolationError } from '../../server/errors.ts';
import { clauseLibrary, findKind } from '../../server/text/clause-library.ts';
import {
  canonicalEditable,
  editableToTemplate,
  fieldCatalog,
  parseEditable,
  serializeEditable as serialize,
  templateToEditable,
} from '../../server/text/editable-text.ts';
import { buildAgreementSource } from '../support/documents.ts';

const LANGS = ['ru', 'ko', 'en'] as const;

function refusal(run: () => unknown): RuleViolationError {
  try {
    run();
  } catch (error) {
    if (error instanceof RuleViolationError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the editable clause format', () => {
  it('when every clause of every kind is made editable and stored again, then both originals print exactly the same text', () => {
    for (const kindName of clauseLibrary().kinds.keys()) {
      const citation = { kind: findKind('letter-of-intent')!, date: '2012-06-14' };
      // An amending protocol always names what it amends.
      for (const basedOn of kindName === 'amendment' ? [citation] : [null, citation]) {
        const source = buildAgreementSource({ kindName, languages: LANGS, basedOn });
        const at: ClauseTextContext = { source, today: '2018-07-20' };
        const roundTripped = {
          ...source,
          clauses: source.clauses.map((clause) => ({
            key: clause.key,
            texts: Object.fromEntries(
              LANGS.map((lang) => [lang, storedTemplateOf(at, clause.key, lang, editableTextOf(at, clause.key, lang))]),
            ),
          })),
        };
        for (const original of ['sverdlovsk', 'gyeonggi']) {
          const options = { original, date: '2018-07-20', final: false };
          expect(buildAgreementDocument(roundTripped, options), `${kindName} ${original} basedOn=${Boolean(basedOn)}`).to.deep.equal(
            buildAgreementDocument(source, options),
          );
        }
        for (const clause of source.clauses) {
          for (const lang of LANGS) {
            const text = editableTextOf(at, clause.key, lang);
            expect(text, `${kindName} ${clause.key} ${lang}`).to.not.include('{{').and.not.include('}}');
            // The editable text of the stored text is the text written: a round trip changes nothing.
            const stored = storedTemplateOf(at, clause.key, lang, text);
            const again = templateToEditable(stored, contextOf(at, lang), { clause: clause.key, lang });
            expect(serialize(again)).to.equal(text);
            expect(canonicalEditable(text, { clause: clause.key, lang })).to.equal(text);
          }
        }
      }
    }
  });

  it('when a binding kind is shown, then only the binding wording is there, and parties, particles and lists are fields', () => {
    const at: ClauseTextContext = {
      source: buildAgreementSource({ kindName: 'cooperation-agreement', languages: LANGS }),
      today: '2018-07-20',
    };
    expect(editableTextOf(at, 'preamble', 'ru')).to.include('<p><field ref="first.nom" capitalize/> (<field ref="first.country"/>) и');
    expect(editableTextOf(at, 'preamble', 'ru'))
      .to.include('договорились о нижеследующем')
      .and.not.include('пришли к следующему');
    expect(editableTextOf(at, 'preamble', 'ko')).to.include('<field ref="first.name" josa="와/과"/>');
    expect(editableTextOf(at, 'areas-of-cooperation', 'ru')).to.include('<ul>\n<field ref="areas" list sep=";" end="."/>\n</ul>');
    expect(editableTextOf(at, 'title', 'en')).to.match(/^<field ref="document.name"\/> between/);
  });

  it('when a helper the format has no name for is called over the data, then it is a field with its call, and stored again as that call', () => {
    const doc = templateToEditable(
      '<p>For {{numeral termYears "year" case="gen"}} and {{capitalize (josa first.name "와/과")}}.</p>',
      {},
      {
        clause: 'x',
        lang: 'en',
      },
    );
    expect(serialize(doc)).to.equal(
      '<p>For <field ref="termYears" expr="numeral termYears &quot;year&quot; case=&quot;gen&quot;"/> and <field expr="capitalize (josa first.name &quot;와/과&quot;)"/>.</p>',
    );
    expect(editableToTemplate(parseEditable(serialize(doc), { clause: 'x', lang: 'en' }))).to.equal(
      '<p>For {{numeral termYears "year" case="gen"}} and {{capitalize (josa first.name "와/과")}}.</p>',
    );
  });

  it('when a text is outside the format or names what the agreement has not, then it is refused naming the clause, language and what', () => {
    const at: ClauseTextContext = { source: buildAgreementSource({ languages: LANGS }), today: '2018-07-20' };
    const origin = { clause: 'purpose', lang: 'en' } as const;
    expect(refusal(() => parseEditable('<p>a <b>b</b></p>', origin)).message).to.match(/^clause "purpose" \(en\): <b> inside text/);
    expect(refusal(() => parseEditable('<p>{{termYears}}</p>', origin)).message).to.include('braces');
    expect(refusal(() => parseEditable('<p><field/></p>', origin)).message).to.include('needs ref');
    expect(refusal(() => parseEditable('<p><field ref="x" onclick="y"/></p>', origin)).message).to.include('no attribute "onclick"');
    const unknown = refusal(() => storedTemplateOf(at, 'purpose', 'en', '<p>Paid by <field ref="treasurer.name"/>.</p>'));
    expect(unknown.message).to.equal('clause "purpose" (en): unknown field "treasurer.name"');
    expect(unknown.extensions).to.include({ clause: 'purpose', lang: 'en', field: 'treasurer.name' });
    expect(refusal(() => storedTemplateOf(at, 'purpose', 'en', '<p><field ref="areas"/></p>')).message).to.include('is a list');
  });

  it('when the catalog is read, then it lists values and lists, never the booleans that choose wording', () => {
    const catalog = fieldCatalog({
      binding: true,
      first: { gen: 'Свердловской области' },
      areas: ['a', 'b'],
      termYears: 5,
      prevailingLanguage: null,
    });
    expect([...catalog.keys()]).to.deep.equal(['first.gen', 'areas', 'termYears']);
    expect(catalog.get('areas')).to.deep.equal({ kind: 'list', value: 'a; b' });
  });
});
