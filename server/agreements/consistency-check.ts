import { createHash } from 'node:crypto';
import type { Party } from '../parties/party.ts';
import type { AgreementDocument } from '../pdf/document-model.ts';
import type { Lang } from '../text/languages.ts';
import type { Block } from '../text/markup.ts';

/**
 * Pure: whether the equally authentic texts of each clause say the same things, computed from the
 * rendered texts of one original (the check does not depend on which: both render the same clauses).
 * Each rule compares what it extracts from every language and reports a difference naming the clause,
 * the rule and what each language says:
 *
 * - `numbers`: the numbers of the clause, dates read as dates («14 июня 2012 г.» = "14 June 2012" =
 *   "2012년 6월 14일"), compared as multisets;
 * - `names`: which party, country and place names appear (any spelling a party's names give);
 * - `list-items` and `paragraphs`: how many list items and paragraphs (the preamble's recitals);
 * - `article-references`: the articles referred to ("Article 3" / «статья 3» / "제3조");
 * - `glossary`: each term of the agreement's glossary appears in every language or in none.
 */
export const CONSISTENCY_RULES = ['numbers', 'names', 'list-items', 'paragraphs', 'article-references', 'glossary'] as const;
export type ConsistencyRule = (typeof CONSISTENCY_RULES)[number];

export interface ConsistencyDifference {
  readonly clause: string;
  readonly rule: ConsistencyRule;
  /** What each language says, e.g. { ru: ['5', '6'], en: ['5', '7'] }. */
  readonly found: Partial<Record<Lang, readonly string[]>>;
  readonly detail: string;
  /**
   * SHA-256 of the clause, the rule, what each language says and the clause's rendered texts: a
   * party's mark that the difference is intended holds for this fingerprint, so any change to the
   * clause's text makes the difference new again.
   */
  readonly fingerprint: string;
}

/** One term the agreement uses, in each language (a coordinator unit, a party's name...). */
export type GlossaryTerm = Partial<Record<Lang, string>>;

const MONTHS: Record<Lang, readonly string[]> = {
  ru: ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  ko: [],
};

