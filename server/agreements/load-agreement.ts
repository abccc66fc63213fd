import type { Queryable } from '../../db/connection.ts';
import { findAgreement, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { listClauses } from '../../db/repositories/clauses.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { findUsersByRole, type User } from '../../db/repositories/users.repository.ts';
import { NotFoundError } from '../errors.ts';
import { findKind } from '../text/clause-library.ts';
import type { AgreementSource } from './agreement-document.ts';

/**
 * The agreement if the user's party is a party to it. An agreement of other parties answers 404,
 * exactly like one that does not exist, so its existence is not disclosed.
 */
export async function loadVisibleAgreement(db: Queryable, id: number, user: User): Promise<AgreementRecord> {
  const record = await findAgreement(db, id);
  if (!record || !record.parties.includes(user.party)) throw new NotFoundError(`There is no agreement ${id} for your party`);
  return record;
}

/** Everything the agreement's text is rendered from: kind, parties, clauses, signatories, the document it continues. */
export async function loadAgreementSource(db: Queryable, record: AgreementRecord): Promise<AgreementSource> {
  const kind = findKind(record.kind);
  if (!kind) throw new Error(`agreement ${record.id} has kind ${record.kind}, which the clause library does not know`);
  const parties = await findParties(db, record.parties);
  const signatories = new Map(
    (await Promise.all(record.parties.map((party) => findUsersByRole(db, party, 'signatory'))))
      .flatMap((users) => users.slice(0, 1))
      .map((user) => [user.party, user.profile]),
  );
  const base = record.basedOn === null ? undefined : await findAgreement(db, record.basedOn);
  const baseKind = base && findKind(base.kind);
  return {
    id: record.id,
    version: record.version,
    kind,
    languages: record.languages,
    variables: record.variables,
    parties,
    clauses: await listClauses(db, record.id),
    signatories,
    basedOn: base && baseKind ? { kind: baseKind, date: base.variables.signingDate ?? base.updatedAt.slice(0, 10) } : null,
  };
}
