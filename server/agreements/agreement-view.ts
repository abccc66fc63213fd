import type { Queryable } from '../../db/connection.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { listClauses } from '../../db/repositories/clauses.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { listSignatures } from '../../db/repositories/signatures.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { nextEventsFor } from '../../workflows/agreement/agreement.workflow.ts';

/** The agreement as the API shows it to one user: what it says, where it stands, what this user may do next. */
export async function agreementView(db: Queryable, record: AgreementRecord, user: User) {
  const [parties, clauses, signatures] = await Promise.all([
    findParties(db, record.parties),
    listClauses(db, record.id),
    listSignatures(db, record.id),
  ]);
  const { context } = record.workflow;
  return {
    id: record.id,
    kind: record.kind,
    title: record.title,
    state: record.state,
    version: record.version,
    languages: record.languages,
    basedOn: record.basedOn,
    parties: parties.map((party) => ({
      key: party.key,
      language: party.language,
      name: { en: party.names.en.name, ru: party.names.ru.nom, ko: party.names.ko.name },
    })),
    variables: record.variables,
    clauses: clauses.map((clause) => ({ key: clause.key, texts: clause.texts })),
    approvals: { review: context.reviewedBy, approval: context.approvedBy },
    signatures: signatures.map(({ party, signer, certificateSubject, signedAt }) => ({ party, signer, certificateSubject, signedAt })),
    nextEvents: nextEventsFor(record.workflow, { party: user.party, role: user.role }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
