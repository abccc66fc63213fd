import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { AgreementDocument } from '../pdf/document-model.ts';
import type { Lang } from '../text/languages.ts';
import type { Block } from '../text/markup.ts';

/** The OASIS LegalDocML (Akoma Ntoso 3.0) namespace. */
export const AKN_NAMESPACE = 'http://docs.oasis-open.org/legaldocml/ns/akn/3.0';
/** Where what Akoma Ntoso has no element for (the prevailing language) is said, inside <proprietary>. */
export const BILATERAL_NAMESPACE = 'urn:bilateral:akn';

/** ISO 639-2 codes, as Akoma Ntoso's FRBR URIs and FRBRlanguage write languages. */
export const ISO_639_2: Record<Lang, string> = { ru: 'rus', ko: 'kor', en: 'eng' };

export interface AkomaNtosoOptions {
  readonly agreementId: number;
  readonly kind: string;
  /** The day of signature (YYYY-MM-DD): the work's date. */
  readonly signedOn: string;
  readonly parties: readonly { readonly key: string; readonly name: string }[];
  /** The language whose text prevails in case of divergence, if any. */
  readonly prevailing: Lang | null;
  /** The day this manifestation is generated. */
  readonly generatedOn: string;
}

/**
 * Pure: one language's text of an agreement as an Akoma Ntoso 3.0 document, an FRBR expression of
 * the agreement (the work): every language a party signed is equally authentic, so each expression is
 * marked authoritative, and the prevailing one is named. The text is the one the originals print.
 */
export function akomaNtoso(document: AgreementDocument, lang: Lang, options: AkomaNtosoOptions): string {
  const work = `/akn/int/act/${options.kind}/${options.signedOn}/${options.agreementId}`;
  const expression = `${work}/${ISO_639_2[lang]}@`;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(AKN_NAMESPACE, 'akomaNtoso');
  const act = root.ele('act', { name: options.kind });
  const meta = act.ele('meta');
  const identification = meta.ele('identification', { source: '#bilateral' });
  const frbr = (parent: XMLBuilder, name: string, that: string, uri: string, date: { date: string; name: string }, authors: string[]) => {
    const element = parent.ele(name);
    element.ele('FRBRthis', { value: that });
    element.ele('FRBRuri', { value: uri });
    element.ele('FRBRdate', date);
    for (const author of authors) element.ele('FRBRauthor', { href: `#${author}` });
    return element;
  };
  const partyKeys = options.parties.map((party) => party.key);
  const signature = { date: options.signedOn, name: 'signature' };
  frbr(identification, 'FRBRWork', `${work}/!main`, work, signature, partyKeys).ele('FRBRcountry', { value: 'int' });
  const expressionElement = frbr(identification, 'FRBRExpression', `${expression}/!main`, expression, signature, partyKeys);
  expressionElement.ele('FRBRauthoritative', { value: 'true' });
  expressionElement.ele('FRBRlanguage', { language: ISO_639_2[lang] });
  frbr(
    identification,
    'FRBRManifestation',
    `${expression}/!main.xml`,
    `${expression}.akn`,
    { date: options.generatedOn, name: 'generation' },
    ['bilateral'],
  );
  const references = meta.ele('references', { source: '#bilateral' });
  for (const party of options.parties) {
    references.ele('TLCOrganization', { eId: party.key, href: `/ontology/organization/${party.key}`, showAs: party.name });
  }
  references.ele('TLCOrganization', { eId: 'bilateral', href: '/ontology/organization/bilateral', showAs: 'Bilateral' });
  meta
    .ele('proprietary', { source: '#bilateral' })
    .ele(BILATERAL_NAMESPACE, 'languages', { prevailing: options.prevailing ? ISO_639_2[options.prevailing] : 'none' })
    .ele(BILATERAL_NAMESPACE, 'equallyAuthentic')
    .txt(document.languages.map((each) => ISO_639_2[each]).join(' '));

  act
    .ele('preface')
    .ele('longTitle')
    .ele('p')
    .txt(document.title[lang] ?? '');
  blocks(act.ele('preamble'), document.preamble[lang], 'preamble');
  const body = act.ele('body');
  document.articles.forEach((article, index) => {
    const eId = `art_${index + 1}`;
    const element = body.ele('article', { eId });
    element.ele('num').txt(article.heading[lang] ?? '');
    (article.body[lang] ?? []).forEach((block, paragraph) => {
      blocks(element.ele('paragraph', { eId: `${eId}__para_${paragraph + 1}` }).ele('content'), [block], `${eId}__para_${paragraph + 1}`);
    });
  });
  blocks(act.ele('conclusions'), document.finalClause[lang], 'conclusions');
  return root.end({ prettyPrint: true });
}

function blocks(parent: XMLBuilder, content: readonly Block[] | undefined, eId: string): void {
  (content ?? []).forEach((block, index) => {
    if (block.type === 'paragraph') parent.ele('p').txt(block.text);
    else {
      const list = parent.ele('blockList', { eId: `${eId}__list_${index + 1}` });
      block.items.forEach((item, itemIndex) => {
        list
          .ele('item', { eId: `${eId}__list_${index + 1}__item_${itemIndex + 1}` })
          .ele('p')
          .txt(item);
      });
    }
  });
}
