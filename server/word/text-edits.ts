import { diffArrays } from 'diff';
import type { FieldRun, Inline } from '../text/editable-text.ts';
import type { UnitPiece } from './draft-units.ts';

/**
 * How a paragraph read back from Word differs from the one exported, as edits of the exported text
 * (offsets into it), and those edits applied to the paragraph's pieces: text changes where it was made,
 * a field survives whole or is deleted whole, and an edit inside a field's value is reported instead of
 * turning the field into plain text.
 */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly insert: string;
}

/** One stretch of a paragraph as Word stores it: unchanged, or a tracked insertion or deletion. */
export interface TrackedSegment {
  readonly text: string;
  readonly status: 'same' | 'ins' | 'del';
}

/** Words, runs of space, and single other characters: what a lawyer changes one at a time. */
const TOKEN = /[\p{L}\p{M}\p{N}]+|\s+|[^\p{L}\p{M}\p{N}\s]/gu;

/** The edits that turn `before` into `after`, word by word, each trimmed to the characters that differ. */
export function editsBetween(before: string, after: string): TextEdit[] {
  const edits: TextEdit[] = [];
  let position = 0;
  let removed = '';
  let added = '';
  const flush = () => {
    let prefix = 0;
    while (prefix < removed.length && prefix < added.length && removed[prefix] === added[prefix]) prefix += 1;
    let suffix = 0;
    while (
      suffix < removed.length - prefix &&
      suffix < added.length - prefix &&
      removed[removed.length - 1 - suffix] === added[added.length - 1 - suffix]
    )
      suffix += 1;
    const start = position - removed.length + prefix;
    const end = position - suffix;
    const insert = added.slice(prefix, added.length - suffix);
    if (start !== end || insert !== '') edits.push({ start, end, insert });
    removed = '';
    added = '';
  };
  for (const part of diffArrays(before.match(TOKEN) ?? [], after.match(TOKEN) ?? [])) {
    const text = part.value.join('');
    if (part.removed) {
      removed += text;
      position += text.length;
    } else if (part.added) {
      added += text;
    } else {
      flush();
      position += text.length;
    }
  }
  flush();
  return edits;
}

/** The edits Word recorded as tracked changes, as offsets into the text before them. */
export function editsOfSegments(segments: readonly TrackedSegment[]): TextEdit[] {
  const edits: TextEdit[] = [];
  let position = 0;
  for (const segment of segments) {
    if (segment.status === 'same') {
      position += segment.text.length;
      continue;
    }
    const edit =
      segment.status === 'del'
        ? { start: position, end: position + segment.text.length, insert: '' }
        : { start: position, end: position, insert: segment.text };
    if (segment.status === 'del') position += segment.text.length;
    const last = edits.at(-1);
    // A replacement is a deletion and an insertion side by side: one edit.
    if (last && last.end === edit.start) edits[edits.length - 1] = { start: last.start, end: edit.end, insert: last.insert + edit.insert };
    else edits.push(edit);
  }
  return edits;
}

/** The text before (deletions kept, insertions dropped) and after the tracked changes. */
export function segmentTexts(segments: readonly TrackedSegment[]): { before: string; after: string } {
  return {
    before: segments
      .filter((segment) => segment.status !== 'ins')
      .map((segment) => segment.text)
      .join(''),
    after: segments
      .filter((segment) => segment.status !== 'del')
      .map((segment) => segment.text)
      .join(''),
  };
}

export interface FieldEdit {
  readonly field: FieldRun;
  /** The field's value as exported, and what the paragraph holds there now. */
  readonly value: string;
  readonly found: string;
}

/**
 * The paragraph's new inline content: `edits` applied to its pieces. An edit that covers a field whole
 * deletes it; one that changes part of a field's value is not applied and comes back in `fieldEdits`.
 */
export function applyEdits(
  pieces: readonly UnitPiece[],
  edits: readonly TextEdit[],
  after: string,
): { content: Inline[]; fieldEdits: FieldEdit[] } {
  const spans: { piece: UnitPiece; start: number; end: number }[] = [];
  let offset = 0;
  for (const piece of pieces) {
    spans.push({ piece, start: offset, end: offset + piece.text.length });
    offset += piece.text.length;
  }
  const fieldEdits: FieldEdit[] = [];
  const applied = edits.filter((edit) => {
    const hurt = spans.find(
      ({ piece, start, end }) =>
        piece.field &&
        !(edit.start <= start && edit.end >= end && edit.end > edit.start) &&
        (edit.start < end && edit.end > start ? true : edit.start === edit.end && edit.start > start && edit.start < end),
    );
    if (!hurt) return true;
    fieldEdits.push({ field: hurt.piece.field!, value: hurt.piece.text, found: foundAt(after, edits, hurt) });
    return false;
  });
  const content: Inline[] = [];
  const pushText = (text: string) => {
    if (text === '') return;
    const last = content.at(-1);
    if (last?.type === 'text') content[content.length - 1] = { type: 'text', text: last.text + text };
    else content.push({ type: 'text', text });
  };
  const copy = (from: number, to: number) => {
    for (const { piece, start, end } of spans) {
      if (end <= from || start >= to) continue;
      if (piece.field) content.push(piece.field);
      else pushText(piece.text.slice(Math.max(from, start) - start, Math.min(to, end) - start));
    }
  };
  let position = 0;
  for (const edit of applied) {
    copy(position, edit.start);
    pushText(edit.insert);
    position = edit.end;
  }
  copy(position, offset);
  return { content, fieldEdits };
}

/** What the edited paragraph holds where a field's value was: its span moved by the edits before it. */
function foundAt(after: string, edits: readonly TextEdit[], span: { start: number; end: number }): string {
  let shift = 0;
  let grow = 0;
  for (const edit of edits) {
    const delta = edit.insert.length - (edit.end - edit.start);
    if (edit.end <= span.start && edit.start < span.start) shift += delta;
    else if (edit.start < span.end) grow += delta;
  }
  return after.slice(span.start + shift, span.end + shift + grow);
}
