import type { Lang } from '../text/languages.ts';
import { MAX_WORD_LENGTH } from '../text/word-length.ts';
import { hyphenationPieces } from './hyphenation.ts';

/**
 * Breaks a paragraph into lines by total fit (Knuth and Plass, as TeX does): of all the ways to break
 * it, the one whose lines are most evenly set, so justified text gets even word spaces instead of
 * rivers, and hyphens are used only where they pay. Word spaces may shrink to two thirds of a space
 * and stretch by half of one; the letters of a line may close up by 0.01 em or open by 0.02 em as
 * extra room (Korean, with few spaces and words kept whole, needs it most); a line-end hyphen or
 * closing punctuation hangs half its width into the margin so the edge looks straight. Three passes,
 * as TeX's: the first accepts only lines within the tolerance; if no set of such lines reaches the
 * end, the second adds emergency stretch and accepts any line that is not overfull, a line whose word
 * spaces would open past the limit costing far more than any other; if a Korean line is still over
 * the limit, the third may break a Korean word between syllables (allowed in Korean typesetting), the
 * last resort, counted in the result. No more than two hyphenated lines follow each other.
 * Every justified line but the last is set to the full measure: none is ever set flush left.
 * Pure: widths come from the caller's measure.
 */

export interface LineBreakingOptions {
  readonly width: number;
  readonly lang: Lang | null;
  /** Body text is justified and hyphenated; titles, headings and signature blocks are set ragged. */
  readonly justified: boolean;
  readonly measure: (text: string) => number;
  /** The font size in points: letter-spacing, hanging and the word-space limit are in em. */
  readonly size?: number;
  /** How many glyphs the text draws (each one takes the letter-spacing); by default its characters. */
  readonly glyphs?: (text: string) => number;
  /**
   * Told the words of a paragraph, and apart the words it cuts into pieces, before any is measured, and
   * its lines before they are set, so that a measurer may shape them together.
   */
  readonly prepare?: (texts: readonly string[], pieces?: readonly (readonly string[])[]) => void;
}

/** How justified text may be set, in spaces or em. */
export const JUSTIFICATION = {
  /** A word space may shrink by a third (to two thirds of itself) and stretch by half. */
  spaceShrink: 1 / 3,
  spaceStretch: 0.5,
  /** Extra room between letters, in em per glyph. */
  letterShrink: 0.01,
  letterStretch: 0.02,
  /**
   * The widest a justified word space may open, in em. Wider gaps read as rivers, and text extractors
   * (poppler splits at about one em) take them for a column gutter; the breaker avoids a line that
   * would need more at almost any price.
   */
  maxWordSpace: 0.8,
  /** Added to every line's stretch in the second pass (TeX's \emergencystretch), in em. */
  emergencyStretch: 1.5,
  /** How much of a line-end hyphen or closing punctuation mark hangs into the margin. */
  hang: 0.5,
} as const;

/** TeX's defaults (The TeXbook, ch. 14) where TeX has one: what a line, a hyphen, two hyphens in a row cost. */
const LINE_PENALTY = 10;
const HYPHEN_PENALTY = 50;
/** Stronger than TeX's 10,000: a second hyphen in a row is taken only where it saves a loose line. */
const DOUBLE_HYPHEN_DEMERITS = 30_000;
const FINAL_HYPHEN_DEMERITS = 5_000;
/**
 * A paragraph whose last line is only the rest of a word hyphenated on the line before ("Agree-" /
 * "ment."): the eye reads it as a stray fragment, so a printer resets the paragraph. Dearer than a few
 * lines at the tolerance: avoided wherever the first pass finds another way within it (emergency
 * stretch is not called for it: the looser lines it sets cost more evenness than the fragment does).
 */
