import { diffArrays } from 'diff';

/**
 * A three-way merge of two changes made to the same editable text, word by word: how a suggestion made
 * on an older text is carried onto the text as it stands now. Pure.
 *
 * The texts are cut into tokens (a field or tag whole, a word, a run of spaces, one other character),
 * so a change never splits a field or a tag. Each side's changes are hunks over the common base's
 * tokens; two hunks touch the same words when their ranges overlap, or when one inserts at the edge or
 * inside of the other (an insertion right after deleted words is a change to those words). If no hunk
 * of one side touches a hunk of the other, the merge is the base with both sides' hunks applied; else
 * it is `null` and the suggestion is outdated.
 */
export function mergeWordChanges(base: string, current: string, proposed: string): string | null {
  if (current === base) return proposed;
  if (proposed === base) return current;
  const baseTokens = tokens(base);
  const ours = hunks(baseTokens, tokens(current));
  const theirs = hunks(baseTokens, tokens(proposed));
  for (const a of ours) for (const b of theirs) if (touch(a, b)) return null;
  const all = [...ours, ...theirs].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const hunk of all) {
    out += baseTokens.slice(at, hunk.start).join('') + hunk.inserted.join('');
    at = hunk.end;
  }
  return out + baseTokens.slice(at).join('');
}

/** The hunks of a change, `[start, end)` of the base's tokens replaced by `inserted`. */
export interface Hunk {
  readonly start: number;
  readonly end: number;
  readonly inserted: readonly string[];
}

const TOKEN = /<[^>]*>|[\p{L}\p{M}\p{N}]+|\s+|[\s\S]/gu;

export function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function hunks(base: readonly string[], changed: readonly string[]): Hunk[] {
  const found: Hunk[] = [];
  let at = 0;
  let open: { start: number; end: number; inserted: string[] } | undefined;
  for (const part of diffArrays(base as string[], changed as string[])) {
    if (!part.added && !part.removed) {
      if (open) found.push(open);
      open = undefined;
      at += part.count ?? part.value.length;
      continue;
    }
    open ??= { start: at, end: at, inserted: [] };
    if (part.removed) {
      at += part.count ?? part.value.length;
      open.end = at;
    } else open.inserted.push(...part.value);
  }
  if (open) found.push(open);
  return found;
}

function touch(a: Hunk, b: Hunk): boolean {
  if (a.start < b.end && b.start < a.end) return true;
  // An insertion (an empty range) touches what it stands at the edge of or inside, and another insertion at the same place.
  if (a.start === a.end && b.start <= a.start && a.start <= b.end) return true;
  if (b.start === b.end && a.start <= b.start && b.start <= a.end) return true;
  return false;
}
