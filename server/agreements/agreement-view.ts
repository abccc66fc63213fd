import type { Queryable } from '../../db/connection.ts';
import { listAgreementsBasedOn, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findParties } from '../../db/repositories/parties.repository.ts';
import { listSignatures } from '../../db/repositories/signatures.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { nextEventsFor } from '../../workflows/agreement/agreement.workflow.ts';
import { registrationViews } from '../registration/registration-view.ts';
import { agreementConsistency } from './check-consistency.ts';
import { parityProblems } from './agreement-text.ts';
import { editableTexts } from './editable-clauses.ts';
import { loadAgreementSource, loadText } from './load-agreement.ts';

/** The agreement as the API shows it to one user: what it says, where it stands, what this user may do next. */
export async function agreementView(db: Queryable, record: AgreementRecord, user: User) {
  const [parties, text, signatures, followers] = await Promise.all([
    findParties(db, record.parties),
    loadText(db, record),
    listSignatures(db, record.id),
    listAgreementsBasedOn(db, record.id),
  ]);
  const { context } = record.workflow;
  // Each clause in the editable format (fields as references, conditionals settled), never template source.
  const texts = editableTexts({ source: await loadAgreementSource(db, record, text.text), today: record.updatedAt.slice(0, 10) });
  return {
    id: record.id,
    kind: record.kind,
    title: record.title,
    state: record.state,
    version: record.version,
    languages: record.languages,
    basedOn: record.basedOn,
    /** Executed amendments change this agreement; the others are still on their way. */
    amendments: followers.filter((follower) => follower.kind === 'amendment'),
    continuedBy: followers.filter((follower) => follower.kind !== 'amendment'),
    parties: parties.map((party) => ({
      key: party.key,
      language: party.language,
      name: { en: party.names.en.name, ru: party.names.ru.nom, ko: party.names.ko.name },
    })),
    variables: text.text.variables,
    contentHash: text.contentHash,
    clauses: text.text.clauses.map((clause) => ({
      key: clause.key,
      origin: clause.origin,
      texts: texts.get(clause.key) ?? {},
      status: Object.fromEntries(Object.entries(clause.languages).map(([lang, state]) => [lang, state.status])),
    })),
    /** Every clause language not yet confirmed: SUBMIT, APPROVE and SIGN wait for this to be empty. */
    parity: parityProblems(text.text, record.languages),
    /** Where the languages of a clause say different things (numbers, names, counts, references, glossary): SUBMIT, APPROVE and SIGN wait for this to be empty too. */
    consistency: await agreementConsistency(db, record, text.text),
    approvals: { review: context.reviewedBy, approval: context.approvedBy },
    /** Due dates and the term: columns the scheduler works from. */
    dates: record.dates,
    lifecycle: {
      terms: context.terms,
      completions: context.completions,
      inForceSince: context.inForceSince,
      term: context.term,
      notice: context.notice,
    },
    /** Each party's registration after signature (for a Russian party, the federal one). */
    registrations: await registrationViews(db, record),
    signatures: signatures.map(({ party, signer, certificateSubject, signedAt }) => ({ party, signer, certificateSubject, signedAt })),
    nextEvents: nextEventsFor(record.workflow, { party: user.party, role: user.role }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
