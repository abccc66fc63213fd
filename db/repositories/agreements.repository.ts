import type { Queryable } from '../connection.ts';
import type { AgreementState } from '../../workflows/agreement/agreement.events.ts';
import type { PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import type { Lang } from '../../server/text/languages.ts';
import { agreementVariablesSchema, type AgreementVariables } from '../../server/agreements/agreement-variables.ts';

export interface AgreementRecord {
  readonly id: number;
  readonly kind: string;
  readonly title: string;
  readonly languages: readonly Lang[];
  readonly variables: AgreementVariables;
  readonly basedOn: number | null;
  readonly state: AgreementState;
  readonly version: number;
  readonly machineVersion: number;
  readonly workflow: PersistedWorkflow;
  /** The two party keys in agreement order (the first is the party that created it). */
  readonly parties: readonly string[];
  readonly createdBy: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface AgreementRow {
  id: number;
  kind: string;
  title: string;
  languages: string;
  variables: string;
  based_on: number | null;
  state: AgreementState;
  version: number;
  machine_version: number;
  snapshot: string;
  created_by: number;
  created_at: string;
  updated_at: string;
}

const toRecord = (row: AgreementRow, parties: readonly string[]): AgreementRecord => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  languages: JSON.parse(row.languages),
  variables: agreementVariablesSchema.parse(JSON.parse(row.variables)),
  basedOn: row.based_on,
  state: row.state,
  version: row.version,
  machineVersion: row.machine_version,
  workflow: JSON.parse(row.snapshot),
  parties,
  createdBy: row.created_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function findAgreement(db: Queryable, id: number): Promise<AgreementRecord | undefined> {
  const row = await db<AgreementRow>('agreements').where({ id }).first();
  if (!row) return undefined;
  const parties = await db('agreement_parties').where({ agreement_id: id }).orderBy('position').pluck('party_key');
  return toRecord(row, parties);
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

/** Inserts an agreement with its parties; returns the new id. */
export async function insertAgreement(
  db: Queryable,
  agreement: Omit<AgreementRecord, 'id' | 'version' | 'state'> & { state: AgreementState },
): Promise<number> {
  const [inserted] = await db('agreements')
    .insert({
      kind: agreement.kind,
      title: agreement.title,
      languages: JSON.stringify(agreement.languages),
      variables: JSON.stringify(agreement.variables),
      based_on: agreement.basedOn,
      state: agreement.state,
      version: 1,
      machine_version: agreement.machineVersion,
      snapshot: JSON.stringify(agreement.workflow),
      created_by: agreement.createdBy,
      created_at: agreement.createdAt,
      updated_at: agreement.updatedAt,
    })
    .returning('id');
  const id: number = typeof inserted === 'object' ? inserted.id : inserted;
  await db('agreement_parties').insert(
    agreement.parties.map((party, position) => ({ agreement_id: id, party_key: party, position })),
  );
  return id;
}

/**
 * Moves an agreement to `version + 1` only if it is still at `expectedVersion`; false means another
 * change won the race and nothing was written.
 */
export async function bumpAgreementVersion(
  db: Queryable,
  id: number,
  expectedVersion: number,
  change: { workflow?: PersistedWorkflow; updatedAt: string },
): Promise<boolean> {
  const updated = await db('agreements')
    .where({ id, version: expectedVersion })
    .update({
      version: expectedVersion + 1,
      updated_at: change.updatedAt,
      ...(change.workflow && { state: change.workflow.value, snapshot: JSON.stringify(change.workflow) }),
    });
  return updated === 1;
}
