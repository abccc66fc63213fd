import createHyphenator, { type HyphenationFunctionSync } from 'hyphen';
import englishPatterns from 'hyphen/patterns/en-gb.js';
import russianPatterns from 'hyphen/patterns/ru.js';
import type { Lang } from '../text/languages.ts';

/**
 * Where a word may be hyphenated, by its language's TeX patterns (Liang's algorithm, the `hyphen`
 * package). Korean is never hyphenated: it breaks between words (keep-all).
 */

interface HyphenationRules {
  /** Without `async`, the factory returns the synchronous function; its typings give the union. */
  readonly hyphenate: HyphenationFunctionSync;
  /** The fewest letters TeX leaves before and after a break (\lefthyphenmin, \righthyphenmin): the patterns assume the engine enforces them. */
  readonly before: number;
  readonly after: number;
}

const RULES: Partial<Record<Lang, HyphenationRules>> = {
  ru: { hyphenate: createHyphenator(russianPatterns) as HyphenationFunctionSync, before: 2, after: 2 },
  en: { hyphenate: createHyphenator(englishPatterns) as HyphenationFunctionSync, before: 2, after: 3 },
};

const SOFT_HYPHEN = '\u00ad';
/** Words recur across clauses, originals and versions, and each hyphenation is a walk through the patterns. */
const remembered = new Map<string, readonly string[]>();
const MAX_REMEMBERED_WORDS = 50_000;

/**
 * The word cut into the pieces between which it may be hyphenated ("сотрудничество" -> "со",
 * "труд", "ни", "че", "ство"); a word that may not be hyphenated comes back whole.
 * Never after a hard hyphen: PDF text extractors read a hyphen at a line end as hyphenation and
 * would give back "торговоэкономический".
 */
export function hyphenationPieces(word: string, lang: Lang | null): readonly string[] {
  const rules = lang === null ? undefined : RULES[lang];
  if (!rules || word.includes(SOFT_HYPHEN)) return [word];
  const key = `${lang}:${word}`;
  let pieces = remembered.get(key);
  if (pieces === undefined) {
    // Bounded, so a stream of unusual text cannot grow the process without limit.
    if (remembered.size >= MAX_REMEMBERED_WORDS) remembered.clear();
    pieces = breakablePieces(word, rules);
    remembered.set(key, pieces);
  }
  return pieces;
}

function breakablePieces(word: string, rules: HyphenationRules): string[] {
  const lettersIn = (text: string) => text.match(/\p{L}/gu)?.length ?? 0;
  const totalLetters = lettersIn(word);
  const pieces: string[] = [];
  let lettersBefore = 0;
  for (const piece of rules.hyphenate(word).split(SOFT_HYPHEN)) {
    const previous = pieces.at(-1);
    const breakable =
      previous !== undefined && !previous.endsWith('-') && lettersBefore >= rules.before && totalLetters - lettersBefore >= rules.after;
    if (previous === undefined || breakable) pieces.push(piece);
    else pieces[pieces.length - 1] = previous + piece;
    lettersBefore += lettersIn(piece);
  }
  return pieces;
}
