import { josa } from 'es-hangul';
import type { Party, PersonProfile } from '../parties/party.ts';
import type { AgreementDocument, PerLanguage } from '../pdf/document-model.ts';
import { renderClauseTemplate } from '../text/clause-templates.ts';
import { clauseLibrary, UNNUMBERED_CLAUSES, type AgreementKind } from '../text/clause-library.ts';
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
  /** The earlier document this one continues or amends, cited by its full title and date. */
  readonly basedOn: BasedOnSource | null;
}

/** The earlier instrument: its kind, date of signature, variables and title clause (to cite it by its full title). */
export interface BasedOnSource {
  readonly kind: AgreementKind;
  readonly date: string;
  /** Its variables (its subject, for the title); without them its kind's default subject names it. */
  readonly variables?: AgreementVariables;
  /** Its title clause per language as it was signed; a language it lacked falls back to the library's. */
  readonly titleTexts?: Partial<Record<Lang, string>>;
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

/** Non-binding instruments number paragraphs, not articles (FCDO and DFAT practice for MOUs). */
const PARAGRAPH_HEADING: Record<Lang, (number: number) => string> = {
  ru: (number) => `Пункт ${number}`,
  ko: (number) => `${number}.`,
  en: (number) => `Paragraph ${number}`,
};

/**
 * Whether the text binds the parties: the kind's, except for a protocol, which takes the nature of the
 * instrument it amends (a protocol to a letter of intent binds no more than the letter).
 */
export function isBinding(kind: AgreementKind, basedOn: { readonly kind: AgreementKind } | null): boolean {
  return kind.amends && basedOn && !basedOn.kind.amends ? basedOn.kind.binding : kind.binding;
}

/** How each language heads the numbered provisions of a text of this nature. */
export function provisionHeading(lang: Lang, binding: boolean, number: number): string {
  return (binding ? ARTICLE_HEADING : PARAGRAPH_HEADING)[lang](number);
}

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
      heading: perLanguage((lang) => provisionHeading(lang, isBinding(source.kind, source.basedOn), index + 1)),
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

/**
 * What the clause templates of one language see in one party's original: the drafting desk shows and
 * checks fields against it (server/text/editable-text.ts).
 */
export function clauseContextFor(source: AgreementSource, original: string, lang: Lang, date: string): object {
  const owner = source.parties.find((party) => party.key === original) ?? source.parties[0]!;
  const parties = [owner, ...source.parties.filter((party) => party !== owner)];
  const languages = [...source.languages].sort((a, b) => rank(a, owner) - rank(b, owner));
  return clauseContext(source, parties, languages, lang, source.variables.signingDate ?? date);
}

/** The original's party's language first; the others keep the agreement's order. */
function rank(lang: Lang, owner: Party): number {
  return lang === owner.language ? -1 : 0;
}

/** What each language's clause templates see; the clause library documents these names. */
function clauseContext(
  source: AgreementSource,
  parties: readonly Party[],
  languages: readonly Lang[],
  lang: Lang,
  signingDate: string,
): Record<string, unknown> {
  const context = instrumentContext(
    source.kind,
    source.variables,
    parties,
    languages,
    lang,
    signingDate,
    isBinding(source.kind, source.basedOn),
  );
  return { ...context, basedOn: source.basedOn && citation(source.basedOn, source.variables, parties, languages, lang) };
}

/** The earlier instrument as the clauses cite it: its full title (Russian: in the cases they need), date and defined term. */
function citation(
  base: BasedOnSource,
  variables: AgreementVariables,
  parties: readonly Party[],
  languages: readonly Lang[],
  lang: Lang,
): Record<string, unknown> {
  const baseVariables = base.variables ?? { ...variables, subject: base.kind.defaultSubject };
  const context = instrumentContext(base.kind, baseVariables, parties, languages, lang, base.date, isBinding(base.kind, null));
  const template = base.titleTexts?.[lang] ?? clauseLibrary().clauses.get('title')!.texts[lang];
  const names = base.kind.document[lang];
  const titleWith = (name: string) =>
    parseInline(renderClauseTemplate(template, { ...context, document: { ...names, name } }, 'title', lang), { clause: 'title', lang });
  const date = formatDate(lang, base.date);
  if (lang !== 'ru') return { title: titleWith(names.name), date, term: names.name };
  const ru = base.kind.document.ru;
  const bare = russianNameFromOutside;
  const term = { nom: bare(ru.nom), gen: bare(ru.gen), acc: bare(ru.acc), ins: bare(ru.ins), pre: bare(ru.pre) };
  return {
    title: titleWith(ru.name),
    titleGen: titleWith(term.gen),
    titleAcc: titleWith(term.acc),
    titleIns: titleWith(term.ins),
    date,
    term,
  };
}

/**
 * A kind's Russian form as another document names it: the kind names itself with «настоящее» /
 * «настоящего»...; without it, capitalised, the form names the instrument («Письмо о намерениях»).
 */
export function russianNameFromOutside(form: string): string {
  const bare = form.replace(/^настоящ\S+\s+/u, '');
  return bare.charAt(0).toLocaleUpperCase('ru') + bare.slice(1);
}

/** The variables of one instrument in one language, the parties in the original's order. */
function instrumentContext(
  kind: AgreementKind,
  variables: AgreementVariables,
  [first, second]: readonly Party[],
  languages: readonly Lang[],
  lang: Lang,
  signingDate: string,
  binding: boolean,
): Record<string, unknown> {
  const place = [first!, second!].find((party) => party.key === variables.placeOfSigning) ?? first!;
  const coordinator = (party: Party) => variables.coordinators[party.key]?.[lang] ?? '';
  // A Russian party's agreements follow Federal Law 4-FZ: the status sentence and state registration name it.
  const russian = [first!, second!].find((party) => party.language === 'ru');
  return {
    binding,
    russianParty: russian ? russian.names[lang] : null,
    bothTexts: languages.length === 2,
    first: first!.names[lang],
    second: second!.names[lang],
    document: kind.document[lang],
    subject: variables.subject[lang],
    areas: variables.areas.map((area) => area[lang]),
    termYears: variables.termYears,
    noticeMonths: variables.noticeMonths,
    autoRenewal: variables.autoRenewal,
    entersIntoForceOnNotifications: variables.entryIntoForce === 'notifications',
    // «г. Екатеринбурге»: the abbreviation stays with its name.
    place: place.names[lang].capital.replace(/(^|\s)г\.\s+/u, '$1г.\u00a0'),
    date: formatDate(lang, signingDate),
    authenticLanguages: languageList(lang, languages),
    prevailingLanguage: variables.prevailingLanguage ? languageName(lang, variables.prevailingLanguage) : null,
    conferenceYear: variables.conferenceYear,
    coordinators: { first: coordinator(first!), second: coordinator(second!) },
  };
}

function shortName(party: Party, lang: Lang): string {
  return party.names[lang].short;
}

/**
 * "For the Government of Sverdlovsk Region" / "За Правительство Свердловской области" / "스베르들롭스크주
 * 정부를 대표하여". A Korean party signs its Korean text with its country, "대한민국 경기도를 대표하여", as
 * Korean provinces' agreements do (shared/TREATY-CONVENTIONS.md, element 13).
 */
function signatureHeading(party: Party, lang: Lang): string {
  const names = party.names;
  if (lang === 'ru') return `За ${names.ru.acc}`;
  if (lang === 'ko') return `${josa(party.language === 'ko' ? `${names.ko.country} ${names.ko.name}` : names.ko.name, '을/를')} 대표하여`;
  return `For ${names.en.name}`;
}