const FRAGMENT_LAST_LINE_DEMERITS = 1e6;
const MAX_HYPHENS_IN_A_ROW = 2;
/** TeX's \tolerance: the first pass takes no line looser than this badness. */
const TOLERANCE = 200;
/** A line whose spaces must open past the limit, and a Korean word broken between syllables: last resorts, in that order. */
const OVER_LIMIT_DEMERITS = 1e10;
const SYLLABLE_BREAK_DEMERITS = 1e7;
/**
 * A line that ends at a tie: never in the first pass; in the others dearer than the loosest line
 * ((LINE_PENALTY + 10,000)² ≈ 1e8) and cheaper than one over the word-space limit, so a tie gives
 * way only to that limit or to a column narrower than the tied words, and a paragraph is always set.
 */
const TIE_BREAK_DEMERITS = 1e9;
/** The one-letter words a Russian line does not end with: prepositions, conjunctions and the pronoun «я». */
const RUSSIAN_TIED_WORDS = new Set(['в', 'к', 'с', 'о', 'у', 'и', 'а', 'я'].flatMap((word) => [word, word.toUpperCase()]));
/** A ragged line counts as loose when a quarter of it is empty, so short lines balance. */
const RAGGED_STRETCH = 0.25;
/** Marks that may hang into the right margin at the end of a justified line. */
const HANGING = new Set('-.,;:!?)]»”’、。」』》〉');
const HANGUL_SYLLABLE = /^\p{Script=Hangul}$/u;
/** The marks a Korean line may start with inside a word, and those a break before them may follow. */
const KOREAN_OPENING = new Set('([「『《〈“‘');
const KOREAN_CLOSING = new Set(')]」』》〉”’');

/** A run of text no line may break inside, and what may follow it at a line end. */
interface Piece {
  readonly text: string;
  readonly width: number;
  readonly glyphs: number;
  /**
   * `space` between words; `tie` between words where no line should end (after a one-letter Russian
   * preposition or conjunction: a Russian printer sends back a line that ends with «в» or «и»); `hyphen` inside a word (a hyphen is added at a break); `syllable` between
   * two Hangul syllables of a word (the last resort, no hyphen); `bracket` inside a Korean word before
   * an opening bracket (no hyphen, no cost); `cut` inside a word too wide for any line.
   */
  readonly followedBy: 'space' | 'tie' | 'hyphen' | 'syllable' | 'bracket' | 'cut' | 'end';
}

/** A piece of one word, and what may follow it inside the word (unread on the word's last piece: what follows the word does). */
interface WordPart {
  readonly text: string;
  readonly followedBy: 'hyphen' | 'syllable' | 'bracket' | 'cut';
}

/** The cheapest way found to set the pieces before a break, given how many hyphenated lines end there in a row. */
interface Breakpoint {
  readonly demerits: number;
  /** Index of the piece that starts the line ending here, and the hyphen run at that line's start. */
  readonly lineStart: number;
  readonly startRun: number;
}

/** One line as it is set: the extra space per word gap and per glyph (both negative when it is shrunk), and how far it hangs. */
export interface SetLine {
  readonly text: string;
  /** Points added to each word space. */
  readonly wordSpacing: number;
  /** Points added after each glyph (PDF Tc). */
  readonly letterSpacing: number;
  /** Points the line's last mark stands into the right margin. */
  readonly hang: number;
  /** Whether the line ends inside a Korean word, broken between syllables. */
  readonly syllableBreak: boolean;
  /** Whether the next line goes on with this line's last word, no hyphen added: after a syllable break, or before a Korean word's opening bracket. */
  readonly endsInsideWord: boolean;
}

export interface SetParagraph {
  readonly lines: readonly SetLine[];
  /** 1: every line within the tolerance; 2: emergency stretch was needed; 3: a Korean word was broken between syllables. */
  readonly pass: 1 | 2 | 3;
  readonly syllableBreaks: number;
  /** Justified lines whose word spaces, or a lone word's letters, open past the limit (none where a syllable break or a hyphen could help). */
  readonly overLimit: number;
  /** The widest word space of the justified lines, in em. */
  readonly widestSpace: number;
}

/** The lines' texts (a line-end hyphen added where a word is hyphenated). */
export function breakParagraph(text: string, options: LineBreakingOptions): string[] {
  return setParagraph(text, options).lines.map((line) => line.text);
}

