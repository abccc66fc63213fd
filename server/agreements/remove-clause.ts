import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { FIXED_CLAUSES } from './agreement-text.ts';
import { changeText } from './change-text.ts';
import type { UseCaseDeps } from './deps.ts';
import { requireClause } from './edit-clause.ts';

/** Legal staff remove an article while drafting; the title, preamble and final clause stay. */
export async function removeClause(deps: UseCaseDeps, user: User, agreementId: number, key: string, expectedVersion: number) {
  return changeText(deps, user, agreementId, expectedVersion, { op: 'remove-clause', clause: key }, (text) => {
    if ([...FIXED_CLAUSES.first, ...FIXED_CLAUSES.last].includes(key as never)) {
      throw new RuleViolationError(`The clause "${key}" is part of every agreement and cannot be removed`);
    }
    requireClause(text, key);
    return { ...text, clauses: text.clauses.filter((clause) => clause.key !== key) };
  });
}
