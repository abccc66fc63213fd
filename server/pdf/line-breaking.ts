import type { Lang } from '../text/languages.ts';
import { MAX_WORD_LENGTH } from '../text/word-length.ts';
import { hyphenationPieces } from './hyphenation.ts';

/**
 * Breaks a paragraph into lines by total fit (Knuth and Plass, as TeX does, without shrinking
 * spaces): of all the ways to break it, the one whose lines are most evenly filled, so justified
 * text gets even word spaces instead of rivers, and hyphens are used only where they pay.
 * Pure: widths come from the caller's measure.
 */

export interface LineBreakingOptions {
  readonly width: number;
  readonly lang: Lang | null;
  /** Body text is justified and hyphenated; titles, headings and signature blocks are set ragged. */
  readonly justified: boolean;
  readonly measure: (text: string) => number;
}

/** TeX's defaults (The TeXbook, ch. 14): what a line, a hyphen, two hyphens in a row cost. */
const LINE_PENALTY = 10;
const HYPHEN_PENALTY = 50;
const DOUBLE_HYPHEN_DEMERITS = 10_000;
const FINAL_HYPHEN_DEMERITS = 5_000;
/** A word space may stretch by half its width before a justified line counts as loose (badness 100). */
const SPACE_STRETCH = 0.5;
/** A ragged line counts as loose when a quarter of it is empty, so short lines balance. */
const RAGGED_STRETCH = 0.25;

/** A run of text no line may break inside, and what may follow it at a line end. */
interface Piece {
  readonly text: string;
  readonly width: number;
  /** `space` between words; `hyphen` inside a word (a hyphen is added at a break); `cut` inside a word too wide for any line. */
  readonly followedBy: 'space' | 'hyphen' | 'cut' | 'end';
}

interface Breakpoint {
  readonly demerits: number;
  /** Index of the piece that starts the line ending here. */
  readonly lineStart: number;
}

export function breakParagraph(text: string, options: LineBreakingOptions): string[] {
  const pieces = piecesOf(text, options);
  if (pieces.length === 0) return [];
  const spaceWidth = options.measure(' ');
  const hyphenWidth = options.measure('-');
  // best[k]: the cheapest way to set the first k pieces as whole lines.
  const best: (Breakpoint | undefined)[] = [{ demerits: 0, lineStart: 0 }];
  for (let end = 1; end <= pieces.length; end += 1) {
    const isLastLine = end === pieces.length;
    // Only a break inside a word ends on a hyphen; the paragraph's last piece never does.
    const hyphenated = pieces[end - 1]!.followedBy === 'hyphen';
    let natural = hyphenated ? hyphenWidth : 0;
    let gaps = 0;
    for (let start = end - 1; start >= 0; start -= 1) {
      const piece = pieces[start]!;
      natural += piece.width;
      if (start < end - 1 && piece.followedBy === 'space') {
        natural += spaceWidth;
        gaps += 1;
      }
      // Pieces are cut to fit a line, so a line of one piece is always possible.
      if (natural > options.width && start < end - 1) break;
      const before = best[start];
      if (!before) continue;
      const previousHyphenated = start > 0 && pieces[start - 1]!.followedBy === 'hyphen';
      const demerits =
        before.demerits +
        lineDemerits({
          slack: options.width - natural,
          // A line of one word stretches like a line with one space, so it is never preferred to a loose line.
          stretchability: options.justified ? Math.max(gaps, 1) * spaceWidth * SPACE_STRETCH : options.width * RAGGED_STRETCH,
          free: options.justified && isLastLine,
          hyphenated,
          previousHyphenated,
          isLastLine,
        });
      if (!best[end] || demerits < best[end]!.demerits) best[end] = { demerits, lineStart: start };
    }
  }
  return linesOf(pieces, best);
}