/** The paragraph broken and every line set: justified lines to the full measure, the last and ragged ones at their natural width. */
export function setParagraph(text: string, options: LineBreakingOptions): SetParagraph {
  const metrics = metricsOf(options);
  const pieces = piecesOf(text, options, metrics, false);
  if (pieces.length === 0) return { lines: [], pass: 1, syllableBreaks: 0, overLimit: 0, widestSpace: 0 };
  if (!options.justified) return finish(pieces, breaks(pieces, options, metrics, 2)!, options, metrics, 1);
  const first = breaks(pieces, options, metrics, 1);
  if (first) return finish(pieces, first, options, metrics, 1);
  const second = finish(pieces, breaks(pieces, options, metrics, 2)!, options, metrics, 2);
  if (second.overLimit === 0 || options.lang !== 'ko') return second;
  const syllables = piecesOf(text, options, metrics, true);
  const third = finish(syllables, breaks(syllables, options, metrics, 3)!, options, metrics, 3);
  const better = third.overLimit < second.overLimit || (third.overLimit === second.overLimit && third.widestSpace < second.widestSpace);
  return better ? third : second;
}

interface Metrics {
  readonly size: number;
  readonly space: number;
  readonly hyphen: number;
  readonly glyphs: (text: string) => number;
  /** How far each hanging mark measured so far hangs: the breaker asks at every possible line end. */
  readonly hangs: Map<string, number>;
}

function metricsOf(options: LineBreakingOptions): Metrics {
  return {
    size: options.size ?? 10,
    space: options.measure(' '),
    hyphen: options.measure('-'),
    glyphs: options.glyphs ?? ((text) => [...text].length),
    hangs: new Map(),
  };
}

/** The width a line's last mark may stand into the margin. */
function hangOf(lastText: string, options: LineBreakingOptions, metrics: Metrics): number {
  // The marks are all one UTF-16 code unit: the text's last unit is its last character when it is one.
  const mark = lastText.at(-1);
  if (mark === undefined || !HANGING.has(mark)) return 0;
  let hang = metrics.hangs.get(mark);
  if (hang === undefined) metrics.hangs.set(mark, (hang = options.measure(mark) * JUSTIFICATION.hang));
  return hang;
}

/**
 * The best breaks by dynamic programming over (piece, hyphenated lines in a row), or undefined when
 * the first pass finds no way to the end within the tolerance.
 */
