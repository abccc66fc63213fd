import { diffWords } from 'diff';
import { LOCALE, type Lang } from './languages.ts';

/**
 * A redline over several versions with each change credited to the version that made it. The
 * paragraphs of a clause in one language are followed from the earliest version through every
 * version after it, word by word (jsdiff's diffWords, one step per version), each character
 * remembering where it came from: the earliest text, or the version that inserted it. What the
 * latest version holds and the earliest did not is an insertion by the version that typed it; what
 * the earliest held and the latest lost is a deletion by the version that removed it. Text inserted
 * and removed again between the two is neither (the redline shows the net change, as Word's
 * comparison does). Pure.
 */
export interface TrackedRun {
  readonly text: string;
  /** Absent: the text stands in both. `revision` indexes the history (1: the first version after the earliest). */
  readonly change?: { readonly kind: 'insert' | 'delete'; readonly revision: number };
}

export interface TrackedParagraph {
  /** Which of the latest version's paragraphs this is; null for a paragraph the latest lost whole. */
  readonly unit: number | null;
  /** For a paragraph lost whole: which of the earliest version's paragraphs it was. */
  readonly was?: number;
  readonly runs: readonly TrackedRun[];
}

/** Between paragraphs: never part of a clause's text (line breaks are whitespace there, and normalized away). */
const SEPARATOR = '\n';

interface LiveChar {
  readonly ch: string;
  /** Index in the earliest text, or null for a character a later version wrote. */
  readonly base: number | null;
  /** The version that inserted it; null for the earliest text. */
  readonly by: number | null;
}

const isSpace = (ch: string | undefined) => ch !== undefined && ch !== SEPARATOR && /\s/u.test(ch);

/**
 * `history[0]` is the earliest version's paragraphs, `history[k]` the k-th version after it; the
 * latest version's paragraphs come out in order, with deleted paragraphs where they stood.
 */
export function trackedHistory(history: readonly (readonly string[])[], lang: Lang): TrackedParagraph[] {
  const joined = history.map((paragraphs) => paragraphs.map((text) => text.replaceAll(SEPARATOR, ' ')).join(SEPARATOR));
  const baseText = joined[0] ?? '';
  let live: LiveChar[] = Array.from(baseText, (ch, index) => ({ ch, base: index, by: null }));
  // Array.from splits by code point; the base index counts code points too.
  const baseChars = Array.from(baseText);
  const deletedBy = new Map<number, number>();
  const segmenter = new Intl.Segmenter(LOCALE[lang], { granularity: 'word' });
  for (let revision = 1; revision < joined.length; revision += 1) {
    const before = live.map((entry) => entry.ch).join('');
    const after = joined[revision]!;
    if (before === after) continue;
    live = step(live, diffWords(before, after, { intlSegmenter: segmenter }), revision, deletedBy);
  }
  const baseUnits: number[] = [];
  let unit = 0;
  for (const ch of baseChars) {
    baseUnits.push(unit);
    if (ch === SEPARATOR) unit += 1;
  }
  return paragraphsOf(merge(live, baseChars, deletedBy), history.at(-1)?.length ?? 0, baseUnits);
}

/**
 * One version's changes applied to the characters. diffWords reports whitespace differences inside
 * unchanged text as unchanged (and takes that whitespace from the newer text), so the older text is
 * consumed tolerantly there: a run of whitespace matches any run, a new whitespace character keeps the
 * identity of the old one it stands for, or none.
 */
function step(
  live: readonly LiveChar[],
  parts: readonly { value: string; added?: boolean; removed?: boolean }[],
  revision: number,
  deletedBy: Map<number, number>,
): LiveChar[] {
  const next: LiveChar[] = [];
  let at = 0;
  const drop = (entry: LiveChar) => {
    if (entry.base !== null && !deletedBy.has(entry.base)) deletedBy.set(entry.base, revision);
  };
  // Older whitespace diffWords passed over: it is the space the insertion just before it ends with
  // ("term, sustainable and": the space before "and" was there already), or else deleted, so that
  // accepting every change gives the newer text and rejecting every change the older, exactly.
  const skipSpace = () => {
    const old = live[at++]!;
    const last = next.at(-1);
    if (last && last.by === revision && last.base === null && last.ch === old.ch) next[next.length - 1] = old;
    else if (old.ch !== SEPARATOR) drop(old);
  };
  for (const part of parts) {
    const chars = Array.from(part.value);
    if (part.added) {
      for (const ch of chars) next.push({ ch, base: null, by: revision });
      continue;
    }
    for (const ch of chars) {
      if (isSpace(ch)) {
        const old = live[at];
        if (isSpace(old?.ch) || (old?.ch === SEPARATOR && part.removed !== true)) {
          at += 1;
          if (part.removed) drop(old!);
          else next.push(old!.ch === ch ? old! : { ch, base: null, by: revision });
          while (isSpace(live[at]?.ch)) skipSpace();
        } else if (!part.removed) next.push({ ch, base: null, by: revision });
        continue;
      }
      // Whitespace the newer text left out before a character.
      while (live[at] !== undefined && live[at]!.ch !== ch && (isSpace(live[at]!.ch) || live[at]!.ch === SEPARATOR)) skipSpace();
      const old = live[at];
      if (old === undefined || old.ch !== ch) {
        // Not the text it claims to be: take the newer text as written, as this version's.
        if (!part.removed) next.push({ ch, base: null, by: revision });
        continue;
      }
      at += 1;
      if (part.removed) drop(old);
      else next.push(old);
    }
  }
  return next;
}

