import { stemmer as englishStem } from '@orama/stemmers/english';
import { stemmer as russianStem } from '@orama/stemmers/russian';

/**
 * Pure: the words a text is indexed by and a query is matched with, the same on both database engines
 * (they only index and compare these words). Russian and English words are reduced to their Snowball
 * stems ("сотрудничество" and "сотрудничества" both give "сотрудничеств"), chosen by each word's own
 * script, so a query needs no language. Korean writes compounds with or without a space ("경제협력",
 * "경제 협력") and attaches particles to words, so Hangul is indexed as the overlapping pairs of
 * syllables of each run of Hangul, spaces between syllables ignored: a query matches when its pairs
 * stand in the text one after the other.
 */

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const HANGUL = /[\p{Script=Hangul}]/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN = /\p{Script=Latin}/u;
/** Longest query, in characters, and most terms in it: a query is cheap to refuse and bounded to run. */
export const QUERY_LIMITS = { characters: 200, terms: 8 } as const;

/** One thing a query asks for: a word's stem, or a run of Hangul as consecutive syllable pairs. */
export interface SearchTerm {
  /** Words that must stand one after the other in the indexed words. */
  readonly words: readonly string[];
  /** The last word may be the start of a longer one (a single Hangul syllable). */
  readonly prefix: boolean;
  /** What the term was made from, for marking: a stem, or the Hangul syllables without spaces. */
  readonly source: { readonly kind: 'stem'; readonly stem: string } | { readonly kind: 'hangul'; readonly syllables: string };
}

function normalize(text: string): string {
  return text.normalize('NFC').toLowerCase().replaceAll('ё', 'е');
}

function stemOf(word: string): string {
  if (CYRILLIC.test(word)) return russianStem(word);
  if (LATIN.test(word)) return englishStem(word);
  return word;
}

/** A piece of text in order: a non-Hangul word, or a run of Hangul syllables (spaces between them dropped). */
type Piece = { kind: 'word'; text: string; start: number; end: number } | { kind: 'hangul'; text: string };

function pieces(text: string): Piece[] {
  const result: Piece[] = [];
  let hangul = '';
  let lastEnd = -1;
  const flush = () => {
    if (hangul) result.push({ kind: 'hangul', text: hangul });
    hangul = '';
  };
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const start = match.index;
    // Hangul runs continue across whitespace only; punctuation or another script ends them.
    if (hangul && !/^\s*$/u.test(text.slice(lastEnd, start))) flush();
    let buffer = '';
    let bufferStart = start;
    for (let index = 0; index < word.length; index += 1) {
      const char = word[index]!;
      if (HANGUL.test(char)) {
        if (buffer) {
          flush();
          result.push({ kind: 'word', text: buffer, start: bufferStart, end: start + index });
          buffer = '';
        }
        hangul += char;
      } else {
        if (!buffer) {
          flush();
          bufferStart = start + index;
        }
        buffer += char;
      }
    }
    if (buffer) result.push({ kind: 'word', text: buffer, start: bufferStart, end: start + word.length });
    lastEnd = start + word.length;
  }
  flush();
  return result;
}

function syllablePairs(syllables: string): string[] {
  if (syllables.length === 1) return [syllables];
  return Array.from({ length: syllables.length - 1 }, (_, index) => syllables.slice(index, index + 2));
}

/** The index words of a text, space-separated, in text order. */
export function indexWords(text: string): string {
  return pieces(normalize(text))
    .flatMap((piece) => (piece.kind === 'word' ? [stemOf(piece.text)] : syllablePairs(piece.text)))
    .join(' ');
}

/** The terms of a query, every one required; empty when the query has no word at all. */
export function parseQuery(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const seen = new Set<string>();
  for (const piece of pieces(normalize(query))) {
    const term: SearchTerm =
      piece.kind === 'word'
        ? { words: [stemOf(piece.text)], prefix: false, source: { kind: 'stem', stem: stemOf(piece.text) } }
        : { words: syllablePairs(piece.text), prefix: piece.text.length === 1, source: { kind: 'hangul', syllables: piece.text } };
    const key = term.words.join(' ');
    if (!seen.has(key)) terms.push(term);
    seen.add(key);
  }
  return terms;
}

/** Where in `text` the terms were found: sorted, non-overlapping [start, end) in UTF-16 units. */
export function findMarks(text: string, terms: readonly SearchTerm[]): [number, number][] {
  const lower = normalize(text);
  // normalize() keeps the length of the texts we index (NFC in, lower case of Cyrillic, Latin, Hangul).
  const source = lower.length === text.length ? lower : text.toLowerCase();
  const marks: [number, number][] = [];
  const stems = new Set(terms.flatMap((term) => (term.source.kind === 'stem' ? [term.source.stem] : [])));
  for (const match of source.matchAll(WORD)) {
    for (const piece of pieces(match[0])) {
      if (piece.kind === 'word' && stems.has(stemOf(piece.text))) marks.push([match.index + piece.start, match.index + piece.end]);
    }
  }
  const hangulTerms = terms.flatMap((term) => (term.source.kind === 'hangul' ? [term.source.syllables] : []));
  if (hangulTerms.length > 0) {
    // The Hangul syllables of the text without what stands between them, each with its place in the text.
    const positions: number[] = [];
    let compact = '';
    for (let index = 0; index < source.length; index += 1) {
      if (HANGUL.test(source[index]!)) {
        compact += source[index];
        positions.push(index);
      } else if (!/\s/u.test(source[index]!)) {
        compact += '\u0000';
        positions.push(index);
      }
    }
    for (const syllables of hangulTerms) {
      for (let from = compact.indexOf(syllables); from !== -1; from = compact.indexOf(syllables, from + 1)) {
        marks.push([positions[from]!, positions[from + syllables.length - 1]! + 1]);
      }
    }
  }
  marks.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const mark of marks) {
    const last = merged.at(-1);
    if (last && mark[0] <= last[1]) last[1] = Math.max(last[1], mark[1]);
    else merged.push([mark[0], mark[1]]);
  }
  return merged;
}

/** An excerpt of about `length` characters around the first mark, with the marks inside it. */
export function excerptAround(
  text: string,
  marks: readonly [number, number][],
  length = 180,
): { text: string; marks: { start: number; end: number }[] } {
  const first = marks[0]?.[0] ?? 0;
  let start = Math.max(0, first - Math.floor(length / 3));
  if (start > 0) {
    const space = text.lastIndexOf(' ', start);
    start = space > first - length / 2 ? space + 1 : start;
  }
  let end = Math.min(text.length, start + length);
  if (end < text.length) {
    const space = text.indexOf(' ', end);
    end = space === -1 || space - end > 20 ? end : space;
  }
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  return {
    text: `${prefix}${text.slice(start, end)}${suffix}`,
    marks: marks
      .filter(([from, to]) => from >= start && to <= end)
      .map(([from, to]) => ({ start: from - start + prefix.length, end: to - start + prefix.length })),
  };
}
