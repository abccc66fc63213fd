import type { Queryable } from '../../db/connection.ts';
import { findAgreements, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { findTextAt, type TextVersion } from '../../db/repositories/text-versions.repository.ts';
import { findUsersByRole, type User } from '../../db/repositories/users.repository.ts';
import { upgradeWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { decide } from '../auth/policy.ts';
import { NotFoundError } from '../errors.ts';
import { findKind } from '../text/clause-library.ts';
import type { AgreementSource } from './agreement-document.ts';
import { clauseTexts, type AgreementText } from './agreement-text.ts';
import { agreementVariablesSchema } from './agreement-variables.ts';

/**
 * The agreement, its workflow read through the upgrade so an agreement saved by an older machine
 * continues under this one: every use-case reads an agreement here, never from the repository.
 */
export async function findAgreementRecord(db: Queryable, id: number): Promise<AgreementRecord | undefined> {
  return (await findAgreementRecords(db, [id])).get(id);
}

/** Like `findAgreementRecord` for many agreements at once (a page of the register), by id. */
export async function findAgreementRecords(db: Queryable, ids: readonly number[]): Promise<Map<number, AgreementRecord>> {
  const stored = await findAgreements(db, ids);
  return new Map(
    [...stored].map(([id, agreement]) => [id, { ...agreement, workflow: upgradeWorkflow(agreement.workflow, agreement.machineVersion) }]),
  );
}

/**
 * The text as it stood at an agreement version (the current text without one), its variables parsed,
 * which fills the defaults added since the version was written: every use-case reads a text here.
 */
export async function findTextVersion(db: Queryable, agreementId: number, version?: number): Promise<TextVersion | undefined> {
  const stored = await findTextAt(db, agreementId, version);
  return stored && { ...stored, text: { ...stored.text, variables: agreementVariablesSchema.parse(stored.text.variables) } };
}

/**
 * The agreement if the user's party is a party to it. An agreement of other parties answers 404,
 * exactly like one that does not exist, so its existence is not disclosed.
 */
export async function loadVisibleAgreement(db: Queryable, id: number, user: User): Promise<AgreementRecord> {
  const record = await findAgreementRecord(db, id);
  if (!record || !decide(user, record, 'agreement.read').allowed) throw new NotFoundError(`There is no agreement ${id} for your party`);
  return record;
}

/** The text at a version of the agreement (the current text without one); 404 for a version it never had. */
export async function loadText(db: Queryable, record: AgreementRecord, version?: number): Promise<TextVersion> {
  if (version !== undefined && (version < 1 || version > record.version)) {
    throw new NotFoundError(`Agreement ${record.id} has versions 1 to ${record.version}, not ${version}`);
  }
  const text = await findTextVersion(db, record.id, version);
  if (!text) throw new Error(`agreement ${record.id} has no text`);
  return text;
}

/** Everything a text of the agreement is rendered from: kind, parties, signatories, the document it continues. */
export async function loadAgreementSource(db: Queryable, record: AgreementRecord, text: AgreementText): Promise<AgreementSource> {
  const kind = findKind(record.kind);
  if (!kind) throw new Error(`agreement ${record.id} has kind ${record.kind}, which the clause library does not know`);
  const parties = await findParties(db, record.parties);
  const signatories = new Map(
    (await Promise.all(record.parties.map((party) => findUsersByRole(db, party, 'signatory'))))
      .flatMap((users) => users.slice(0, 1))
      .map((user) => [user.party, user.profile]),
  );
  return {
    id: record.id,
    version: record.version,
    kind,
    languages: record.languages,
    variables: text.variables,
    parties,
    clauses: text.clauses.map((clause) => ({ key: clause.key, texts: clauseTexts(clause) })),
    signatories,
    basedOn: await basedOn(db, record),
  };
}

/** The day an executed agreement is cited by: the signing date its text prints, else the day it was last changed. */
export function signingDateOf(record: AgreementRecord, text: AgreementText): string {
  return text.variables.signingDate ?? record.updatedAt.slice(0, 10);
}

async function basedOn(db: Queryable, record: AgreementRecord): Promise<AgreementSource['basedOn']> {
  const base = record.basedOn === null ? undefined : await findAgreementRecord(db, record.basedOn);
  const baseKind = base && findKind(base.kind);
  if (!base || !baseKind) return null;
  const baseText = await findTextVersion(db, base.id);
  if (!baseText) return null;
  const title = baseText.text.clauses.find((clause) => clause.key === 'title');
  return {
    kind: baseKind,
    date: signingDateOf(base, baseText.text),
    variables: baseText.text.variables,
    titleTexts: title ? clauseTexts(title) : {},
  };
}
