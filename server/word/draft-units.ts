import type { Lang } from '../text/languages.ts';
import { fieldValue, type EditableDoc, type FieldRun, type Inline } from '../text/editable-text.ts';
import { contextOf, editableDocOf, type ClauseTextContext } from '../agreements/editable-clauses.ts';

/**
 * A clause's text in one language cut into the paragraphs a Word file holds, each with the pieces it
 * is made of: text the lawyer may edit, and field values (fields) that stand for the agreement's data.
 * The export writes exactly these paragraphs, each under a bookmark naming it; the import computes them
 * again from the version the file came from and reads the file's paragraphs against them. Both sides
 * read the fields in the same original and on the same date, so a field's value is the same text.
 */
export interface UnitPiece {
  readonly text: string;
  /** Present when the piece is a field's value: the field it stands for. */
  readonly field?: FieldRun;
}

export type DraftUnit =
  | { readonly kind: 'paragraph'; readonly block: number; readonly pieces: readonly UnitPiece[] }
  | {
      readonly kind: 'item';
      readonly block: number;
      readonly entry: number;
      readonly ordered: boolean;
      readonly pieces: readonly UnitPiece[];
    }
  /** One value of a list field (the areas of cooperation): it is the agreement's data, not the clause's text. */
  | {
      readonly kind: 'listValue';
      readonly block: number;
      readonly entry: number;
      readonly ordered: boolean;
      readonly ref: string;
      readonly text: string;
    };

export interface ClauseUnits {
  readonly key: string;
  /** The clause's position in the version's text: the bookmarks name clauses by it. */
  readonly index: number;
  readonly lang: Lang;
  readonly doc: EditableDoc;
  readonly units: readonly DraftUnit[];
}

/** What a unit reads as: its pieces' text joined. */
export function unitText(unit: DraftUnit): string {
  return unit.kind === 'listValue' ? unit.text : unit.pieces.map((piece) => piece.text).join('');
}

/** The paragraphs of one clause in one language, read in `original`'s original. */
export function clauseUnits(at: ClauseTextContext, key: string, lang: Lang, original: string): ClauseUnits {
  const index = at.source.clauses.findIndex((clause) => clause.key === key);
  const doc = editableDocOf(at, key, lang);
  const context = contextOf(at, lang, original);
  const origin = { clause: key, lang };
  const pieces = (runs: readonly Inline[]): UnitPiece[] =>
    runs.map((run) => (run.type === 'text' ? { text: run.text } : { text: fieldValue(run, context, origin), field: run }));
  const units: DraftUnit[] = [];
  if (doc.inline) units.push({ kind: 'paragraph', block: 0, pieces: pieces(doc.content) });
  else
    doc.blocks.forEach((block, blockIndex) => {
      if (block.type === 'paragraph') {
        units.push({ kind: 'paragraph', block: blockIndex, pieces: pieces(block.content) });
        return;
      }
      block.entries.forEach((entry, entryIndex) => {
        if (entry.type === 'item') {
          units.push({ kind: 'item', block: blockIndex, entry: entryIndex, ordered: block.ordered, pieces: pieces(entry.content) });
          return;
        }
        const values = listValues(context, entry.ref);
        values.forEach((value, position) => {
          const last = position === values.length - 1;
          units.push({
            kind: 'listValue',
            block: blockIndex,
            entry: entryIndex,
            ordered: block.ordered,
            ref: entry.ref,
            text: value + (last ? entry.end : entry.sep),
          });
        });
      });
    });
  return { key, index, lang, doc, units };
}

function listValues(context: object, ref: string): string[] {
  let value: unknown = context;
  for (const part of ref.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return Array.isArray(value) ? value.map(String) : [];
}

/**
 * Bookmark names: Word allows 40 letters, digits and underscores, starting with a letter. A clause is
 * named by its position in the version's text (its key may hold hyphens and be long).
 */
export const MARKER_PREFIX = 'bl_';
export function unitMarker(clauseIndex: number, lang: Lang, unit: number | 'h'): string {
  return `${MARKER_PREFIX}${clauseIndex}_${lang}_${unit}`;
}
/** Paragraphs the import must find unchanged: the header row, the signature blocks. */
export function fixedMarker(index: number): string {
  return `${MARKER_PREFIX}fix_${index}`;
}

export type ParsedMarker =
  | { readonly kind: 'unit'; readonly clauseIndex: number; readonly lang: string; readonly unit: number }
  | { readonly kind: 'heading'; readonly clauseIndex: number; readonly lang: string }
  | { readonly kind: 'fixed'; readonly index: number };

export function parseMarker(name: string): ParsedMarker | undefined {
  const fixed = /^bl_fix_(\d{1,5})$/.exec(name);
  if (fixed) return { kind: 'fixed', index: Number(fixed[1]) };
  const match = /^bl_(\d{1,4})_([a-z]{2})_(h|\d{1,4})$/.exec(name);
  if (!match) return undefined;
  const clauseIndex = Number(match[1]);
  return match[3] === 'h'
    ? { kind: 'heading', clauseIndex, lang: match[2]! }
    : { kind: 'unit', clauseIndex, lang: match[2]!, unit: Number(match[3]) };
}

/** The custom document properties the export writes and the import reads back. */
export const PROPERTY = {
  agreement: 'BilateralAgreement',
  version: 'BilateralVersion',
  original: 'BilateralOriginal',
  date: 'BilateralDate',
  layout: 'BilateralLayout',
} as const;
