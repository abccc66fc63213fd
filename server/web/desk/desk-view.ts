import type { CommentRecord } from '../../../db/repositories/comments.repository.ts';
import type { User } from '../../../db/repositories/users.repository.ts';
import type { Lang } from '../../text/languages.ts';
import { fieldCatalog, fieldValue, type EditableDoc, type FieldRun, type Inline } from '../../text/editable-text.ts';
import { contextOf, editableDocOf, type ClauseTextContext } from '../../agreements/editable-clauses.ts';
import {
  currentClauseText,
  diffRuns,
  exactDiffRuns,
  rebasedText,
  type DiffRun,
  type SuggestionView,
} from '../../agreements/suggestions.ts';
import { formatDateTime, translate } from '../i18n.ts';

/**
 * What the drafting desk shows of one clause in one language, built from the editable format: the
 * editor's document (ProseMirror JSON, fields carrying the value they show in this language, in the
 * reader's own original), the same text as printed for reading without the editor, and the field menu.
 */
export interface DeskColumnText {
  readonly doc: string;
  readonly inline: boolean;
  readonly readable: readonly ReadableBlock[];
  readonly fields: readonly { readonly ref: string; readonly label: string; readonly value: string }[];
  /** List-valued data (areas of cooperation, ...): inserted as a list field, one item per entry; none in a one-line text. */
  readonly lists: readonly { readonly ref: string; readonly label: string; readonly value: string; readonly values: string }[];
}

type ReadableRun = { readonly text: string } | { readonly field: true; readonly value: string; readonly label: string };
type ReadableBlock =
  | { readonly paragraph: true; readonly runs: readonly ReadableRun[] }
  | { readonly list: true; readonly ordered: boolean; readonly items: readonly (readonly ReadableRun[])[] };

/** "Party named first · genitive": each part of a field's name in the page's language, or the part itself. */
export function fieldLabel(pageLang: Lang, ref: string): string {
  return ref
    .split('.')
    .map((part) => translate(pageLang, `desk.fieldName.${part}`, { fallback: part }))
    .join(' · ');
}

export function deskColumnText(at: ClauseTextContext, key: string, lang: Lang, viewer: User, pageLang: Lang): DeskColumnText {
  const doc = editableDocOf(at, key, lang);
  const context = contextOf(at, lang, viewer.party);
  const catalog = fieldCatalog(context);
  const origin = { clause: key, lang };
  const shown = (field: FieldRun) => {
    try {
      return fieldValue(field, context, origin);
    } catch {
      return field.ref ?? '';
    }
  };
  const label = (field: FieldRun) => (field.ref ? fieldLabel(pageLang, field.ref) : (field.expr ?? ''));
  const pmInline = (runs: readonly Inline[]) =>
    runs.map((run) =>
      run.type === 'text'
        ? { type: 'text', text: run.text }
        : {
            type: 'field',
            attrs: {
              ref: run.ref ?? null,
              capitalize: Boolean(run.capitalize),
              josa: run.josa ?? null,
              expr: run.expr ?? null,
              value: shown(run),
              label: label(run),
            },
          },
    );
  const paragraph = (runs: readonly Inline[]) => ({ type: 'paragraph', ...(runs.length > 0 && { content: pmInline(runs) }) });
  const readableRuns = (runs: readonly Inline[]): ReadableRun[] =>
    runs.map((run) => (run.type === 'text' ? { text: run.text } : { field: true, value: shown(run), label: label(run) }));
  const listValues = (ref: string) => (context as Record<string, unknown>)[ref] ?? lookup(context, ref);

  const pm = doc.inline
    ? { type: 'doc', content: [paragraph(doc.content)] }
    : {
        type: 'doc',
        content: doc.blocks.length === 0 ? [paragraph([])] : doc.blocks.map((block) => pmBlock(block)),
      };
  function pmBlock(block: Exclude<EditableDoc, { inline: true }>['blocks'][number]) {
    if (block.type === 'paragraph') return paragraph(block.content);
    return {
      type: block.ordered ? 'ordered_list' : 'bullet_list',
      content: block.entries.map((entry) =>
        entry.type === 'item'
          ? { type: 'list_item', content: [paragraph(entry.content)] }
          : {
              type: 'list_field',
              attrs: {
                ref: entry.ref,
                sep: entry.sep,
                end: entry.end,
                values: listValues(entry.ref) ?? [],
                label: fieldLabel(pageLang, entry.ref),
              },
            },
      ),
    };
  }
  const readable: ReadableBlock[] = doc.inline
    ? [{ paragraph: true, runs: readableRuns(doc.content) }]
    : doc.blocks.map((block) =>
        block.type === 'paragraph'
          ? { paragraph: true, runs: readableRuns(block.content) }
          : {
              list: true,
              ordered: block.ordered,
              items: block.entries.flatMap((entry) =>
                entry.type === 'item'
                  ? [readableRuns(entry.content)]
                  : ((listValues(entry.ref) as string[] | undefined) ?? []).map((value, index, all) => [
                      {
                        field: true as const,
                        value: `${value}${index + 1 < all.length ? entry.sep : entry.end}`,
                        label: fieldLabel(pageLang, entry.ref),
                      },
                    ]),
              ),
            },
      );
  return {
    doc: JSON.stringify(pm),
    inline: doc.inline,
    readable,
    fields: [...catalog]
      .filter(([, field]) => field.kind === 'text' && field.value !== '')
      .map(([ref, field]) => ({ ref, label: fieldLabel(pageLang, ref), value: field.value })),
    lists: doc.inline
      ? []
      : [...catalog]
          .filter(([, field]) => field.kind === 'list')
          .map(([ref, field]) => ({
            ref,
            label: fieldLabel(pageLang, ref),
            value: field.value,
            values: JSON.stringify(listValues(ref) ?? []),
          })),
  };
}

