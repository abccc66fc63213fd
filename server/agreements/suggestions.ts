import { diffArrays, diffWords } from 'diff';
import type { Queryable } from '../../db/connection.ts';
import type { SuggestionChange, SuggestionRecord } from '../../db/repositories/suggestions.repository.ts';
import { findSuggestion } from '../../db/repositories/suggestions.repository.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { LOCALE, type Lang } from '../text/languages.ts';
import { parseEditable, serializeEditable } from '../text/editable-text.ts';
import { mergeWordChanges, tokens } from '../text/merge-words.ts';
import { editableTextOf, parseClauseText, readableText, type ClauseTextContext } from './editable-clauses.ts';

/**
 * What the suggestion use-cases share: the state a suggestion is shown in (an open one whose base is
 * no longer the clause's text is outdated), and the word-level changes between two editable texts,
 * as the language's reader reads them (fields filled in).
 */
export type SuggestionState = 'open' | 'outdated' | 'accepted' | 'rejected' | 'withdrawn';

export interface SuggestionView {
  readonly id: number;
  readonly clause: string;
  readonly lang: string;
  readonly state: SuggestionState;
  readonly by: string;
  readonly party: string;
  readonly at: string;
  readonly baseVersion: number;
  /** The clause's text in that language the suggestion was made on. */
  readonly baseText: string;
  readonly text: string;
  readonly changes: readonly SuggestionChange[];
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly acceptedVersion: number | null;
}

export interface DiffRun {
  readonly value: string;
  readonly added: boolean;
  readonly removed: boolean;
}

/** The clause's current editable text in the language, or null when the clause is gone. */
export function currentClauseText(at: ClauseTextContext, clause: string, lang: Lang): string | null {
  return at.source.clauses.some((existing) => existing.key === clause) ? editableTextOf(at, clause, lang) : null;
}

/**
 * The suggestion carried onto the clause's current text: its own text while that is unchanged; after
 * other changes that touch none of its words (mergeWordChanges), its changes applied to the current
 * text; null when the clause is gone, a change touched the same words, or the merge no longer parses
 * (the suggestion is outdated).
 */
export function rebasedText(
  at: ClauseTextContext,
  suggestion: Pick<SuggestionRecord, 'clause' | 'lang' | 'baseText' | 'text'>,
): string | null {
  const lang = suggestion.lang as Lang;
  const current = currentClauseText(at, suggestion.clause, lang);
  if (current === null) return null;
  if (current === suggestion.baseText) return suggestion.text;
  const merged = mergeWordChanges(suggestion.baseText, current, suggestion.text);
  if (merged === null) return null;
  try {
    const text = serializeEditable(parseClauseText(at, suggestion.clause, lang, merged));
    return text === current ? null : text;
  } catch {
    return null;
  }
}

export function isOutdated(at: ClauseTextContext, suggestion: SuggestionRecord): boolean {
  return suggestion.state === 'open' && rebasedText(at, suggestion) === null;
}

export function suggestionView(at: ClauseTextContext, suggestion: SuggestionRecord): SuggestionView {
  const {
    id,
    clause,
    lang,
    by,
    party,
    at: madeAt,
    baseVersion,
    baseText,
    text,
    changes,
    decidedBy,
    decidedAt,
    acceptedVersion,
  } = suggestion;
  return {
    id,
    clause,
    lang,
    state: isOutdated(at, suggestion) ? 'outdated' : suggestion.state,
    by,
    party,
    at: madeAt,
    baseVersion,
    baseText,
    text,
    changes,
    decidedBy,
    decidedAt,
    acceptedVersion,
  };
}

/** The word diff of two editable texts of a clause in a language, as read in the viewer's original. */
export function diffRuns(at: ClauseTextContext, clause: string, lang: Lang, before: string, after: string, viewer?: string): DiffRun[] {
  const readable = (text: string) => (text === '' ? '' : readableText(at, parseEditable(text, { clause, lang }), clause, lang, viewer));
  return diffWords(readable(before), readable(after), {
    intlSegmenter: new Intl.Segmenter(LOCALE[lang], { granularity: 'word' }),
  }).map(({ value, added, removed }) => ({ value, added, removed }));
}

/**
 * The same diff, token by token (merge-words.ts), keeping every character where it stands: the
 * unchanged and deleted runs are exactly `before` as read, the unchanged and inserted ones `after`.
 * diffWords moves whitespace between runs; the desk places marks by position and needs this.
 */
export function exactDiffRuns(
  at: ClauseTextContext,
  clause: string,
  lang: Lang,
  before: string,
  after: string,
  viewer?: string,
): DiffRun[] {
  const readable = (text: string) => (text === '' ? '' : readableText(at, parseEditable(text, { clause, lang }), clause, lang, viewer));
  return diffArrays(tokens(readable(before)), tokens(readable(after))).map((part) => ({
    value: part.value.join(''),
    added: Boolean(part.added),
    removed: Boolean(part.removed),
  }));
}

/** Only what was inserted and deleted, in order. */
export function changesOf(runs: readonly DiffRun[]): SuggestionChange[] {
  return runs
    .filter((run) => run.added || run.removed)
    .map((run) => ({ op: run.added ? 'insert' : 'delete', text: run.value }) as const)
    .filter((change) => change.text.trim() !== '');
}

/** The suggestion of this agreement, or 404. */
export async function requireSuggestion(db: Queryable, agreementId: number, id: number): Promise<SuggestionRecord> {
  const suggestion = await findSuggestion(db, agreementId, id);
  if (!suggestion) throw new NotFoundError(`The agreement has no suggestion ${id}`);
  return suggestion;
}

/** A decision is made once: an accepted, rejected or withdrawn suggestion is refused, nothing changes. */
export function requireOpen(suggestion: SuggestionRecord): void {
  if (suggestion.state !== 'open')
    throw new RuleViolationError(`Suggestion ${suggestion.id} is already ${suggestion.state}`, { suggestion: suggestion.id });
}
