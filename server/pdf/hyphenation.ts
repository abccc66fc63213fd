import createHyphenator, { type HyphenationFunctionSync } from 'hyphen';
import englishPatterns from 'hyphen/patterns/en-gb.js';
import russianPatterns from 'hyphen/patterns/ru.js';
import { isLang, type Lang } from '../text/languages.ts';
import { MAX_WORD_LENGTH } from '../text/word-length.ts';

/**
 * Where a word may be hyphenated, by its language's TeX patterns (Liang's algorithm, with the
 * patterns of the `hyphen` package). Korean is never hyphenated: it breaks between words (keep-all).
 *
 * The patterns are walked here, word by word, the way the package's own hyphenator walks them: that
 * one reads text a character at a time through closures and regular expressions (HTML tags, its own
 * soft hyphens), 50-70 µs a word in a fresh process, half of breaking a first document's paragraphs;
 * a word here costs a few. A test holds the two to the same breaks over the clause library and more.
 * The package's hyphenator still takes what this walk leaves to it: a word with "<", which it reads
 * as the start of an HTML tag.
 */

/**
 * The `hyphen` package's compiled patterns (its patterns/*.js modules; its typings describe an older
 * form): levels by index, a trie of pattern letters whose nodes are a level index (a pattern ends
 * there), an object of next letters, or both as [next letters, level index]; and the exceptions'
 * break positions by lower-case word.
 */
type PatternTrie = { readonly [letter: string]: PatternNode };
type PatternNode = number | PatternTrie | readonly [PatternTrie, number];
type CompiledPatterns = readonly [
  levels: readonly (readonly number[])[],
  trie: PatternTrie,
  exceptions: Readonly<Record<string, readonly number[]>>,
];

interface HyphenationRules {
  readonly patterns: CompiledPatterns;
  /** The package's hyphenator: without `async`, the factory returns the synchronous function; its typings give the union. */
  readonly hyphenate: HyphenationFunctionSync;
  /** The fewest letters TeX leaves before and after a break (\lefthyphenmin, \righthyphenmin): the patterns assume the engine enforces them. */
  readonly before: number;
  readonly after: number;
}

const rulesOf = (patterns: unknown, before: number, after: number): HyphenationRules => ({
  patterns: patterns as CompiledPatterns,
  hyphenate: createHyphenator(patterns as Parameters<typeof createHyphenator>[0]) as HyphenationFunctionSync,
  before,
  after,
});

const RULES: Partial<Record<Lang, HyphenationRules>> = {
  ru: rulesOf(russianPatterns, 2, 2),
  en: rulesOf(englishPatterns, 2, 3),
};

const SOFT_HYPHEN = '\u00ad';
/** What the package takes for a letter: anything but white space, ASCII punctuation and digits, and U+2013-U+203C (an apostrophe is one). */
const NOT_A_LETTER = /\s|(?!['])[!-@[-`{-~\u2013-\u203C]/;
/** The package hyphenates no run of letters shorter than this (its minWordLength). */
const MIN_WORD_LENGTH = 5;
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
    pieces = breakablePieces(word, rules, patternPieces(word, rules));
    remembered.set(key, pieces);
  }
  return pieces;
}

/** Words hyphenated between two turns of the event loop in hyphenateWhile: a slice of well under a millisecond. */
const WORDS_PER_TURN = 32;

/**
 * Hyphenates the words of `texts` ahead of their paragraphs' breaking (remembered as
 * hyphenationPieces remembers them), a few at a time between turns of the event loop, for as long as
 * `waiting()` holds: a fresh process waits for its shaper to load before it can measure anything,
 * and the loading needs the thread only now and then. A word longer than any real word is left to
 * the breaker, which cuts it first (line-breaking.ts).
 */
export async function hyphenateWhile(
  texts: Iterable<{ readonly text: string; readonly lang: string }>,
  waiting: () => boolean,
): Promise<void> {
  let count = 0;
  for (const { text, lang } of texts) {
    if (!isLang(lang) || RULES[lang] === undefined) continue;
    for (const word of text.split(' ')) {
      if (word === '' || word.length > MAX_WORD_LENGTH) continue;
      hyphenationPieces(word, lang);
      count += 1;
      if (count % WORDS_PER_TURN === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!waiting()) return;
      }
    }
  }
}

