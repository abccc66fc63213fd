import { z } from 'zod';
import { bumpAgreementVersion } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { insertOriginalRevision, type OriginalRevision } from '../../db/repositories/originals.repository.ts';
import { insertSignature } from '../../db/repositories/signatures.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { EVENT_TYPES, type AgreementEventType, type AgreementState } from '../../workflows/agreement/agreement.events.ts';
import { step, type PersistedWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { ForbiddenError, InvalidTransitionError } from '../errors.ts';
import type { UseCaseDeps } from './deps.ts';
import { renderFinalOriginals } from './freeze-originals.ts';
import { loadVisibleAgreement } from './load-agreement.ts';
import { signOriginals } from './sign-originals.ts';
import { staleVersion } from './version-conflict.ts';

export const agreementEventInput = z
  .object({
    type: z.enum(EVENT_TYPES),
    expectedVersion: z.number().int().nonnegative(),
    comment: z.string().max(2000).optional(),
  })
  .strict();
export type AgreementEventInput = z.infer<typeof agreementEventInput>;

/**
 * Sends a workflow event as the user. The machine decides first, before anything is written; the
 * slow work the event brings (the final originals on entering signing, the signatures on SIGN) is
 * done next, outside the transaction; then one transaction applies everything only if the agreement
 * is still at the version the decision was made on.
 */
export async function sendAgreementEvent(deps: UseCaseDeps, user: User, agreementId: number, input: AgreementEventInput) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  const outcome = step(record.workflow, { type: input.type, actor: { party: user.party, role: user.role } });
  if (!outcome.accepted) {
    throw outcome.reason === 'wrong-role'
      ? new ForbiddenError(`A ${user.role} of ${user.party} may not send ${input.type} while the agreement is in ${record.state}`)
      : new InvalidTransitionError(`${input.type} is not possible now: the agreement is in ${record.state}${alreadyDone(record.workflow, input.type, user.party)}`);
  }
  const next = outcome.next;
  const at = deps.now();
  const revisions: OriginalRevision[] = [];
  let certificateSubject: string | undefined;
  if (next.value === 'signing' && record.state !== 'signing') revisions.push(...(await renderFinalOriginals(deps, record, at)));
  if (input.type === 'SIGN') {
    const signed = await signOriginals(deps, record, user, at);
    revisions.push(...signed.revisions);
    certificateSubject = signed.certificateSubject;
  }

  await deps.db.transaction(async (trx) => {
    const updated = await bumpAgreementVersion(trx, agreementId, input.expectedVersion, { workflow: next, updatedAt: at.toISOString() });
    if (!updated) throw staleVersion(undefined, input.expectedVersion);
    for (const revision of revisions) await insertOriginalRevision(trx, revision);
    if (certificateSubject !== undefined) {
      await insertSignature(trx, agreementId, { party: user.party, userId: user.id, certificateSubject, signedAt: at.toISOString() });
    }
    await appendAuditEntry(trx, {
      agreementId,
      at: at.toISOString(),
      actor: user.email,
      party: user.party,
      role: user.role,
      event: input.type,
      from: record.state,
      to: next.value,
      detail: input.comment ?? null,
    });
  });
  return { state: next.value, version: record.version + 1 };
}

/** Says so when the refusal is because the user's party already did this in this stage. */
function alreadyDone(workflow: PersistedWorkflow, type: AgreementEventType, party: string): string {
  const done: Partial<Record<AgreementState, readonly string[]>> = {
    review: workflow.context.reviewedBy,
    approval: workflow.context.approvedBy,
    signing: workflow.context.signedBy,
  };
  const stageEvent = workflow.value === 'signing' ? 'SIGN' : 'APPROVE';
  return type === stageEvent && done[workflow.value]?.includes(party) ? `, and ${party} has already done so in this stage` : '';
}