/** The dates of a text as YYYY-MM-DD, and the text with them taken out. */
export function extractDates(lang: Lang, text: string): { dates: string[]; rest: string } {
  const dates: string[] = [];
  const iso = (year: string, month: number, day: string) => `${year}-${String(month).padStart(2, '0')}-${day.padStart(2, '0')}`;
  let rest = text;
  if (lang === 'ko') {
    rest = rest.replace(/(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일/gu, (_, year: string, month: string, day: string) => {
      dates.push(iso(year, Number(month), day));
      return ' ';
    });
  } else {
    const names = MONTHS[lang].join('|');
    rest = rest.replace(
      new RegExp(`(\\d{1,2})[\\s\\u00a0]+(${names})[\\s\\u00a0]+(\\d{4})`, 'gu'),
      (_, day: string, month: string, year: string) => {
        dates.push(iso(year, MONTHS[lang].indexOf(month) + 1, day));
        return ' ';
      },
    );
  }
  return { dates, rest };
}

/** The counts written in words that Korean writes in digits ("in two originals" / «в двух экземплярах» / "2부"). */
const COUNTS_IN_WORDS: Record<Lang, { readonly pattern: RegExp; readonly values: Record<string, string> }> = {
  en: { pattern: /\b(two|three) originals\b/gu, values: { two: '2', three: '3' } },
  ru: { pattern: /(двух|трёх) экземплярах/gu, values: { двух: '2', трёх: '3' } },
  ko: { pattern: /$^/gu, values: {} },
};

/** Every number of a text: its dates as dates, then the other numbers as written (digits). */
export function extractNumbers(lang: Lang, text: string): string[] {
  const words = COUNTS_IN_WORDS[lang];
  const counted = [...text.matchAll(words.pattern)].map((match) => words.values[match[1]!]!);
  // 제3자 is a word ("third party", «третьи лица»), not a number.
  const { dates, rest } = extractDates(lang, lang === 'ko' ? text.replaceAll('제3자', '') : text);
  // Article references are compared by their own rule.
  const numbers = withoutArticleReferences(lang, rest).match(/\d+(?:[.,]\d+)?/gu) ?? [];
  return [...dates, ...numbers, ...counted].sort();
}

const ARTICLE_REFERENCE: Record<Lang, RegExp> = {
  ru: /стать(?:ями|ям|ях|ёй|ей|я|и|е|ю)[\s\u00a0]+(\d+)/giu,
  ko: /제(\d+)조/gu,
  en: /Articles?[\s\u00a0]+(\d+)/gu,
};

function withoutArticleReferences(lang: Lang, text: string): string {
  return text.replace(ARTICLE_REFERENCE[lang], ' ');
}

/** The articles a text refers to, by number. */
export function extractArticleReferences(lang: Lang, text: string): string[] {
  return [...text.matchAll(ARTICLE_REFERENCE[lang])].map((match) => match[1]!).sort();
}

/** Which of the parties' names (a party, its country, its capital) a text names, whatever the spelling. */
export function extractNames(lang: Lang, text: string, parties: readonly Party[]): string[] {
  const found: string[] = [];
  for (const party of parties) {
    const names = party.names[lang] as Record<string, string>;
    const spellings = (fields: readonly string[]) => fields.map((field) => names[field]).filter((value): value is string => !!value);
    const partyForms = lang === 'ru' ? spellings(['nom', 'gen', 'dat', 'acc', 'ins', 'short']) : spellings(['name', 'short']);
    if (partyForms.some((form) => (lang === 'ru' ? inAnyCase(form).test(text) : text.includes(form)))) found.push(`party:${party.key}`);
    if (spellings(['country']).some((form) => (lang === 'ru' ? inAnyCase(form).test(text) : text.includes(form)))) {
      found.push(`country:${party.key}`);
    }
    const capital = names.capital?.replace(/^г\.\s*/u, '').slice(0, 6);
    if (capital && text.includes(capital)) found.push(`place:${party.key}`);
  }
  return found.sort();
}

/** «Российская Федерация» in any case («в Российской Федерации»): each word by its stem. */
function inAnyCase(name: string): RegExp {
  const stems = name.split(/\s+/u).map((word) => word.slice(0, Math.max(3, word.length - 2)).replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'));
  return new RegExp(stems.map((stem) => `${stem}\\p{L}*`).join('[\\s\\u00a0]+'), 'u');
}

function blocksText(blocks: readonly Block[]): string {
  return blocks.map((block) => (block.type === 'paragraph' ? block.text : block.items.join('\n'))).join('\n');
}

function listItems(blocks: readonly Block[]): number {
  return blocks.reduce((count, block) => count + (block.type === 'list' ? block.items.length : 0), 0);
}

function paragraphs(blocks: readonly Block[]): number {
  return blocks.filter((block) => block.type === 'paragraph').length;
}

/** The clauses of a document with their blocks per language. */
function clausesOf(document: AgreementDocument): { key: string; blocks: Partial<Record<Lang, readonly Block[]>> }[] {
  const title = Object.fromEntries(document.languages.map((lang) => [lang, [{ type: 'paragraph', text: document.title[lang] }]]));
  return [
    { key: 'title', blocks: title },
    { key: 'preamble', blocks: document.preamble },
    ...document.articles.map((article) => ({ key: article.key, blocks: article.body })),
    { key: 'final-clause', blocks: document.finalClause },
  ];
}

/** Every difference between the languages of every clause of a rendered document. */
export function checkConsistency(
  document: AgreementDocument,
  parties: readonly Party[],
  glossary: readonly GlossaryTerm[] = [],
): ConsistencyDifference[] {
  const differences: ConsistencyDifference[] = [];
  for (const clause of clausesOf(document)) {
    const languages = document.languages.filter((lang) => clause.blocks[lang] !== undefined);
    if (languages.length < 2) continue;
    const compare = (rule: ConsistencyRule, extract: (lang: Lang, blocks: readonly Block[]) => string[], what: string) => {
      const found = Object.fromEntries(languages.map((lang) => [lang, extract(lang, clause.blocks[lang]!)])) as Record<Lang, string[]>;
      const distinct = new Set(languages.map((lang) => JSON.stringify(found[lang])));
      if (distinct.size <= 1) return;
      const says = languages.map((lang) => `${lang}: ${found[lang].join(', ') || 'none'}`).join('; ');
      const fingerprint = createHash('sha256')
        .update(JSON.stringify([clause.key, rule, found, languages.map((lang) => [lang, clause.blocks[lang]])]))
        .digest('hex');
      differences.push({ clause: clause.key, rule, found, detail: `clause "${clause.key}": the ${what} differ (${says})`, fingerprint });
    };
    compare('numbers', (lang, blocks) => extractNumbers(lang, blocksText(blocks)), 'numbers and dates');
    compare('names', (lang, blocks) => extractNames(lang, blocksText(blocks), parties), 'names of parties, countries and places');
    compare('list-items', (_, blocks) => [String(listItems(blocks))], 'counts of list items');
    compare('paragraphs', (_, blocks) => [String(paragraphs(blocks))], 'counts of paragraphs');
    compare('article-references', (lang, blocks) => extractArticleReferences(lang, blocksText(blocks)), 'article references');
    compare(
      'glossary',
      (lang, blocks) => {
        const text = blocksText(blocks);
        return glossary.flatMap((term, index) => (term[lang] && text.includes(term[lang]) ? [`${index + 1}: ${term[lang]}`] : []));
      },
      'glossary terms',
    );
  }
  return fixGlossaryLabels(differences);
}

/**
 * Glossary findings ("3: культура, спорт и туризм", the term's number in the glossary and its words in
 * the language) are compared by which terms appear, not by their spelling in each language.
 */
function fixGlossaryLabels(differences: ConsistencyDifference[]): ConsistencyDifference[] {
  return differences.filter((difference) => {
    if (difference.rule !== 'glossary') return true;
    const sets = Object.values(difference.found).map((terms) => JSON.stringify((terms ?? []).map((term) => term.split(':')[0])));
    return new Set(sets).size > 1;
  });
}

/** The agreement's glossary: what its variables name in each language (the coordinators, the areas). */
export function glossaryOf(variables: {
  readonly coordinators: Record<string, GlossaryTerm>;
  readonly areas: readonly GlossaryTerm[];
}): GlossaryTerm[] {
  return [...Object.values(variables.coordinators), ...variables.areas];
}