/** hyphenationPieces by the package's own hyphenator, which the walk here must agree with (tested). */
export function hyphenationPiecesByPackage(word: string, lang: 'ru' | 'en'): readonly string[] {
  const rules = RULES[lang]!;
  return breakablePieces(word, rules, rules.hyphenate(word).split(SOFT_HYPHEN));
}

/** The pieces the patterns allow, joined where TeX's minimum of letters or a hard hyphen forbids a break. */
function breakablePieces(word: string, rules: HyphenationRules, patternPieces: readonly string[]): string[] {
  if (patternPieces.length === 1) return [word];
  const letters = patternPieces.map(lettersIn);
  const totalLetters = letters.reduce((total, count) => total + count, 0);
  const pieces: string[] = [];
  let lettersBefore = 0;
  patternPieces.forEach((piece, index) => {
    const previous = pieces.at(-1);
    const breakable =
      previous !== undefined && !previous.endsWith('-') && lettersBefore >= rules.before && totalLetters - lettersBefore >= rules.after;
    if (previous === undefined || breakable) pieces.push(piece);
    else pieces[pieces.length - 1] = previous + piece;
    lettersBefore += letters[index]!;
  });
  return pieces;
}

const LETTER = /\p{L}/u;
function lettersIn(text: string): number {
  let count = 0;
  for (const character of text) if (LETTER.test(character)) count += 1;
  return count;
}

/** The word cut wherever the patterns allow a hyphen in one of its runs of letters. */
function patternPieces(word: string, rules: HyphenationRules): string[] {
  if (word.includes('<')) return rules.hyphenate(word).split(SOFT_HYPHEN);
  const cuts: number[] = [];
  for (let start = 0; start < word.length; ) {
    if (NOT_A_LETTER.test(word[start]!)) {
      start += 1;
      continue;
    }
    let end = start + 1;
    while (end < word.length && !NOT_A_LETTER.test(word[end]!)) end += 1;
    if (end - start >= MIN_WORD_LENGTH) for (const marker of breaksOf(word.slice(start, end), rules.patterns)) cuts.push(start + marker);
    start = end;
  }
  const pieces: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(word.slice(from, cut));
    from = cut;
  }
  pieces.push(word.slice(from));
  return pieces;
}

/**
 * Where Liang's algorithm allows a hyphen in a run of letters (before which character), the
 * exceptions first: as the package's hyphenateWord computes them, quirks and all (the slices of
 * the dotted word, where its levels land, the two positions at each end cleared), so that the
 * breaks are the package's.
 */
function breaksOf(letters: string, [levelsByIndex, trie, exceptions]: CompiledPatterns): readonly number[] {
  const lowered = letters.toLocaleLowerCase();
  if (Object.hasOwn(exceptions, lowered)) return exceptions[lowered]!;
  // Its characters as strings once: indexing a string makes a new one each time for Cyrillic.
  const dotted = `.${lowered}.`.split('');
  const levels: number[] = new Array(letters.length + 1).fill(0);
  for (let start = 0; start <= dotted.length - 3; start += 1) {
    const offset = start === 0 ? 0 : start - 1;
    let node: PatternTrie | undefined = trie;
    for (let at = start; node !== undefined && at < dotted.length; at += 1) {
      const next: PatternNode | undefined = node[dotted[at]!];
      if (next === undefined) break;
      let index = -1;
      if (typeof next === 'number') {
        node = undefined;
        index = next;
      } else if (Array.isArray(next)) {
        node = next[0] as PatternTrie;
        index = next[1] as number;
      } else node = next as PatternTrie;
      if (index < 0) continue;
      const pattern = levelsByIndex[index]!;
      // Past the end the package's array grows, and Math.max with a hole is NaN: never a break.
      for (let k = 0; k < pattern.length; k += 1) levels[offset + k] = Math.max(pattern[k]!, levels[offset + k]!);
    }
  }
  levels[0] = levels[1] = levels[levels.length - 1] = levels[levels.length - 2] = 0;
  const breaks: number[] = [];
  for (let at = 0; at < levels.length; at += 1) if ((levels[at]! & 1) === 1) breaks.push(at);
  return breaks;
}