function lineDemerits(line: {
  slack: number;
  stretchability: number;
  /** The last line of justified text is set ragged, so its slack costs nothing. */
  free: boolean;
  hyphenated: boolean;
  previousHyphenated: boolean;
  isLastLine: boolean;
}): number {
  const badness = line.free || line.slack <= 0 ? 0 : 100 * (line.slack / line.stretchability) ** 3;
  let demerits = (LINE_PENALTY + badness) ** 2;
  if (line.hyphenated) demerits += HYPHEN_PENALTY ** 2;
  if (line.hyphenated && line.previousHyphenated) demerits += DOUBLE_HYPHEN_DEMERITS;
  if (line.isLastLine && line.previousHyphenated) demerits += FINAL_HYPHEN_DEMERITS;
  return demerits;
}

function linesOf(pieces: readonly Piece[], best: readonly (Breakpoint | undefined)[]): string[] {
  const lines: string[] = [];
  for (let end = pieces.length, lineStart = 0; end > 0; end = lineStart) {
    lineStart = best[end]!.lineStart;
    let line = '';
    for (let index = lineStart; index < end; index += 1) {
      const piece = pieces[index]!;
      const atLineEnd = index === end - 1;
      line += piece.text;
      if (!atLineEnd && piece.followedBy === 'space') line += ' ';
      if (atLineEnd && piece.followedBy === 'hyphen') line += '-';
    }
    lines.unshift(line);
  }
  return lines;
}

/** Words, cut where they may be hyphenated, and cut between characters where even a piece is wider than a line. */
function piecesOf(text: string, options: LineBreakingOptions): Piece[] {
  const words = text.split(' ').filter((word) => word !== '');
  return words.flatMap((word, wordIndex) => {
    const overlong = word.length > MAX_WORD_LENGTH && [...word].length > MAX_WORD_LENGTH;
    const parts = overlong
      ? graphemeRuns(word, MAX_WORD_LENGTH, options.lang)
      : options.justified
        ? hyphenationPieces(word, options.lang)
        : [word];
    return parts.flatMap((part, partIndex) => {
      const followedBy = partIndex < parts.length - 1 ? (overlong ? 'cut' : 'hyphen') : wordIndex < words.length - 1 ? 'space' : 'end';
      const room = options.width - (followedBy === 'hyphen' ? options.measure('-') : 0);
      const cuts = cutToFit(part, room, options);
      return cuts.map(
        (cut, cutIndex): Piece => ({
          text: cut,
          width: options.measure(cut),
          followedBy: cutIndex < cuts.length - 1 ? 'cut' : followedBy,
        }),
      );
    });
  });
}

/**
 * A word wider than the line, in any language, is broken between characters (graphemes), as CSS does.
 * Each cut is found by adding up its graphemes' widths (each measured once, as a word) and then
 * measured whole, giving back graphemes while kerning makes it wider than the line: linear in the
 * word's length, where measuring every growing prefix cost a shaping per character.
 */
function cutToFit(word: string, width: number, options: LineBreakingOptions): string[] {
  if (options.measure(word) <= width) return [word];
  const graphemes = graphemesOf(word, options.lang);
  const cuts: string[] = [];
  let start = 0;
  while (start < graphemes.length) {
    let end = start + 1;
    for (let sum = options.measure(graphemes[start]!); end < graphemes.length; end += 1) {
      sum += options.measure(graphemes[end]!);
      if (sum > width) break;
    }
    while (end > start + 1 && options.measure(graphemes.slice(start, end).join('')) > width) end -= 1;
    cuts.push(graphemes.slice(start, end).join(''));
    start = end;
  }
  return cuts;
}

/**
 * A word longer than any real word (stored before text was held to MAX_WORD_LENGTH) is cut into runs
 * of that many graphemes before anything shapes, hyphenates or measures it: each of those costs more
 * than linear time in the length of what it is given, and 50,000 letters took seconds and gigabytes.
 */
function graphemeRuns(word: string, length: number, lang: Lang | null): string[] {
  const graphemes = graphemesOf(word, lang);
  const runs: string[] = [];
  for (let start = 0; start < graphemes.length; start += length) runs.push(graphemes.slice(start, start + length).join(''));
  return runs;
}

function graphemesOf(word: string, lang: Lang | null): string[] {
  return Array.from(new Intl.Segmenter(lang ?? undefined, { granularity: 'grapheme' }).segment(word), ({ segment }) => segment);
}
