import { z } from 'zod';
import { bumpAgreementVersion } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { insertIntendedDifference } from '../../db/repositories/intended-differences.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { userText } from '../text/safe-text.ts';
import { agreementView } from './agreement-view.ts';
import { agreementConsistency } from './check-consistency.ts';
import { auditedActor } from './commit-transition.ts';
import { CONSISTENCY_RULES } from './consistency-check.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadText, loadVisibleAgreement } from './load-agreement.ts';
import { staleVersion } from './version-conflict.ts';

export const markDifferenceIntendedInput = z
  .object({
    /** Which of the clause's differences: the rule that reported it. */
    rule: z.enum(CONSISTENCY_RULES),
    /** Why the languages may say different things here, for the other party and the audit. */
    reason: userText(1000, { singleLine: false }).refine((reason) => reason.trim().length > 0, 'the reason must not be empty'),
    expectedVersion: z.number().int().nonnegative(),
  })
  .strict();
export type MarkDifferenceIntendedInput = z.infer<typeof markDifferenceIntendedInput>;

/**
 * A party's legal staff mark a reported difference between the languages of a clause as intended,
 * with their reason. Once every party has marked it, SUBMIT, APPROVE and SIGN let it pass, until the
 * clause's text changes (the mark holds for the difference's fingerprint). One transaction: the
 * guarded version update, the mark, the audit entry.
 */
export async function markDifferenceIntended(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  clause: string,
  input: MarkDifferenceIntendedInput,
) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'consistency.intend');
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  const differences = await agreementConsistency(deps.db, record, (await loadText(deps.db, record)).text);
  const difference = differences.find((candidate) => candidate.clause === clause && candidate.rule === input.rule);
  if (!difference) {
    const reported = differences.filter((candidate) => candidate.clause === clause).map((candidate) => candidate.rule);
    throw new NotFoundError(
      `Clause "${clause}" has no difference by the rule "${input.rule}" to mark as intended` +
        (reported.length > 0 ? `; it has: ${reported.join(', ')}` : ''),
    );
  }
  if (difference.intendedBy.some((mark) => mark.party === user.party)) {
    throw new RuleViolationError(`${user.party} has already marked the ${input.rule} difference of clause "${clause}" as intended`, {
      clause,
      rule: input.rule,
    });
  }
  const now = deps.now().toISOString();
  await deps.db.transaction(async (trx) => {
    if (!(await bumpAgreementVersion(trx, agreementId, input.expectedVersion, { updatedAt: now }))) {
      throw staleVersion(undefined, input.expectedVersion);
    }
    await insertIntendedDifference(trx, agreementId, {
      clause,
      rule: input.rule,
      fingerprint: difference.fingerprint,
      party: user.party,
      userId: user.id,
      reason: input.reason.trim(),
      version: input.expectedVersion + 1,
      at: now,
    });
    await appendAuditEntry(trx, {
      agreementId,
      at: now,
      by: auditedActor(user),
      event: 'MARK_INTENDED',
      from: record.state,
      to: record.state,
      detail: `${clause} ${input.rule} (${difference.detail}): ${input.reason.trim()}`,
    });
  });
  return agreementView(deps.db, await loadVisibleAgreement(deps.db, agreementId, user), user);
}
