import type { User } from '../../db/repositories/users.repository.ts';
import type { DecideSuggestionInput } from './accept-suggestion.ts';
import type { UseCaseDeps } from './deps.ts';
import { closeWithoutChange } from './reject-suggestion.ts';

/** Its author withdraws a suggestion, open or outdated: no text changes. */
export function withdrawSuggestion(deps: UseCaseDeps, user: User, agreementId: number, id: number, input: DecideSuggestionInput) {
  return closeWithoutChange(deps, user, agreementId, id, input, 'withdrawn');
}
