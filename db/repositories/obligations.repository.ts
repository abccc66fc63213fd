import type { Queryable } from '../connection.ts';

export const RECURRENCES = ['none', 'monthly', 'quarterly', 'yearly'] as const;
export type Recurrence = (typeof RECURRENCES)[number];
export type ObligationState = 'open' | 'done';

/** An obligation as stored, with its owner's and recorder's e-mail. */
export interface ObligationRecord {
  readonly id: number;
  readonly agreementId: number;
  readonly party: string;
  readonly clause: string;
  readonly text: string;
  readonly ownerId: number;
  readonly owner: string;
  readonly startsOn: string;
  readonly recurrence: Recurrence;
  readonly occurrence: number;
  /** The occurrence now open; null once a one-off obligation is done. */
  readonly dueOn: string | null;
  readonly remindedFor: string | null;
  readonly state: ObligationState;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface ObligationCompletion {
  readonly obligationId: number;
  readonly dueOn: string;
  readonly note: string;
  readonly doneBy: string;
  readonly doneAt: string;
}

const toRecord = (row: Record<string, unknown>): ObligationRecord => ({
  id: row.id as number,
  agreementId: row.agreement_id as number,
  party: row.party_key as string,
  clause: row.clause_key as string,
  text: row.text as string,
  ownerId: row.owner_id as number,
  owner: row.owner_email as string,
  startsOn: row.starts_on as string,
  recurrence: row.recurrence as Recurrence,
  occurrence: row.occurrence as number,
  dueOn: (row.due_on as string | null) ?? null,
  remindedFor: (row.reminded_for as string | null) ?? null,
  state: row.state as ObligationState,
  createdBy: row.creator_email as string,
  createdAt: row.created_at as string,
});

function selectObligations(db: Queryable) {
  return db('obligations')
    .join('users as owner', 'owner.id', 'obligations.owner_id')
    .join('users as creator', 'creator.id', 'obligations.created_by')
    .select('obligations.*', 'owner.email as owner_email', 'creator.email as creator_email');
}

/** The agreement's obligations, open ones first by due date, then done ones. Reads only. */
export async function listObligations(db: Queryable, agreementId: number): Promise<ObligationRecord[]> {
  const rows = await selectObligations(db)
    .where('obligations.agreement_id', agreementId)
    .orderBy([{ column: 'obligations.state', order: 'desc' }, 'obligations.due_on', 'obligations.id']);
  return rows.map(toRecord);
}

/** One obligation of the agreement, or undefined. Reads only. */
export async function findObligation(db: Queryable, agreementId: number, id: number): Promise<ObligationRecord | undefined> {
  const row = await selectObligations(db).where({ 'obligations.agreement_id': agreementId, 'obligations.id': id }).first();
  return row ? toRecord(row) : undefined;
}

/** The party's open obligations with their agreement's title in `lang` (else its name), by due date. Reads only. */
export async function listOpenObligationsOfParty(
  db: Queryable,
  party: string,
  lang: string,
): Promise<(ObligationRecord & { readonly agreementKind: string; readonly agreementState: string; readonly title: string })[]> {
  const rows = await selectObligations(db)
    .join('agreements', 'agreements.id', 'obligations.agreement_id')
    .leftJoin('agreement_titles', function () {
      this.on('agreement_titles.agreement_id', '=', 'agreements.id').andOn('agreement_titles.lang', '=', db.raw('?', [lang]));
    })
    .where({ 'obligations.party_key': party, 'obligations.state': 'open' })
    .orderBy(['obligations.due_on', 'obligations.id'])
    .select(
      'agreements.kind as agreement_kind',
      'agreements.state as agreement_state',
      db.raw('COALESCE(agreement_titles.title, agreements.title) AS agreement_title'),
    );
  return rows.map((row: Record<string, unknown>) => ({
    ...toRecord(row),
    agreementKind: row.agreement_kind as string,
    agreementState: row.agreement_state as string,
    title: row.agreement_title as string,
  }));
}

/** The open obligations of the agreement whose reminder is due by `remindBy` and not yet sent for their occurrence. Reads only. */
export async function listObligationsToRemind(db: Queryable, agreementId: number, dueBy: string): Promise<ObligationRecord[]> {
  const rows = await selectObligations(db)
    .where({ 'obligations.agreement_id': agreementId, 'obligations.state': 'open' })
    .where('obligations.due_on', '<=', dueBy)
    .where((query) => query.whereNull('obligations.reminded_for').orWhereRaw('obligations.reminded_for <> obligations.due_on'))
    .orderBy('obligations.id');
  return rows.map(toRecord);
}

export async function insertObligation(
  db: Queryable,
  obligation: {
    agreementId: number;
    party: string;
    clause: string;
    text: string;
    ownerId: number;
    startsOn: string;
    recurrence: Recurrence;
    createdBy: number;
    createdAt: string;
  },
): Promise<number> {
  const [row] = await db('obligations')
    .insert({
      agreement_id: obligation.agreementId,
      party_key: obligation.party,
      clause_key: obligation.clause,
      text: obligation.text,
      owner_id: obligation.ownerId,
      starts_on: obligation.startsOn,
      recurrence: obligation.recurrence,
      occurrence: 0,
      due_on: obligation.startsOn,
      reminded_for: null,
      state: 'open',
      created_by: obligation.createdBy,
      created_at: obligation.createdAt,
    })
    .returning('id');
  return typeof row === 'object' ? row.id : row;
}

/**
 * Moves an obligation past the occurrence `dueOn`: to its next occurrence, or done. Guarded on the
 * occurrence, so two people marking the same occurrence done cannot both succeed: false when it moved.
 */
export async function advanceObligation(
  db: Queryable,
  id: number,
  dueOn: string,
  next: { occurrence: number; dueOn: string | null; state: ObligationState },
): Promise<boolean> {
  const changed = await db('obligations')
    .where({ id, due_on: dueOn, state: 'open' })
    .update({ occurrence: next.occurrence, due_on: next.dueOn, state: next.state });
  return changed === 1;
}

/** Notes that the reminder of this occurrence went out; call it in the transaction that notifies. */
export async function markObligationReminded(db: Queryable, id: number, dueOn: string): Promise<void> {
  await db('obligations').where({ id, due_on: dueOn }).update({ reminded_for: dueOn });
}

export async function insertObligationCompletion(
  db: Queryable,
  completion: { obligationId: number; dueOn: string; note: string; doneBy: number; doneAt: string },
): Promise<void> {
  await db('obligation_completions').insert({
    obligation_id: completion.obligationId,
    due_on: completion.dueOn,
    note: completion.note,
    done_by: completion.doneBy,
    done_at: completion.doneAt,
  });
}

/** The completions of the agreement's obligations, oldest first. Reads only. */
export async function listObligationCompletions(db: Queryable, agreementId: number): Promise<ObligationCompletion[]> {
  const rows = await db('obligation_completions')
    .join('obligations', 'obligations.id', 'obligation_completions.obligation_id')
    .join('users', 'users.id', 'obligation_completions.done_by')
    .where('obligations.agreement_id', agreementId)
    .orderBy('obligation_completions.id')
    .select('obligation_completions.*', 'users.email');
  return rows.map((row: Record<string, unknown>) => ({
    obligationId: row.obligation_id as number,
    dueOn: row.due_on as string,
    note: row.note as string,
    doneBy: row.email as string,
    doneAt: row.done_at as string,
  }));
}
