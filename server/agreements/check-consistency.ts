import type { Queryable } from '../../db/connection.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { listIntendedDifferences, type IntendedDifferenceMark } from '../../db/repositories/intended-differences.repository.ts';
import type { AgreementEventType } from '../../workflows/agreement/agreement.events.ts';
import { RuleViolationError } from '../errors.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import type { AgreementText } from './agreement-text.ts';
import { checkConsistency, glossaryOf, type ConsistencyDifference } from './consistency-check.ts';
import { loadAgreementSource } from './load-agreement.ts';

/** A difference as the API shows it: whether every party's legal staff have marked it as intended, and who did. */
export interface ReportedDifference extends ConsistencyDifference {
  readonly intended: boolean;
  readonly intendedBy: readonly Pick<IntendedDifferenceMark, 'party' | 'by' | 'reason' | 'at'>[];
}

/**
 * The cross-language consistency of an agreement's current text (server/agreements/consistency-check.ts),
 * from the texts as the first party's original prints them, with the marks that still hold for the
 * clause as it reads now: GET /api/agreements/:id shows it as `consistency`, and SUBMIT, APPROVE and
 * SIGN wait for every difference to be fixed or intended.
 */
export async function agreementConsistency(db: Queryable, record: AgreementRecord, text: AgreementText): Promise<ReportedDifference[]> {
  const source = await loadAgreementSource(db, record, text);
  // The date only fills an undated signing date, the same in every language; the day the agreement was
  // created, so a clause's fingerprint (and the marks on it) does not change with the calendar.
  const document = buildAgreementDocument(source, { original: source.parties[0]!.key, date: record.createdAt.slice(0, 10), final: false });
  const marks = await listIntendedDifferences(db, record.id);
  return checkConsistency(document, source.parties, glossaryOf(text.variables)).map((difference) => {
    const holding = marks.filter(
      (mark) => mark.clause === difference.clause && mark.rule === difference.rule && mark.fingerprint === difference.fingerprint,
    );
    return {
      ...difference,
      intended: record.parties.every((party) => holding.some((mark) => mark.party === party)),
      intendedBy: holding.map(({ party, by, reason, at }) => ({ party, by, reason, at })),
    };
  });
}

/** Refuses an event that commits the parties to texts that say different things, naming each difference not marked as intended. */
export async function assertConsistent(
  db: Queryable,
  record: AgreementRecord,
  text: AgreementText,
  type: AgreementEventType,
): Promise<void> {
  const differences = (await agreementConsistency(db, record, text)).filter((difference) => !difference.intended);
  if (differences.length === 0) return;
  throw new RuleViolationError(
    `${type} needs the languages of every clause to say the same things, or each party's legal staff to mark a difference as intended; not yet: ${differences.map((difference) => difference.detail).join('; ')}`,
    { inconsistent: differences },
  );
}
