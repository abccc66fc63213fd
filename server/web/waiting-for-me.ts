import { listAgreementsOfParty, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { type AgreementEventType, FORWARD_EVENTS } from '../../workflows/agreement/agreement.events.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { findAgreementRecord } from '../agreements/load-agreement.ts';
import { decide } from '../auth/policy.ts';

export interface PartyAgreement {
  readonly record: AgreementRecord;
  /** What the policy lets this user do now to move it forward; empty when it does not wait for them. */
  readonly waitingFor: readonly AgreementEventType[];
}

/** The agreements of the user's party, newest first, each with what it waits for from this user. */
export async function agreementsOfMyParty(deps: UseCaseDeps, user: User): Promise<PartyAgreement[]> {
  const summaries = await listAgreementsOfParty(deps.db, user.party);
  const records = await Promise.all(summaries.map((summary) => findAgreementRecord(deps.db, summary.id)));
  return records
    .filter((record): record is AgreementRecord => record !== undefined)
    .map((record) => ({ record, waitingFor: FORWARD_EVENTS.filter((type) => decide(user, record, `event.${type}`).allowed) }));
}
