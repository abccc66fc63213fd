import { z } from 'zod';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import type { Party } from '../parties/party.ts';
import type { Lang } from '../text/languages.ts';
import { agreementVariablesSchema, type AgreementVariables } from './agreement-variables.ts';
import { changeText } from './change-text.ts';
import type { UseCaseDeps } from './deps.ts';

export const updateVariablesInput = z
  .object({ variables: agreementVariablesSchema.partial(), expectedVersion: z.number().int().nonnegative() })
  .strict();
export type UpdateVariablesInput = z.infer<typeof updateVariablesInput>;

/** Legal staff change what the clauses are filled with: areas, term, dates, place, layout... */
export async function updateVariables(deps: UseCaseDeps, user: User, agreementId: number, input: UpdateVariablesInput) {
  return changeText(deps, user, agreementId, input.expectedVersion, { op: 'variables' }, (text, record) => {
    const variables = { ...text.variables, ...input.variables };
    checkVariables(variables, record.parties, record.languages);
    return { ...text, variables };
  });
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
