import { z } from 'zod';
import { insertAgreement } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { insertClauses, listClauses, type ClauseRecord } from '../../db/repositories/clauses.repository.ts';
import { findParties, listParties } from '../../db/repositories/parties.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { AGREEMENT_MACHINE_VERSION } from '../../workflows/agreement/agreement.machine.ts';
import { startWorkflow } from '../../workflows/agreement/agreement.workflow.ts';
import { ForbiddenError, RuleViolationError } from '../errors.ts';
import type { Party } from '../parties/party.ts';
import { clauseLibrary, findKind, type AgreementKind } from '../text/clause-library.ts';
import { LANGUAGES, type Lang } from '../text/languages.ts';
import { agreementView } from './agreement-view.ts';
import { assertRenderable } from './check-renderable.ts';
import { agreementVariablesSchema, type AgreementVariables } from './agreement-variables.ts';
import { defaultVariables } from './default-variables.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource, loadVisibleAgreement } from './load-agreement.ts';

export const createAgreementInput = z
  .object({
    kind: z.string().min(1).max(64),
    title: z.string().trim().min(1).max(500).optional(),
    languages: z.array(z.enum(LANGUAGES)).min(2).max(LANGUAGES.length).optional(),
    basedOn: z.number().int().positive().optional(),
    /** The other party; may be left out while only one other party exists. */
    counterparty: z.string().min(1).max(64).optional(),
    /** Overrides of the defaults (or of the inherited values): areas, term, dates... */
    variables: agreementVariablesSchema.partial().optional(),
  })
  .strict();
export type CreateAgreementInput = z.infer<typeof createAgreementInput>;

/**
 * Legal staff start an agreement of a kind: its clauses come from the library (or from the agreement
 * it continues, when of the same kind), filled with the parties' data, complete in every language, so
 * it can go through the workflow unedited. One transaction: agreement, parties, clauses, audit entry.
 */
export async function createAgreement(deps: UseCaseDeps, user: User, input: CreateAgreementInput) {
  if (user.role !== 'legal') throw new ForbiddenError('Only legal staff start agreements');
  const kind = findKind(input.kind);
  if (!kind) {
    throw new RuleViolationError(`Unknown kind "${input.kind}"; known kinds: ${[...clauseLibrary().kinds.keys()].join(', ')}`);
  }
  const now = deps.now();
  const base = input.basedOn === undefined ? undefined : await loadVisibleAgreement(deps.db, input.basedOn, user);
  if (base && base.state !== 'executed') {
    throw new RuleViolationError(`Agreement ${base.id} is ${base.state}; only an executed agreement can be continued`);
  }
  const parties = await chooseParties(deps, user, base?.parties, input.counterparty);
  const languages = chooseLanguages(input.languages, parties);
  const variables = {
    ...(base
      ? {
          ...base.variables,
          // A document of another kind has its own subject: an agreement is not "on the development of" a letter.
          subject: base.kind === kind.kind ? base.variables.subject : kind.defaultSubject,
          signingDate: null,
          conferenceYear: Math.max(base.variables.conferenceYear, now.getUTCFullYear() + 1),
        }
      : defaultVariables(kind, parties, languages, now)),
    ...input.variables,
  };
  // An inherited prevailing language the new texts do not include is dropped, not an error: nobody asked for it.
  if (input.variables?.prevailingLanguage === undefined && variables.prevailingLanguage && !languages.includes(variables.prevailingLanguage)) {
    variables.prevailingLanguage = null;
  }
  checkVariables(variables, parties, languages);
  const clauses = await initialClauses(deps, kind, languages, base?.kind === kind.kind ? base.id : undefined);
  const title = input.title ?? `${kind.title.en} — ${parties.map((party) => party.names.en.short).join(' / ')}`;
  const at = now.toISOString();

  const id = await deps.db.transaction(async (trx) => {
    const agreementId = await insertAgreement(trx, {
      kind: kind.kind,
      title,
      languages,
      variables,
      basedOn: base?.id ?? null,
      state: 'drafting',
      machineVersion: AGREEMENT_MACHINE_VERSION,
      workflow: startWorkflow(parties.map((party) => party.key)),
      parties: parties.map((party) => party.key),
      createdBy: user.id,
      createdAt: at,
      updatedAt: at,
    });
    await insertClauses(trx, agreementId, clauses, { userId: user.id, at });
    const record = await loadVisibleAgreement(trx, agreementId, user);
    assertRenderable(await loadAgreementSource(trx, record), at.slice(0, 10));
    await appendAuditEntry(trx, {
      agreementId,
      at,
      actor: user.email,
      party: user.party,
      role: user.role,
      event: 'CREATE',
      from: null,
      to: 'drafting',
      detail: base ? `continues agreement ${base.id}` : null,
    });
    return agreementId;
  });
  return agreementView(deps.db, await loadVisibleAgreement(deps.db, id, user), user);
}

