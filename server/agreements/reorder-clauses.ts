import { z } from 'zod';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { FIXED_CLAUSES } from './agreement-text.ts';
import { changeText } from './change-text.ts';
import type { UseCaseDeps } from './deps.ts';

export const reorderClausesInput = z
  .object({ order: z.array(z.string().min(1).max(64)).min(1).max(500), expectedVersion: z.number().int().nonnegative() })
  .strict();
export type ReorderClausesInput = z.infer<typeof reorderClausesInput>;

/** Legal staff put the articles in a new order; the articles renumber when rendered. */
export async function reorderClauses(deps: UseCaseDeps, user: User, agreementId: number, input: ReorderClausesInput) {
  return changeText(deps, user, agreementId, input.expectedVersion, { op: 'reorder' }, (text) => {
    const current = text.clauses.map((clause) => clause.key);
    if (input.order.length !== current.length || [...input.order].sort().join('\n') !== [...current].sort().join('\n')) {
      throw new RuleViolationError(`order must list each clause of the agreement once: ${current.join(', ')}`);
    }
    const first = input.order.slice(0, FIXED_CLAUSES.first.length);
    const last = input.order.slice(-FIXED_CLAUSES.last.length);
    if (first.join() !== FIXED_CLAUSES.first.join() || last.join() !== FIXED_CLAUSES.last.join()) {
      throw new RuleViolationError('The title and the preamble come first and the final clause last');
    }
    const byKey = new Map(text.clauses.map((clause) => [clause.key, clause]));
    return { ...text, clauses: input.order.map((key) => byKey.get(key)!) };
  });
}
