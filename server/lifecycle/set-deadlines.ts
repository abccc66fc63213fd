import { z } from 'zod';
import { bumpAgreementVersion } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { cancelPendingEvents, scheduleEvent } from '../../db/repositories/scheduled-events.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { agreementView } from '../agreements/agreement-view.ts';
import { auditedActor } from '../agreements/commit-transition.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { staleVersion } from '../agreements/version-conflict.ts';
import { authorize } from '../auth/policy.ts';
import { RuleViolationError } from '../errors.ts';
import { dueReminders } from './lifecycle-plan.ts';

export const setDeadlinesInput = z
  .object({
    reviewDueOn: z.iso.date().nullable().optional(),
    approvalDueOn: z.iso.date().nullable().optional(),
    signingDueOn: z.iso.date().nullable().optional(),
    expectedVersion: z.number().int().nonnegative(),
  })
  .strict();
export type SetDeadlinesInput = z.infer<typeof setDeadlinesInput>;

/**
 * Legal staff or officials set when review, approval and signing are due. The dates are columns;
 * the current stage's reminder and overdue events are rescheduled in the same transaction.
 */
export async function setDeadlines(deps: UseCaseDeps, user: User, agreementId: number, input: SetDeadlinesInput) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'deadlines.set');
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  const { expectedVersion, ...changes } = input;
  const dates = { ...record.dates, ...changes };
  const ordered = [dates.reviewDueOn, dates.approvalDueOn, dates.signingDueOn].filter((date): date is string => Boolean(date));
  if (ordered.join() !== [...ordered].sort().join())
    throw new RuleViolationError('Review is due before approval, and approval before signing');
  const at = deps.now();

  await deps.db.transaction(async (trx) => {
    if (!(await bumpAgreementVersion(trx, agreementId, expectedVersion, { dates: changes, updatedAt: at.toISOString() }))) {
      throw staleVersion(undefined, expectedVersion);
    }
    await cancelPendingEvents(trx, agreementId, ['reminder', 'overdue']);
    for (const planned of dueReminders(record.state, dates)) {
      await scheduleEvent(
        trx,
        { agreementId, kind: planned.kind, dueAt: new Date(`${planned.dueOn}T00:00:00Z`), payload: planned.payload },
        at,
      );
    }
    await appendAuditEntry(trx, {
      agreementId,
      at: at.toISOString(),
      by: auditedActor(user),
      event: 'SET_DEADLINES',
      from: record.state,
      to: record.state,
      detail: Object.entries(changes)
        .map(([name, value]) => `${name}=${value ?? 'none'}`)
        .join(', '),
    });
  });
  return agreementView(deps.db, await loadVisibleAgreement(deps.db, agreementId, user), user);
}