async function chooseParties(
  deps: UseCaseDeps,
  user: User,
  inherited: readonly string[] | undefined,
  counterparty: string | undefined,
): Promise<Party[]> {
  if (inherited) {
    // The creator's party comes first: it hosts the signature unless the text says otherwise.
    return findParties(deps.db, [user.party, ...inherited.filter((key) => key !== user.party)]);
  }
  const others = (await listParties(deps.db)).filter((party) => party.key !== user.party);
  const other = counterparty ? others.find((party) => party.key === counterparty) : others.length === 1 ? others[0] : undefined;
  if (!other) {
    throw new RuleViolationError(
      counterparty
        ? `Unknown counterparty "${counterparty}"; known parties: ${others.map((party) => party.key).join(', ')}`
        : `Name the counterparty, one of: ${others.map((party) => party.key).join(', ')}`,
    );
  }
  return findParties(deps.db, [user.party, other.key]);
}

/** Rules across variables that the schema alone cannot state. */
function checkVariables(variables: AgreementVariables, parties: readonly Party[], languages: readonly Lang[]): void {
  const keys = parties.map((party) => party.key);
  if (!keys.includes(variables.placeOfSigning)) {
    throw new RuleViolationError(`placeOfSigning must be one of the parties: ${keys.join(', ')}`);
  }
  if (variables.prevailingLanguage && !languages.includes(variables.prevailingLanguage)) {
    throw new RuleViolationError(`prevailingLanguage ${variables.prevailingLanguage} is not one of the texts (${languages.join(', ')})`);
  }
  const missing = keys.filter((key) => !variables.coordinators[key]);
  if (missing.length > 0) throw new RuleViolationError(`coordinators must name one for each party; missing: ${missing.join(', ')}`);
}

/** Each party's language must be among the texts: both governments read their own. */
function chooseLanguages(requested: readonly Lang[] | undefined, parties: readonly Party[]): Lang[] {
  const languages = [...new Set(requested ?? parties.map((party) => party.language))];
  const missing = parties.filter((party) => !languages.includes(party.language));
  if (missing.length > 0) {
    throw new RuleViolationError(
      `languages must include each party's language: ${missing.map((party) => `${party.language} (${party.key})`).join(', ')}`,
    );
  }
  return languages;
}

async function initialClauses(
  deps: UseCaseDeps,
  kind: AgreementKind,
  languages: readonly Lang[],
  sameKindBase: number | undefined,
): Promise<ClauseRecord[]> {
  const inherited = sameKindBase === undefined ? [] : await listClauses(deps.db, sameKindBase);
  const library = clauseLibrary().clauses;
  return kind.clauses.map((key) => {
    const source = inherited.find((clause) => clause.key === key)?.texts ?? library.get(key)!.texts;
    return { key, texts: Object.fromEntries(languages.map((lang) => [lang, source[lang] ?? library.get(key)!.texts[lang]])) };
  });
}
