import { z } from 'zod';
import { safeText } from '../text/safe-text.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { LANGUAGES, type Lang } from '../text/languages.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { writeClauseLanguage, type AgreementText, type ClauseInstance, type WriteMode } from './agreement-text.ts';
import { changeText } from './change-text.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadClauseTextContext, storedTemplateOf, type ClauseTextContext } from './editable-clauses.ts';
import { loadVisibleAgreement } from './load-agreement.ts';

export const editClauseInput = z
  .object({
    lang: z.enum(LANGUAGES),
    text: safeText(50_000),
    expectedVersion: z.number().int().nonnegative(),
    /** Whether this text is a new source (the other languages then need review) or a translation of the current one. */
    as: z.enum(['source', 'translation']).optional(),
  })
  .strict();
export type EditClauseInput = z.infer<typeof editClauseInput>;

/**
 * Legal staff write one language of one clause (see agreement-text.ts for what that does to the
 * others). The text is in the editable format (editable-clauses.ts) and is stored as a clause template.
 */
export async function editClause(deps: UseCaseDeps, user: User, agreementId: number, key: string, input: EditClauseInput) {
  const at = await loadClauseTextContext(deps, await loadVisibleAgreement(deps.db, agreementId, user));
  return changeText(deps, user, agreementId, input.expectedVersion, { op: 'edit', clause: key, lang: input.lang }, (text, record) =>
    writeClause(text, record, at, key, input.lang, input.text, input.as),
  );
}

/** The text with one language of one clause written, as a direct edit writes it; accepting a suggestion writes the same. */
export function writeClause(
  text: AgreementText,
  record: AgreementRecord,
  at: ClauseTextContext,
  key: string,
  lang: Lang,
  written: string,
  as?: WriteMode,
): AgreementText {
  return replaceClause(text, key, (clause) => {
    requireLanguage(record.languages, lang);
    return writeClauseLanguage(clause, lang, storedTemplateOf(at, key, lang, written), as);
  });
}

/** The text with one clause replaced; 404 when the agreement has no such clause. */
export function replaceClause(text: AgreementText, key: string, change: (clause: ClauseInstance) => ClauseInstance): AgreementText {
  requireClause(text, key);
  return { ...text, clauses: text.clauses.map((clause) => (clause.key === key ? change(clause) : clause)) };
}

export function requireClause(text: AgreementText, key: string): void {
  if (!text.clauses.some((clause) => clause.key === key)) throw new NotFoundError(`The agreement has no clause "${key}"`);
}

export function requireLanguage(languages: readonly Lang[], lang: Lang): void {
  if (!languages.includes(lang)) throw new RuleViolationError(`The agreement is written in ${languages.join(', ')}, not ${lang}`);
}
