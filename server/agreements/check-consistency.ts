import type { Queryable } from '../../db/connection.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import type { AgreementEventType } from '../../workflows/agreement/agreement.events.ts';
import { RuleViolationError } from '../errors.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import type { AgreementText } from './agreement-text.ts';
import { checkConsistency, glossaryOf, type ConsistencyDifference } from './consistency-check.ts';
import { loadAgreementSource } from './load-agreement.ts';

/**
 * The cross-language consistency of an agreement's current text (server/agreements/consistency-check.ts),
 * from the texts as the first party's original prints them: GET /api/agreements/:id shows it as
 * `consistency`, and SUBMIT, APPROVE and SIGN wait for it to be empty.
 */
export async function agreementConsistency(db: Queryable, record: AgreementRecord, text: AgreementText): Promise<ConsistencyDifference[]> {
  const source = await loadAgreementSource(db, record, text);
  // The date only fills an undated signing date, the same in every language.
  const document = buildAgreementDocument(source, { original: source.parties[0]!.key, date: record.updatedAt.slice(0, 10), final: false });
  return checkConsistency(document, source.parties, glossaryOf(text.variables));
}

/** Refuses an event that commits the parties to texts that say different things, naming each difference. */
export async function assertConsistent(
  db: Queryable,
  record: AgreementRecord,
  text: AgreementText,
  type: AgreementEventType,
): Promise<void> {
  const differences = await agreementConsistency(db, record, text);
  if (differences.length === 0) return;
  throw new RuleViolationError(
    `${type} needs the languages of every clause to say the same things; not yet: ${differences.map((difference) => difference.detail).join('; ')}`,
    { inconsistent: differences },
  );
}
