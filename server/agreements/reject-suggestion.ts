import { closeSuggestion } from '../../db/repositories/suggestions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { ConflictError, ForbiddenError } from '../errors.ts';
import type { DecideSuggestionInput } from './accept-suggestion.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadClauseTextContext } from './editable-clauses.ts';
import { loadVisibleAgreement } from './load-agreement.ts';
import { requireStillAt } from './suggest-change.ts';
import { requireOpen, requireSuggestion, suggestionView, type SuggestionView } from './suggestions.ts';
import { staleVersion } from './version-conflict.ts';

/**
 * Closes a suggestion without touching the text: rejected by the drafting party's legal staff, or
 * withdrawn by its author (an outdated one too). Neither moves the agreement's version; the decision
 * names the version it was made on all the same, so a decision on a page that is behind is refused.
 */
export async function closeWithoutChange(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  id: number,
  input: DecideSuggestionInput,
  state: 'rejected' | 'withdrawn',
): Promise<SuggestionView> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, state === 'rejected' ? 'suggestion.decide' : 'text.suggest');
  const suggestion = await requireSuggestion(deps.db, agreementId, id);
  if (state === 'withdrawn' && suggestion.authorId !== user.id) {
    throw new ForbiddenError(`Only its author (${suggestion.by}) withdraws suggestion ${id}`);
  }
  requireOpen(suggestion);
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  await deps.db.transaction(async (trx) => {
    await requireStillAt(trx, agreementId, input.expectedVersion);
    if (!(await closeSuggestion(trx, agreementId, id, { state, by: user.id, at: deps.now().toISOString() }))) {
      throw new ConflictError(`Suggestion ${id} was decided while this request was processed`, { suggestion: id });
    }
  });
  return suggestionView(await loadClauseTextContext(deps, record), await requireSuggestion(deps.db, agreementId, id));
}

/** The drafting party's legal staff reject a suggestion: no text changes. */
export function rejectSuggestion(deps: UseCaseDeps, user: User, agreementId: number, id: number, input: DecideSuggestionInput) {
  return closeWithoutChange(deps, user, agreementId, id, input, 'rejected');
}
