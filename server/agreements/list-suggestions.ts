import { listSuggestions as listStored } from '../../db/repositories/suggestions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadClauseTextContext } from './editable-clauses.ts';
import { loadVisibleAgreement } from './load-agreement.ts';
import { suggestionView, type SuggestionView } from './suggestions.ts';

/** Every suggestion on the agreement, oldest first, open ones told outdated when their base text changed. */
export async function listSuggestions(deps: UseCaseDeps, user: User, agreementId: number): Promise<SuggestionView[]> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  const at = await loadClauseTextContext(deps, record);
  return (await listStored(deps.db, agreementId)).map((suggestion) => suggestionView(at, suggestion));
}
