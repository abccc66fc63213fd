import { josa } from 'es-hangul';
import type { Party, PersonProfile } from '../parties/party.ts';
import type { AgreementDocument, PerLanguage } from '../pdf/document-model.ts';
import { renderClauseTemplate } from '../text/clause-templates.ts';
import { UNNUMBERED_CLAUSES, type AgreementKind } from '../text/clause-library.ts';
import { formatDate, languageList, languageName, LOCALE, type Lang } from '../text/languages.ts';
import { parseBlocks, parseInline, type Block } from '../text/markup.ts';
import type { AgreementVariables } from './agreement-variables.ts';

/** One clause's template text per language, as the renderer reads it. */
export interface ClauseSource {
  readonly key: string;
  readonly texts: Partial<Record<Lang, string>>;
}

/** Everything an agreement's text is made from, loaded by the caller. */
export interface AgreementSource {
  readonly id: number;
  readonly version: number;
  readonly kind: AgreementKind;
  readonly languages: readonly Lang[];
  readonly variables: AgreementVariables;
  /** In agreement order. */
  readonly parties: readonly Party[];
  readonly clauses: readonly ClauseSource[];
  /** Each party's signatory, by party key, when it has one. */
  readonly signatories: ReadonlyMap<string, PersonProfile>;
  /** The earlier document this one continues, cited in the preamble. */
  readonly basedOn: { readonly kind: AgreementKind; readonly date: string } | null;
}

export interface RenderOptions {
  /** Whose original: that party is named first, its language leads, it signs on the left. */
  readonly original: string;
  /** The date printed as the date of signature (YYYY-MM-DD) when the agreement has none planned. */
  readonly date: string;
  /** Draft or final: a draft carries the DRAFT mark. */
  readonly final: boolean;
}

const ARTICLE_HEADING: Record<Lang, (number: number) => string> = {
  ru: (number) => `Статья ${number}`,
  ko: (number) => `제${number}조`,
  en: (number) => `Article ${number}`,
};

/**
 * Pure: renders every clause in every language for one original and assembles the document model
 * that both the PDF and the HTML preview are made from.
 */
export function buildAgreementDocument(source: AgreementSource, options: RenderOptions): AgreementDocument {
  const owner = source.parties.find((party) => party.key === options.original);
  if (!owner) throw new Error(`party ${options.original} is not a party to agreement ${source.id}`);
  const parties = [owner, ...source.parties.filter((party) => party !== owner)];
  const languages = [...source.languages].sort((a, b) => rank(a, owner) - rank(b, owner));
  const signingDate = source.variables.signingDate ?? options.date;

  const rendered = new Map<Lang, Map<string, string>>();
  for (const lang of languages) {
    const context = clauseContext(source, parties, languages, lang, signingDate);
    rendered.set(
      lang,
      new Map(source.clauses.map((clause) => [clause.key, renderClauseTemplate(clause.texts[lang] ?? '', context, clause.key, lang)])),
    );
  }
  const perLanguage = <T>(make: (lang: Lang) => T): PerLanguage<T> => Object.fromEntries(languages.map((lang) => [lang, make(lang)]));
  const blocksOf = (key: string): PerLanguage<readonly Block[]> =>
    perLanguage((lang) => (rendered.get(lang)!.has(key) ? parseBlocks(rendered.get(lang)!.get(key)!, { clause: key, lang }) : []));

  const title = perLanguage((lang) => parseInline(rendered.get(lang)!.get('title') ?? '', { clause: 'title', lang }));
  const articles = source.clauses
    .filter((clause) => !UNNUMBERED_CLAUSES.has(clause.key))
    .map((clause, index) => ({
      key: clause.key,
      heading: perLanguage((lang) => ARTICLE_HEADING[lang](index + 1)),
      body: blocksOf(clause.key),
    }));

  return {
    languages,
    layout: source.variables.layout,
    title,
    shortTitle: perLanguage((lang) => `${source.kind.title[lang]} · ${parties.map((party) => shortName(party, lang)).join(' – ')}`),
    preamble: blocksOf('preamble'),
    articles,
    finalClause: blocksOf('final-clause'),
    signatureBlocks: parties.map((party) => {
      const signatory = source.signatories.get(party.key);
      return {
        party: party.key,
        heading: perLanguage((lang) => signatureHeading(party, lang)),
        signatoryName: perLanguage((lang) => signatory?.name[lang] ?? ''),
        signatoryTitle: perLanguage((lang) => signatory?.title[lang] ?? ''),
      };
    }),
    appendix: null,
    draft: options.final ? null : { version: source.version, date: options.date },
    metadata: {
      title: languages.map((lang) => title[lang]).join(' / '),
      subject: source.kind.title.en,
      lang: LOCALE[languages[0]!],
      // Noon UTC of the signing date: derived from the content, so re-rendering gives the same bytes.
      creationDate: new Date(`${signingDate}T12:00:00Z`),
      // A final original is named by its text alone, so its bytes can be rendered again from the stored text.
      keywords: `bilateral agreement ${source.id} ${options.final ? 'final' : `draft v${source.version}`} original:${owner.key}`,
    },
  };
}

/** The original's party's language first; the others keep the agreement's order. */
function rank(lang: Lang, owner: Party): number {
  return lang === owner.language ? -1 : 0;
}

/** What each language's clause templates see; the clause library documents these names. */
function clauseContext(
  source: AgreementSource,
  [first, second]: readonly Party[],
  languages: readonly Lang[],
  lang: Lang,
  signingDate: string,
): object {
  const { variables, kind } = source;
  const place = source.parties.find((party) => party.key === variables.placeOfSigning) ?? first!;
  const coordinator = (party: Party) => variables.coordinators[party.key]?.[lang] ?? '';
  return {
    binding: kind.binding,
    first: first!.names[lang],
    second: second!.names[lang],
    document: kind.document[lang],
    subject: variables.subject[lang],
    areas: variables.areas.map((area) => area[lang]),
    termYears: variables.termYears,
    noticeMonths: variables.noticeMonths,
    autoRenewal: variables.autoRenewal,
    entersIntoForceOnNotifications: variables.entryIntoForce === 'notifications',
    place: place.names[lang].capital,
    date: formatDate(lang, signingDate),
    authenticLanguages: languageList(lang, languages),
    prevailingLanguage: variables.prevailingLanguage ? languageName(lang, variables.prevailingLanguage) : null,
    basedOn: source.basedOn && { title: source.basedOn.kind.title[lang], date: formatDate(lang, source.basedOn.date) },
    conferenceYear: variables.conferenceYear,
    coordinators: { first: coordinator(first!), second: coordinator(second!) },
  };
}

function shortName(party: Party, lang: Lang): string {
  return party.names[lang].short;
}

/** "For the Government of Sverdlovsk Region" / "За Правительство Свердловской области" / "스베르들롭스크주 정부를 대표하여". */
function signatureHeading(party: Party, lang: Lang): string {
  const names = party.names;
  if (lang === 'ru') return `За ${names.ru.acc}`;
  if (lang === 'ko') return `${josa(names.ko.name, '을/를')} 대표하여`;
  return `For ${names.en.name}`;
}