function breaks(pieces: readonly Piece[], options: LineBreakingOptions, metrics: Metrics, pass: 1 | 2 | 3): Breakpoint[][] | undefined {
  const { size, space, hyphen } = metrics;
  const justified = options.justified;
  const emergency = pass > 1 && justified ? JUSTIFICATION.emergencyStretch * size : 0;
  // best[k][run]: the cheapest way to set the first k pieces as whole lines, the last `run` of them hyphenated.
  const best: (Breakpoint | undefined)[][] = [[{ demerits: 0, lineStart: 0, startRun: 0 }]];
  for (let end = 1; end <= pieces.length; end += 1) {
    best[end] = [];
    const isLastLine = end === pieces.length;
    const last = pieces[end - 1]!;
    // Only a break inside a word ends on a hyphen; the paragraph's last piece never does.
    const hyphenated = last.followedBy === 'hyphen';
    const syllableBreak = last.followedBy === 'syllable';
    const tied = last.followedBy === 'tie';
    if (tied && pass === 1) continue;
    const hang = justified && !isLastLine ? hangOf(hyphenated ? '-' : last.text, options, metrics) : 0;
    const room = options.width + hang;
    let natural = hyphenated ? hyphen : 0;
    let glyphs = hyphenated ? 1 : 0;
    let gaps = 0;
    for (let start = end - 1; start >= 0; start -= 1) {
      const piece = pieces[start]!;
      natural += piece.width;
      glyphs += piece.glyphs;
      if (start < end - 1 && (piece.followedBy === 'space' || piece.followedBy === 'tie')) {
        natural += space;
        glyphs += 1;
        gaps += 1;
      }
      const letterRoom = Math.max(glyphs - 1, 0) * size;
      const shrink = justified && !isLastLine ? gaps * space * JUSTIFICATION.spaceShrink + letterRoom * JUSTIFICATION.letterShrink : 0;
      // Pieces are cut to fit a line, so a line of one piece is always possible.
      if (natural - shrink > room + 1e-9 && start < end - 1) break;
      // No way found to set the pieces before this start as lines: nothing to weigh this line for.
      const runs = best[start]!;
      if (runs.length === 0) continue;
      const slack = room - natural;
      let badness: number;
      let overLimit = false;
      let limit = 0;
      if (!justified) badness = slack <= 0 ? 0 : 100 * (slack / (options.width * RAGGED_STRETCH)) ** 3;
      else if (isLastLine) badness = 0;
      else if (slack < 0) badness = 100 * (-slack / shrink) ** 3;
      else {
        const stretch = gaps * space * JUSTIFICATION.spaceStretch + letterRoom * JUSTIFICATION.letterStretch;
        // A visible word gap is the space, its extra and the letter-spacing after the glyphs on both
        // sides of it; a little margin for the kerning between pieces that are measured apart here.
        const letter = JUSTIFICATION.letterStretch * size;
        limit = gaps * (JUSTIFICATION.maxWordSpace * size - space - 2 * letter) + letterRoom * JUSTIFICATION.letterStretch - 0.25;
        // A line of one word has no space to open: its stretch is its letters' only.
        overLimit = slack > limit + 1e-9 && !(gaps === 0 && start === end - 1 && pieces.length === 1);
        badness = stretch + emergency <= 0 ? 10_000 : Math.min(10_000, 100 * (slack / (stretch + emergency)) ** 3);
      }
      if (pass === 1 && (badness > TOLERANCE || overLimit)) continue;
      // The last line, set ragged at its natural width, cannot shrink.
      if (justified && isLastLine && slack < -1e-9 && start < end - 1) continue;
      const lineDemerits =
        (LINE_PENALTY + badness) ** 2 +
        (hyphenated ? HYPHEN_PENALTY ** 2 : 0) +
        (syllableBreak ? SYLLABLE_BREAK_DEMERITS : 0) +
        (tied ? TIE_BREAK_DEMERITS : 0) +
        (overLimit ? OVER_LIMIT_DEMERITS * (1 + (slack - limit) / size) : 0);
      for (let run = 0; run < runs.length; run += 1) {
        const before = runs[run];
        if (!before) continue;
        const nextRun = hyphenated ? run + 1 : 0;
        if (nextRun > MAX_HYPHENS_IN_A_ROW) continue;
        const demerits =
          before.demerits +
          lineDemerits +
          (hyphenated && run > 0 ? DOUBLE_HYPHEN_DEMERITS : 0) +
          (isLastLine && run > 0 ? FINAL_HYPHEN_DEMERITS + (gaps === 0 ? FRAGMENT_LAST_LINE_DEMERITS : 0) : 0);
        const current = best[end]![nextRun];
        if (!current || demerits < current.demerits) best[end]![nextRun] = { demerits, lineStart: start, startRun: run };
      }
    }
  }
  return best[pieces.length]!.some(Boolean) ? (best as Breakpoint[][]) : undefined;
}

