import { expect } from 'chai';
import { catalogOf } from '../../server/agreements/editable-clauses.ts';
import { libraryAgreementSource } from '../../server/demo/library-agreement.ts';
import { LANGUAGES } from '../../server/text/languages.ts';
import { messageCatalogs } from '../../server/web/i18n.ts';

describe('drafting desk: the field menu names every field in the page’s language', () => {
  // Every kind, so fields only some kinds have (the earlier instrument of a protocol, the Russian party) are met.
  for (const kindName of ['letter-of-intent', 'memorandum', 'cooperation-agreement', 'twinning-agreement', 'amendment']) {
    it(`when the fields of a ${kindName} are listed, then each part of each field's name has a label in ru, ko and en`, () => {
      const at = { source: libraryAgreementSource({ kindName, languages: ['ru', 'ko', 'en'] }), today: '2018-07-20' };
      const parts = new Set([...catalogOf(at, 'ru').keys()].flatMap((ref) => ref.split('.')));
      for (const pageLang of LANGUAGES) {
        const messages = messageCatalogs().get(pageLang)!;
        expect(
          [...parts].filter((part) => !messages.has(`desk.fieldName.${part}`)),
          pageLang,
        ).to.deep.equal([]);
      }
    });
  }
});
