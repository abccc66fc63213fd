import { isPostgres, type Queryable } from '../connection.ts';
import type { AgreementState } from '../../workflows/agreement/agreement.events.ts';
import { AGREEMENT_MACHINE_VERSION } from '../../workflows/agreement/agreement.machine.ts';
import type { PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import type { Lang } from '../stored-shapes.ts';

/** An agreement as the current machine writes it, and as use-cases see it once its workflow is upgraded. */
export interface AgreementRecord {
  readonly id: number;
  readonly kind: string;
  readonly title: string;
  readonly languages: readonly Lang[];
  readonly basedOn: number | null;
  readonly state: AgreementState;
  readonly version: number;
  readonly machineVersion: number;
  readonly workflow: PersistedWorkflow;
  /** The two party keys in agreement order (the first is the party that created it). */
  readonly parties: readonly string[];
  readonly dates: AgreementDates;
  readonly createdBy: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * An agreement as stored: its workflow as the machine of `machineVersion` persisted it, which may be
 * older than this server's. server/agreements/load-agreement.ts upgrades it; nothing else should read it.
 */
export type StoredAgreement = Omit<AgreementRecord, 'workflow'> & { readonly workflow: unknown };

/** The dates that drive reminders and the lifecycle (YYYY-MM-DD, null when not set): columns, not timers. */
export interface AgreementDates {
  readonly reviewDueOn: string | null;
  readonly approvalDueOn: string | null;
  readonly signingDueOn: string | null;
  readonly inForceOn: string | null;
  readonly expiresOn: string | null;
  readonly noticeDeadlineOn: string | null;
  readonly terminatesOn: string | null;
}

const DATE_COLUMNS = {
  reviewDueOn: 'review_due_on',
  approvalDueOn: 'approval_due_on',
  signingDueOn: 'signing_due_on',
  inForceOn: 'in_force_on',
  expiresOn: 'expires_on',
  noticeDeadlineOn: 'notice_deadline_on',
  terminatesOn: 'terminates_on',
} as const satisfies Record<keyof AgreementDates, string>;

function dateColumns(dates: Partial<AgreementDates>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(dates).map(([name, value]) => [DATE_COLUMNS[name as keyof AgreementDates], value ?? null]));
}

interface AgreementRow {
  id: number;
  kind: string;
  title: string;
  languages: string;
  based_on: number | null;
  state: AgreementState;
  version: number;
  machine_version: number;
  snapshot: string;
  created_by: number;
  created_at: string;
  updated_at: string;
  [dateColumn: string]: unknown;
}

const toStoredAgreement = (row: AgreementRow, parties: readonly string[]): StoredAgreement => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  languages: JSON.parse(row.languages),
  basedOn: row.based_on,
  state: row.state,
  version: row.version,
  machineVersion: row.machine_version,
  workflow: JSON.parse(row.snapshot),
  parties,
  dates: Object.fromEntries(
    Object.entries(DATE_COLUMNS).map(([name, column]) => [name, (row[column] as string | null) ?? null]),
  ) as unknown as AgreementDates,
  createdBy: row.created_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Reads one agreement as stored, its workflow not upgraded; undefined when there is none. */
export async function findAgreement(db: Queryable, id: number): Promise<StoredAgreement | undefined> {
  return (await findAgreements(db, [id])).get(id);
}

/** These agreements (those that exist), each with its parties in order, in two reads whatever their number. */
export async function findAgreements(db: Queryable, ids: readonly number[]): Promise<Map<number, StoredAgreement>> {
  const found = new Map<number, StoredAgreement>();
  if (ids.length === 0) return found;
  const unique = [...new Set(ids)];
  const rows = await db<AgreementRow>('agreements').whereIn('id', unique);
  const parties: { agreement_id: number; party_key: string }[] = await db('agreement_parties')
    .whereIn('agreement_id', unique)
    .orderBy(['agreement_id', 'position'])
    .select('agreement_id', 'party_key');
  const partiesOf = new Map<number, string[]>();
  for (const party of parties) {
    const id = Number(party.agreement_id);
    partiesOf.set(id, [...(partiesOf.get(id) ?? []), party.party_key]);
  }
  for (const row of rows) found.set(row.id, toStoredAgreement(row, partiesOf.get(row.id) ?? []));
  return found;
}

export interface AgreementSummary {
  readonly id: number;
  readonly kind: string;
  readonly title: string;
  readonly state: AgreementState;
  readonly version: number;
}

/** The agreements a party is a party to, newest first. */
export async function listAgreementsOfParty(db: Queryable, party: string): Promise<AgreementSummary[]> {
  return db('agreements')
    .join('agreement_parties', 'agreement_parties.agreement_id', 'agreements.id')
    .where('agreement_parties.party_key', party)
    .orderBy('agreements.id', 'desc')
    .select('agreements.id', 'agreements.kind', 'agreements.title', 'agreements.state', 'agreements.version');
}

/** The agreements that continue or amend this one, oldest first. */
export async function listAgreementsBasedOn(db: Queryable, id: number): Promise<AgreementSummary[]> {
  return db('agreements').where({ based_on: id }).orderBy('id').select('id', 'kind', 'title', 'state', 'version');
}

/** Inserts an agreement with its parties; returns the new id. */
export async function insertAgreement(
  db: Queryable,
  agreement: Omit<AgreementRecord, 'id' | 'version' | 'state' | 'dates' | 'machineVersion'> & { state: AgreementState },
): Promise<number> {
  const [inserted] = await db('agreements')
    .insert({
      kind: agreement.kind,
      title: agreement.title,
      languages: JSON.stringify(agreement.languages),
      based_on: agreement.basedOn,
      state: agreement.state,
      version: 1,
      machine_version: AGREEMENT_MACHINE_VERSION,
      snapshot: JSON.stringify(agreement.workflow),
      created_by: agreement.createdBy,
      created_at: agreement.createdAt,
      updated_at: agreement.updatedAt,
    })
    .returning('id');
  const id: number = typeof inserted === 'object' ? inserted.id : inserted;
  await db('agreement_parties').insert(agreement.parties.map((party, position) => ({ agreement_id: id, party_key: party, position })));
  return id;
}

/**
 * On PostgreSQL, takes the agreement's row lock for the rest of the transaction (SQLite has one writer
 * and needs none): a caller that locks the agreement first keeps the same lock order as use-cases.
 */
export async function lockAgreement(db: Queryable, id: number): Promise<void> {
  if (isPostgres(db)) await db('agreements').where({ id }).forUpdate().select('id');
}

/** Every agreement's id, in order. Reads only. */
export async function listAgreementIds(db: Queryable): Promise<number[]> {
  return db('agreements').orderBy('id').pluck('id');
}

/** Whether the agreement is still at this version (inside a transaction: nothing changed it since it was read). Reads only. */
export async function isAgreementAtVersion(db: Queryable, id: number, version: number): Promise<boolean> {
  return (await db('agreements').where({ id, version }).first('id')) !== undefined;
}

/**
 * Moves an agreement to `version + 1` only if it is still at `expectedVersion`; false means another
 * change won the race and nothing was written.
 */
export async function bumpAgreementVersion(
  db: Queryable,
  id: number,
  expectedVersion: number,
  change: { workflow?: PersistedWorkflow; dates?: Partial<AgreementDates>; updatedAt: string },
): Promise<boolean> {
  const updated = await db('agreements')
    .where({ id, version: expectedVersion })
    .update({
      version: expectedVersion + 1,
      updated_at: change.updatedAt,
      ...(change.workflow && {
        state: change.workflow.value,
        snapshot: JSON.stringify(change.workflow),
        machine_version: AGREEMENT_MACHINE_VERSION,
      }),
      ...dateColumns(change.dates ?? {}),
    });
  return updated === 1;
}
