import { z } from 'zod';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import type { Party } from '../parties/party.ts';
import type { Lang } from '../text/languages.ts';
import { agreementVariablesSchema, type AgreementVariables } from './agreement-variables.ts';
import type { ClauseInstance } from './agreement-text.ts';
import { changeText } from './change-text.ts';
import { contextOf, loadClauseTextContext, type ClauseTextContext } from './editable-clauses.ts';
import { loadVisibleAgreement } from './load-agreement.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { serializeEditable, templateToEditable } from '../text/editable-text.ts';
import type { UseCaseDeps } from './deps.ts';

export const updateVariablesInput = z
  .object({ variables: agreementVariablesSchema.partial(), expectedVersion: z.number().int().nonnegative() })
  .strict();
export type UpdateVariablesInput = z.infer<typeof updateVariablesInput>;

/**
 * Legal staff change what the clauses are filled with: areas, term, dates, place, layout... Fields
 * follow at once. A clause language a lawyer has edited keeps the wording they saw (its conditionals
 * were settled when it was edited); if the library's wording of that clause would now read otherwise
 * (autoRenewal, entryIntoForce, prevailingLanguage chose it), that language needs review again, so the
 * desk shows where the text no longer fits the data, and the agreement cannot be submitted unseen.
 */
export async function updateVariables(deps: UseCaseDeps, user: User, agreementId: number, input: UpdateVariablesInput) {
  const before = await loadClauseTextContext(deps, await loadVisibleAgreement(deps.db, agreementId, user));
  return changeText(deps, user, agreementId, input.expectedVersion, { op: 'variables' }, (text, record) => {
    const variables = { ...text.variables, ...input.variables };
    checkVariables(variables, record.parties, record.languages);
    const after: ClauseTextContext = { ...before, source: { ...before.source, variables } };
    return { ...text, variables, clauses: text.clauses.map((clause) => reviewSettledWording(clause, before, after)) };
  });
}

/** The clause with each edited language whose settled wording the new data would switch marked "needs review". */
function reviewSettledWording(clause: ClauseInstance, before: ClauseTextContext, after: ClauseTextContext): ClauseInstance {
  const library = clauseLibrary().clauses.get(clause.key);
  const stored = before.source.clauses.find((each) => each.key === clause.key);
  if (!library || !stored) return clause;
  const wording = (template: string, at: ClauseTextContext, lang: Lang) => {
    try {
      return serializeEditable(templateToEditable(template, contextOf(at, lang), { clause: clause.key, lang }));
    } catch {
      return undefined;
    }
  };
  let languages = clause.languages;
  for (const [lang, state] of Object.entries(clause.languages) as [Lang, (typeof clause.languages)[Lang]][]) {
    const own = stored.texts[lang];
    const original = library.texts[lang];
    if (!state || state.status === 'needs-review' || own === undefined || original === undefined || own === original) continue;
    const switched = wording(original, before, lang) !== wording(original, after, lang);
    const follows = wording(own, before, lang) !== wording(own, after, lang);
    if (switched && !follows) languages = { ...languages, [lang]: { ...state, status: 'needs-review' } };
  }
  return languages === clause.languages ? clause : { ...clause, languages };
}

/** Rules across variables that the schema alone cannot state. */
export function checkVariables(variables: AgreementVariables, parties: readonly (Party | string)[], languages: readonly Lang[]): void {
  const keys = parties.map((party) => (typeof party === 'string' ? party : party.key));
  if (!keys.includes(variables.placeOfSigning)) {
    throw new RuleViolationError(`placeOfSigning must be one of the parties: ${keys.join(', ')}`);
  }
  if (variables.prevailingLanguage && !languages.includes(variables.prevailingLanguage)) {
    throw new RuleViolationError(`prevailingLanguage ${variables.prevailingLanguage} is not one of the texts (${languages.join(', ')})`);
  }
  if (variables.firstSigner !== null && !keys.includes(variables.firstSigner)) {
    throw new RuleViolationError(`firstSigner must be one of the parties (${keys.join(', ')}) or null for either order`);
  }
  const missing = keys.filter((key) => !variables.coordinators[key]);
  if (missing.length > 0) throw new RuleViolationError(`coordinators must name one for each party; missing: ${missing.join(', ')}`);
}