/** The lines of the cheapest way to the end, each set: the adjustment spread over word spaces and letters alike. */
function finish(
  pieces: readonly Piece[],
  best: readonly (Breakpoint | undefined)[][],
  options: LineBreakingOptions,
  metrics: Metrics,
  pass: 1 | 2 | 3,
): SetParagraph {
  const ends: { start: number; end: number }[] = [];
  let end = pieces.length;
  let node = best[end]!.reduce<Breakpoint | undefined>(
    (cheapest, candidate) => (candidate && (!cheapest || candidate.demerits < cheapest.demerits) ? candidate : cheapest),
    undefined,
  )!;
  for (;;) {
    ends.unshift({ start: node.lineStart, end });
    if (node.lineStart === 0) break;
    end = node.lineStart;
    node = best[end]![node.startRun]!;
  }
  const texts = ends.map(({ start, end: lineEnd }) => {
    let text = '';
    for (let at = start; at < lineEnd; at += 1) {
      const piece = pieces[at]!;
      const atLineEnd = at === lineEnd - 1;
      text += piece.text;
      if (!atLineEnd && (piece.followedBy === 'space' || piece.followedBy === 'tie')) text += ' ';
      if (atLineEnd && piece.followedBy === 'hyphen') text += '-';
    }
    return text;
  });
  // A hyphenated word's halves are new words: shaped together, before the lines are justified.
  if (options.justified) options.prepare?.(texts);
  let syllableBreaks = 0;
  let overLimit = 0;
  let widestSpace = 0;
  const lines = ends.map(({ end: lineEnd }, index): SetLine => {
    const text = texts[index]!;
    const { followedBy } = pieces[lineEnd - 1]!;
    const syllableBreak = followedBy === 'syllable';
    const endsInsideWord = syllableBreak || followedBy === 'bracket';
    if (syllableBreak) syllableBreaks += 1;
    if (!options.justified || index === ends.length - 1)
      return { text, wordSpacing: 0, letterSpacing: 0, hang: 0, syllableBreak, endsInsideWord };
    const set = justify(text, options, metrics);
    if (set.overLimit) overLimit += 1;
    if (text.includes(' ')) widestSpace = Math.max(widestSpace, (metrics.space + set.wordSpacing + 2 * set.letterSpacing) / metrics.size);
    return { text, wordSpacing: set.wordSpacing, letterSpacing: set.letterSpacing, hang: set.hang, syllableBreak, endsInsideWord };
  });
  return { lines, pass, syllableBreaks, overLimit, widestSpace };
}

/**
 * Spreads what a line lacks (or has too much) of the full measure over its word spaces and its
 * letters in proportion to the room each has, spaces taking what is left past the letters' range; a
 * line of one word is spread over its letters only.
 */
function justify(text: string, options: LineBreakingOptions, metrics: Metrics) {
  const { size, space, glyphs: countGlyphs } = metrics;
  const hang = hangOf(text, options, metrics);
  const slack = options.width + hang - options.measure(text);
  const gaps = text.split(' ').length - 1;
  const letters = Math.max(countGlyphs(text) - 1, 0);
  const spaceRoom = gaps * space * (slack < 0 ? JUSTIFICATION.spaceShrink : JUSTIFICATION.spaceStretch);
  const letterRoom = letters * size * (slack < 0 ? JUSTIFICATION.letterShrink : JUSTIFICATION.letterStretch);
  if (gaps === 0) {
    // A line of one word is filled by its letters alone: past their range it is letter-spaced, over the limit as wide spaces are.
    const letterSpacing = letters === 0 ? 0 : slack / letters;
    return { wordSpacing: 0, letterSpacing, hang, overLimit: letterSpacing > JUSTIFICATION.letterStretch * size + 1e-6 };
  }
  const ratio = Math.min(Math.abs(slack) / (spaceRoom + letterRoom || 1), 1);
  const letterSpacing = letters === 0 ? 0 : (Math.sign(slack) * ratio * letterRoom) / letters;
  // Each gap also takes the letter-spacing of the space glyph and the glyph before it.
  const wordSpacing = (slack - letterSpacing * letters) / gaps;
  const overLimit = space + wordSpacing + 2 * letterSpacing > JUSTIFICATION.maxWordSpace * size + 1e-6;
  return { wordSpacing, letterSpacing, hang, overLimit };
}

/**
 * Words, cut where they may be hyphenated (or, with `syllables`, a Korean word between its Hangul
 * syllables), and cut between characters where even a piece is wider than a line.
 */
