import { z } from 'zod';
import { closeSuggestion } from '../../db/repositories/suggestions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { ConflictError } from '../errors.ts';
import type { Lang } from '../text/languages.ts';
import { changeText } from './change-text.ts';
import type { UseCaseDeps } from './deps.ts';
import { writeClause } from './edit-clause.ts';
import { loadClauseTextContext } from './editable-clauses.ts';
import { loadVisibleAgreement } from './load-agreement.ts';
import { changesOf, currentClauseText, diffRuns, rebasedText, requireOpen, requireSuggestion } from './suggestions.ts';
import { staleVersion } from './version-conflict.ts';

export const decideSuggestionInput = z.object({ expectedVersion: z.number().int().nonnegative() }).strict();
export type DecideSuggestionInput = z.infer<typeof decideSuggestionInput>;

/**
 * The drafting party's legal staff accept a suggestion: the clause's language is written exactly as a
 * direct edit writes it (the other languages need review; approvals were cleared when drafting began
 * again), the audit entry names who suggested and who accepted, and the suggestion is closed in the
 * same transaction. Changes made to the clause's language since the suggestion (an edit, another
 * accepted suggestion) are kept when they touch none of its words: the suggestion is applied to the
 * text as it stands. One that changed the same words outdates it: 409 with what changed.
 */
export async function acceptSuggestion(deps: UseCaseDeps, user: User, agreementId: number, id: number, input: DecideSuggestionInput) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'suggestion.decide');
  const suggestion = await requireSuggestion(deps.db, agreementId, id);
  requireOpen(suggestion);
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  const at = await loadClauseTextContext(deps, record);
  const lang = suggestion.lang as Lang;
  const current = currentClauseText(at, suggestion.clause, lang);
  // Other changes to the clause since the suggestion was made are kept when they touch none of its words.
  const text = rebasedText(at, suggestion);
  if (text === null) {
    throw new ConflictError(
      current === null
        ? `Suggestion ${id} is outdated: clause "${suggestion.clause}" has been removed`
        : `Suggestion ${id} is outdated: clause "${suggestion.clause}" (${lang}) has changed since version ${suggestion.baseVersion} in the words it changes; withdraw it or make it again on the current text`,
      {
        suggestion: id,
        clause: suggestion.clause,
        lang,
        baseVersion: suggestion.baseVersion,
        changed: current === null ? [] : changesOf(diffRuns(at, suggestion.clause, lang, suggestion.baseText, current)),
      },
    );
  }
  return changeText(
    deps,
    user,
    agreementId,
    input.expectedVersion,
    { op: 'edit', clause: suggestion.clause, lang, suggestion: id },
    (agreementText, stored) => writeClause(agreementText, stored, at, suggestion.clause, lang, text),
    {
      action: 'suggestion.decide',
      detail: `edit ${suggestion.clause} (${lang}): suggestion ${id} by ${suggestion.by}, accepted by ${user.email}`,
      alsoInTransaction: async (trx, version) => {
        const closed = await closeSuggestion(trx, agreementId, id, {
          state: 'accepted',
          by: user.id,
          at: deps.now().toISOString(),
          acceptedVersion: version,
        });
        if (!closed) throw new ConflictError(`Suggestion ${id} was decided while this request was processed`, { suggestion: id });
      },
    },
  );
}