interface MergedChar {
  readonly ch: string;
  readonly live: boolean;
  /** Its index in the earliest text, when it stood there. */
  readonly base?: number;
  readonly change?: TrackedRun['change'];
}

/** The latest text with the earliest text's lost characters put back where they stood, deletions before insertions. */
function merge(live: readonly LiveChar[], baseChars: readonly string[], deletedBy: ReadonlyMap<number, number>): MergedChar[] {
  const result: MergedChar[] = [];
  const kept = new Set(live.flatMap((entry) => (entry.base === null ? [] : [entry.base])));
  let nextDeleted = 0;
  const flushBefore = (limit: number) => {
    for (; nextDeleted < limit && nextDeleted < baseChars.length; nextDeleted += 1) {
      if (kept.has(nextDeleted)) continue;
      const revision = deletedBy.get(nextDeleted);
      // A base character neither kept nor deleted was whitespace diffWords merged away: nothing to show.
      if (revision !== undefined)
        result.push({ ch: baseChars[nextDeleted]!, live: false, base: nextDeleted, change: { kind: 'delete', revision } });
    }
  };
  const nextBase: number[] = new Array(live.length);
  let upcoming = baseChars.length;
  for (let index = live.length - 1; index >= 0; index -= 1) {
    if (live[index]!.base !== null) upcoming = live[index]!.base!;
    nextBase[index] = upcoming;
  }
  live.forEach((entry, index) => {
    flushBefore(entry.base ?? nextBase[index]!);
    if (entry.base !== null) nextDeleted = Math.max(nextDeleted, entry.base + 1);
    result.push({ ch: entry.ch, live: true, ...(entry.by !== null && { change: { kind: 'insert' as const, revision: entry.by } }) });
  });
  flushBefore(baseChars.length);
  return result;
}

/**
 * Paragraphs again: each separator the latest text holds ends one of its paragraphs; a separator only
 * the earliest held ends a paragraph deleted whole, or (two paragraphs joined) nothing.
 */
function paragraphsOf(merged: readonly MergedChar[], units: number, baseUnits: readonly number[]): TrackedParagraph[] {
  const lost = (segment: readonly MergedChar[]): TrackedParagraph => {
    const from = segment.find((entry) => entry.base !== undefined)?.base;
    return { unit: null, ...(from !== undefined && { was: baseUnits[from]! }), runs: runsOf(segment) };
  };
  const pieces: MergedChar[][][] = [[[]]];
  for (const entry of merged) {
    if (entry.ch === SEPARATOR && entry.live) pieces.push([[]]);
    else if (entry.ch === SEPARATOR) pieces.at(-1)!.push([]);
    else pieces.at(-1)!.at(-1)!.push(entry);
  }
  const result: TrackedParagraph[] = [];
  pieces.forEach((segments, index) => {
    const unit = index < units ? index : null;
    const ownText: MergedChar[] = [];
    const deletedBefore: MergedChar[][] = [];
    const deletedAfter: MergedChar[][] = [];
    for (const segment of segments) {
      if (segment.length > 0 && segment.every((entry) => !entry.live)) (ownText.length === 0 ? deletedBefore : deletedAfter).push(segment);
      else ownText.push(...segment);
    }
    for (const segment of deletedBefore) result.push(lost(segment));
    if (unit !== null) result.push({ unit, runs: runsOf(ownText) });
    else if (ownText.length > 0) result.push(lost(ownText));
    for (const segment of deletedAfter) result.push(lost(segment));
  });
  return result;
}

function runsOf(chars: readonly MergedChar[]): TrackedRun[] {
  const runs: { text: string; change?: TrackedRun['change'] }[] = [];
  for (const entry of chars) {
    const last = runs.at(-1);
    if (last && last.change?.kind === entry.change?.kind && last.change?.revision === entry.change?.revision) last.text += entry.ch;
    else runs.push({ text: entry.ch, ...(entry.change && { change: entry.change }) });
  }
  return runs;
}