function lookup(context: object, ref: string): unknown {
  let value: unknown = context;
  for (const part of ref.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/** A suggestion as a column shows it: its changes marked in the text as the reader reads it, and its thread. */
export function deskSuggestion(
  at: ClauseTextContext,
  suggestion: SuggestionView,
  viewer: User,
  comments: readonly CommentRecord[],
  may: { readonly decide: boolean; readonly suggest: boolean },
  reader: DeskReader,
) {
  const lang = suggestion.lang as Lang;
  let runs: DiffRun[] = [];
  try {
    runs = diffRuns(at, suggestion.clause, lang, suggestion.baseText, suggestion.text, viewer.party);
  } catch {
    runs = [];
  }
  const open = suggestion.state === 'open';
  const thread = comments.filter((comment) => comment.suggestion === suggestion.id);
  return {
    ...suggestion,
    byName: reader.nameOf(suggestion.by),
    decidedByName: suggestion.decidedBy ? reader.nameOf(suggestion.decidedBy) : null,
    runs,
    open,
    live: open || suggestion.state === 'outdated',
    canAccept: open && may.decide,
    canReject: (open || suggestion.state === 'outdated') && may.decide,
    canWithdraw: (open || suggestion.state === 'outdated') && may.suggest && suggestion.by === viewer.email,
    thread: thread
      .filter((comment) => comment.replyTo === null)
      .map((comment) => ({
        ...comment,
        replies: thread.filter((reply) => reply.replyTo === comment.id),
      })),
    firstThread: thread.find((comment) => comment.replyTo === null)?.id,
  };
}

/**
 * What the editor marks inline in a column's text: the changes since the reader's last approval and
 * each open suggestion (an outdated one cannot be placed on the current text; it stays listed beside).
 * Each is a word diff whose unchanged and deleted runs are the current text as the editor reads it, so
 * the browser places the marks by position; a mark that does not fit the text is left to the list.
 */
export interface DeskMark {
  readonly kind: 'since' | 'suggestion';
  readonly id?: number;
  /** Who and when, in the page's language: the mark's title and what a screen reader hears. */
  readonly label: string;
  readonly runs: readonly DiffRun[];
}

/** How the page's reader reads people and moments: names in the script of their language, times in their zone. */
export interface DeskReader {
  readonly lang: Lang;
  readonly timeZone: string;
  readonly nameOf: (email: string) => string;
}

export function deskMarks(
  at: ClauseTextContext,
  key: string,
  lang: Lang,
  viewer: User,
  reader: DeskReader,
  approved: string | undefined,
  suggestions: readonly SuggestionView[],
): DeskMark[] {
  const pageLang = reader.lang;
  const marks: DeskMark[] = [];
  const current = currentClauseText(at, key, lang);
  if (current === null) return marks;
  if (approved !== undefined && approved !== current) {
    try {
      marks.push({
        kind: 'since',
        label: translate(pageLang, 'desk.sinceApproval'),
        runs: exactDiffRuns(at, key, lang, approved, current, viewer.party),
      });
    } catch {
      // An approved text the current format cannot read is left to the list under the text.
    }
  }
  for (const suggestion of suggestions) {
    if (suggestion.state !== 'open') continue;
    const text = rebasedText(at, suggestion);
    if (text === null) continue;
    let runs: DiffRun[];
    try {
      runs = exactDiffRuns(at, key, lang, current, text, viewer.party);
    } catch {
      continue;
    }
    marks.push({
      kind: 'suggestion',
      id: suggestion.id,
      label: translate(pageLang, 'desk.markLabel', {
        id: suggestion.id,
        by: reader.nameOf(suggestion.by),
        at: formatDateTime(pageLang, suggestion.at, reader.timeZone),
      }),
      runs,
    });
  }
  return marks;
}
