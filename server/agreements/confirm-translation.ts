import { z } from 'zod';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { LANGUAGES } from '../text/languages.ts';
import { confirmClauseLanguage } from './agreement-text.ts';
import { changeText } from './change-text.ts';
import type { UseCaseDeps } from './deps.ts';
import { replaceClause, requireLanguage } from './edit-clause.ts';

export const confirmTranslationInput = z.object({ lang: z.enum(LANGUAGES), expectedVersion: z.number().int().nonnegative() }).strict();
export type ConfirmTranslationInput = z.infer<typeof confirmTranslationInput>;

/** Legal staff confirm that a language of a clause renders its current source. */
export async function confirmTranslation(deps: UseCaseDeps, user: User, agreementId: number, key: string, input: ConfirmTranslationInput) {
  return changeText(
    deps,
    user,
    agreementId,
    input.expectedVersion,
    { op: 'confirm', clause: key, lang: input.lang },
    (text, record) =>
      replaceClause(text, key, (clause) => {
        requireLanguage(record.languages, input.lang);
        const state = clause.languages[input.lang];
        if (state?.status === 'confirmed' && state.renders === clause.sourceHash) {
          throw new RuleViolationError(`Clause "${key}" (${input.lang}) is already confirmed`);
        }
        if (!state || state.text.trim() === '') {
          throw new RuleViolationError(`Clause "${key}" has no ${input.lang} text to confirm; write the translation first`);
        }
        return confirmClauseLanguage(clause, input.lang);
      }),
    { action: 'text.confirm' },
  );
}