function piecesOf(text: string, options: LineBreakingOptions, metrics: Metrics, syllables: boolean): Piece[] {
  const words = text.split(' ').filter((word) => word !== '');
  const cut = words.map((word): WordPart[] => {
    if (word.length > MAX_WORD_LENGTH && [...word].length > MAX_WORD_LENGTH)
      return graphemeRuns(word, MAX_WORD_LENGTH, options.lang).map((text) => ({ text, followedBy: 'cut' }));
    if (options.lang === 'ko')
      return koreanBracketSegments(word).flatMap((segment, index, segments) => {
        const parts = syllables ? syllablesOf(segment) : [segment];
        return parts.map(
          (text, at): WordPart => ({
            text,
            followedBy: at < parts.length - 1 || index === segments.length - 1 ? 'syllable' : 'bracket',
          }),
        );
      });
    const parts = options.justified ? hyphenationPieces(word, options.lang) : [word];
    return parts.map((text) => ({ text, followedBy: 'hyphen' }));
  });
  // The words too: justified lines are measured word by word.
  options.prepare?.(
    words,
    cut.flatMap((parts) => (parts.length > 1 ? [parts.map((part) => part.text)] : [])),
  );
  return cut.flatMap((parts, wordIndex) =>
    parts.flatMap(({ text: part, followedBy: inside }, partIndex) => {
      const followedBy =
        partIndex < parts.length - 1
          ? inside
          : wordIndex === words.length - 1
            ? 'end'
            : options.lang === 'ru' && RUSSIAN_TIED_WORDS.has(words[wordIndex]!)
              ? 'tie'
              : 'space';
      const room = options.width - (followedBy === 'hyphen' ? metrics.hyphen : 0);
      const width = options.measure(part);
      if (width <= room) return [{ text: part, width, glyphs: metrics.glyphs(part), followedBy }];
      const cuts = cutToFit(part, room, options);
      return cuts.map(
        (cut, cutIndex): Piece => ({
          text: cut,
          width: options.measure(cut),
          glyphs: metrics.glyphs(cut),
          followedBy: cutIndex < cuts.length - 1 ? 'cut' : followedBy,
        }),
      );
    }),
  );
}

/**
 * A Korean word cut before each opening bracket or quotation mark that follows a syllable or a closing
 * mark ("경기도" and "(이하"): Korean lines may start with one (UAX #14 breaks there too), so a line
 * need not break inside the name before it.
 */
function koreanBracketSegments(word: string): string[] {
  const segments: string[] = [];
  let start = 0;
  for (let at = 1; at < word.length; at += 1) {
    const previous = word[at - 1]!;
    if (KOREAN_OPENING.has(word[at]!) && (HANGUL_SYLLABLE.test(previous) || KOREAN_CLOSING.has(previous)) && at + 1 < word.length) {
      segments.push(word.slice(start, at));
      start = at;
    }
  }
  segments.push(word.slice(start));
  return segments;
}

/** A Korean word cut between its Hangul syllables, punctuation kept with the syllable it follows or precedes. */
function syllablesOf(word: string): string[] {
  const characters = [...word];
  const pieces: string[] = [];
  characters.forEach((character, index) => {
    const previous = characters[index - 1];
    // Two syllables at least before the break, in the same run of Hangul, and two in the rest of the
    // word, so no line ends with "(러" and none starts with a lone "다.".
    const runBefore = characters
      .slice(0, index)
      .reverse()
      .findIndex((before) => !HANGUL_SYLLABLE.test(before));
    const syllablesBefore = runBefore === -1 ? index : runBefore;
    const syllablesAfter = characters.slice(index).filter((after) => HANGUL_SYLLABLE.test(after)).length;
    // After a middle dot between two words ("경제·통상") a line may break too.
    const afterDot = previous === '·' && syllablesAfter >= 2 && index >= 2;
    const breakable =
      afterDot ||
      (previous !== undefined &&
        HANGUL_SYLLABLE.test(previous) &&
        HANGUL_SYLLABLE.test(character) &&
        syllablesBefore >= 2 &&
        syllablesAfter >= 2);
    if (breakable || pieces.length === 0) pieces.push(character);
    else pieces[pieces.length - 1] += character;
  });
  return pieces;
}

/**
 * A word wider than the line (the caller has measured it), in any language, is broken between characters (graphemes), as CSS does.
 * Each cut is found by adding up its graphemes' widths (each measured once, as a word) and then
 * measured whole, giving back graphemes while kerning makes it wider than the line: linear in the
 * word's length, where measuring every growing prefix cost a shaping per character.
 */
function cutToFit(word: string, width: number, options: LineBreakingOptions): string[] {
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
