import { z } from 'zod';
import { safeText } from '../text/safe-text.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { LANGUAGES } from '../text/languages.ts';
import { confirmedClause, FIXED_CLAUSES, newCustomClause, type AgreementText, type ClauseInstance } from './agreement-text.ts';
import { changeText } from './change-text.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadClauseTextContext, storedTemplateOf } from './editable-clauses.ts';
import { loadVisibleAgreement } from './load-agreement.ts';

export const addClauseInput = z
  .object({
    expectedVersion: z.number().int().nonnegative(),
    /** Where it goes: after this clause; before the final clause when left out. */
    after: z.string().min(1).max(64).optional(),
  })
  .and(
    z.union([
      /** A clause from the library, in every language of the agreement. */
      z.object({ libraryKey: z.string().min(1).max(64) }).strict(),
      /** A clause written fresh in one language; the others then need translating. */
      z.object({ lang: z.enum(LANGUAGES), text: safeText(50_000).min(1) }).strict(),
    ]),
  );
export type AddClauseInput = z.infer<typeof addClauseInput>;

/** Legal staff add a clause, from the library or written fresh, while drafting. */
export async function addClause(deps: UseCaseDeps, user: User, agreementId: number, input: AddClauseInput) {
  const key = 'libraryKey' in input ? input.libraryKey : undefined;
  const at = await loadClauseTextContext(deps, await loadVisibleAgreement(deps.db, agreementId, user));
  return changeText(deps, user, agreementId, input.expectedVersion, { op: 'add-clause', clause: key }, (text, record) => {
    let clause: ClauseInstance;
    if ('libraryKey' in input) {
      const fromLibrary = clauseLibrary().clauses.get(input.libraryKey);
      if (!fromLibrary) throw new RuleViolationError(`The library has no clause "${input.libraryKey}"`);
      if (text.clauses.some((existing) => existing.key === input.libraryKey)) {
        throw new RuleViolationError(`The agreement already has the clause "${input.libraryKey}"`);
      }
      const texts = Object.fromEntries(record.languages.map((lang) => [lang, fromLibrary.texts[lang]]));
      clause = confirmedClause(input.libraryKey, 'library', texts, record.languages[0]!);
    } else {
      if (!record.languages.includes(input.lang)) throw new RuleViolationError(`The agreement is not written in ${input.lang}`);
      const custom = nextCustomKey(text);
      // Written in the editable format, like every clause text (editable-clauses.ts).
      clause = newCustomClause(custom, input.lang, storedTemplateOf(at, custom, input.lang, input.text), record.languages);
    }
    return { ...text, clauses: insertAfter(text.clauses, clause, input.after) };
  });
}

/** custom-1, custom-2, ...: stable, never reused within the agreement. */
function nextCustomKey(text: AgreementText): string {
  const used = text.clauses
    .map((clause) => /^custom-(\d+)$/.exec(clause.key)?.[1])
    .filter(Boolean)
    .map(Number);
  return `custom-${Math.max(0, ...used) + 1}`;
}

function insertAfter(clauses: readonly ClauseInstance[], clause: ClauseInstance, after: string | undefined): ClauseInstance[] {
  const lastMovable = clauses.findIndex((existing) => (FIXED_CLAUSES.last as readonly string[]).includes(existing.key));
  const index =
    after === undefined ? (lastMovable === -1 ? clauses.length : lastMovable) : clauses.findIndex((existing) => existing.key === after) + 1;
  if (index === 0) throw new RuleViolationError(`There is no clause "${after}" to add after`);
  if (index > lastMovable && lastMovable !== -1) throw new RuleViolationError('Nothing can follow the final clause');
  if (index < FIXED_CLAUSES.first.length) throw new RuleViolationError('The title and the preamble come first');
  return [...clauses.slice(0, index), clause, ...clauses.slice(index)];
}
