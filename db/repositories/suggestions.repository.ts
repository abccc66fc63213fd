import type { Queryable } from '../connection.ts';

/** A suggestion's state as stored; an open one whose base is no longer the text is shown as outdated. */
export type StoredSuggestionState = 'open' | 'accepted' | 'rejected' | 'withdrawn';

export interface SuggestionChange {
  readonly op: 'insert' | 'delete';
  readonly text: string;
}

export interface SuggestionRecord {
  readonly id: number;
  readonly clause: string;
  readonly lang: string;
  readonly authorId: number;
  readonly by: string;
  readonly party: string;
  readonly baseVersion: number;
  readonly baseText: string;
  readonly text: string;
  readonly changes: readonly SuggestionChange[];
  readonly state: StoredSuggestionState;
  readonly at: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly acceptedVersion: number | null;
}

const select = (db: Queryable, agreementId: number) =>
  db('suggestions')
    .join('users as authors', 'authors.id', 'suggestions.author_id')
    .leftJoin('users as deciders', 'deciders.id', 'suggestions.decided_by')
    .where('suggestions.agreement_id', agreementId)
    .orderBy('suggestions.id')
    .select('suggestions.*', 'authors.email as author_email', 'deciders.email as decider_email');

const toRecord = (row: Record<string, unknown>): SuggestionRecord => ({
  id: row.id as number,
  clause: row.clause_key as string,
  lang: row.lang as string,
  authorId: row.author_id as number,
  by: row.author_email as string,
  party: row.party_key as string,
  baseVersion: row.base_version as number,
  baseText: row.base_text as string,
  text: row.text as string,
  changes: JSON.parse(row.changes as string),
  state: row.state as StoredSuggestionState,
  at: row.created_at as string,
  decidedBy: (row.decider_email as string | null) ?? null,
  decidedAt: (row.decided_at as string | null) ?? null,
  acceptedVersion: (row.accepted_version as number | null) ?? null,
});

/** Inserts an open suggestion and returns its id. */
export async function insertSuggestion(
  db: Queryable,
  agreementId: number,
  suggestion: {
    clause: string;
    lang: string;
    authorId: number;
    party: string;
    baseVersion: number;
    baseText: string;
    text: string;
    changes: readonly SuggestionChange[];
    at: string;
  },
): Promise<number> {
  const [row] = await db('suggestions')
    .insert({
      agreement_id: agreementId,
      clause_key: suggestion.clause,
      lang: suggestion.lang,
      author_id: suggestion.authorId,
      party_key: suggestion.party,
      base_version: suggestion.baseVersion,
      base_text: suggestion.baseText,
      text: suggestion.text,
      changes: JSON.stringify(suggestion.changes),
      state: 'open',
      created_at: suggestion.at,
    })
    .returning('id');
  return typeof row === 'object' ? row.id : row;
}

/** The agreement's suggestions, oldest first. */
export async function listSuggestions(db: Queryable, agreementId: number): Promise<SuggestionRecord[]> {
  return (await select(db, agreementId)).map(toRecord);
}

export async function findSuggestion(db: Queryable, agreementId: number, id: number): Promise<SuggestionRecord | undefined> {
  const row = await select(db, agreementId).andWhere('suggestions.id', id).first();
  return row && toRecord(row);
}

/**
 * Closes an open suggestion (accepted, rejected, withdrawn); false when it was not open any more, so
 * two deciders racing cannot both succeed. Call inside the decision's transaction.
 */
export async function closeSuggestion(
  db: Queryable,
  agreementId: number,
  id: number,
  close: { state: Exclude<StoredSuggestionState, 'open'>; by: number; at: string; acceptedVersion?: number },
): Promise<boolean> {
  const updated = await db('suggestions')
    .where({ agreement_id: agreementId, id, state: 'open' })
    .update({ state: close.state, decided_by: close.by, decided_at: close.at, accepted_version: close.acceptedVersion ?? null });
  return updated === 1;
}
