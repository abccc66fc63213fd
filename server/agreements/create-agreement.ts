import { z } from 'zod';
import { safeText } from '../text/safe-text.ts';
import { insertAgreement } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { insertTextVersion } from '../../db/repositories/text-versions.repository.ts';
import { findParties, listParties } from '../../db/repositories/parties.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { startWorkflow, stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { authorize } from '../auth/policy.ts';
import { RuleViolationError } from '../errors.ts';
import type { Party } from '../parties/party.ts';
import { clauseLibrary, findKind, type AgreementKind } from '../text/clause-library.ts';
import { formatDate, LANGUAGES, type Lang } from '../text/languages.ts';
import { russianNameFromOutside } from './agreement-document.ts';
import { agreementView } from './agreement-view.ts';
import { assertRenderable } from './check-renderable.ts';
import { auditedActor } from './commit-transition.ts';
import { clauseTexts, confirmedClause, contentHash, type AgreementText, type ClauseInstance } from './agreement-text.ts';
import { agreementVariablesSchema, type LocalizedText } from './agreement-variables.ts';
import { defaultVariables } from './default-variables.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement, signingDateOf } from './load-agreement.ts';
import { checkVariables } from './update-variables.ts';
import { indexAgreementText } from '../search/index-agreement-text.ts';

export const createAgreementInput = z
  .object({
    kind: z.string().min(1).max(64),
    title: safeText(500).trim().min(1).optional(),
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
  authorize(user, null, 'agreement.create');
  const kind = findKind(input.kind);
  if (!kind) {
    throw new RuleViolationError(`Unknown kind "${input.kind}"; known kinds: ${[...clauseLibrary().kinds.keys()].join(', ')}`);
  }
  const now = deps.now();
  const base = input.basedOn === undefined ? undefined : await loadVisibleAgreement(deps.db, input.basedOn, user);
  if (base && !stateHasTag(base.workflow, 'continuable')) {
    throw new RuleViolationError(
      `Agreement ${base.id} is ${base.state}; only an executed agreement, or one in force, can be continued or amended`,
      { field: 'basedOn' },
    );
  }
  if (kind.kind === 'amendment' && !base)
    throw new RuleViolationError('An amendment names the agreement it amends: basedOn', { field: 'basedOn' });
  const parties = await chooseParties(deps, user, base?.parties, input.counterparty);
  const languages = chooseLanguages(input.languages, parties);
  const baseText = base && (await loadText(deps.db, base)).text;
  const variables = {
    ...(baseText
      ? {
          ...baseText.variables,
          // A document of another kind has its own subject: an agreement is not "on the development of" a letter.
          subject:
            base!.kind === kind.kind
              ? baseText.variables.subject
              : kind.amends
                ? amendmentSubject(findKind(base!.kind)!, baseText.variables.subject, signingDateOf(base!, baseText))
                : kind.defaultSubject,
          signingDate: null,
          conferenceYear: Math.max(baseText.variables.conferenceYear, now.getUTCFullYear() + 1),
          // A protocol enters into force as the instrument it amends; an agreement continuing a document of
          // another kind (a binding one after a letter of intent) as its own kind does with these parties.
          entryIntoForce:
            kind.amends || base!.kind === kind.kind
              ? baseText.variables.entryIntoForce
              : defaultVariables(kind, parties, languages, now).entryIntoForce,
        }
      : defaultVariables(kind, parties, languages, now)),
    ...input.variables,
  };
  // An inherited prevailing language the new texts do not include is dropped, not an error: nobody asked for it.
  if (
    input.variables?.prevailingLanguage === undefined &&
    variables.prevailingLanguage &&
    !languages.includes(variables.prevailingLanguage)
  ) {
    variables.prevailingLanguage = null;
  }
  checkVariables(variables, parties, languages);
  const text: AgreementText = {
    variables,
    clauses: initialClauses(kind, languages, base?.kind === kind.kind ? baseText : undefined, base && findKind(base.kind)),
  };
  const title = input.title ?? `${kind.title.en} — ${parties.map((party) => party.names.en.short).join(' / ')}`;
  const at = now.toISOString();
  const workflow = startWorkflow(parties.map((party) => party.key));

  const id = await deps.db.transaction(async (trx) => {
    const agreementId = await insertAgreement(trx, {
      kind: kind.kind,
      title,
      languages,
      basedOn: base?.id ?? null,
      state: workflow.value,
      workflow,
      parties: parties.map((party) => party.key),
      createdBy: user.id,
      createdAt: at,
      updatedAt: at,
    });
    await insertTextVersion(trx, agreementId, {
      version: 1,
      text,
      contentHash: contentHash(text),
      userId: user.id,
      at,
      change: { op: 'create' },
    });
    const record = await loadVisibleAgreement(trx, agreementId, user);
    const source = await loadAgreementSource(trx, record, text);
    assertRenderable(source, at.slice(0, 10));
    // The register's search index follows the text in the same transaction.
    await indexAgreementText(trx, record, source, at.slice(0, 10));
    await appendAuditEntry(trx, {
      agreementId,
      at,
      by: auditedActor(user),
      event: 'CREATE',
      from: null,
      to: workflow.value,
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

/**
 * The clauses of a new agreement: all of the continued agreement's when it is of the same kind (an
 * amendment keeps its custom clauses), otherwise the kind's clauses from the library.
 */
function initialClauses(
  kind: AgreementKind,
  languages: readonly Lang[],
  sameKindBase: AgreementText | undefined,
  baseKind: AgreementKind | undefined,
): ClauseInstance[] {
  const library = clauseLibrary().clauses;
  if (!sameKindBase) {
    // A protocol to a non-binding instrument says, as the instrument does, that it creates no obligations.
    const keys =
      kind.amends && baseKind && !baseKind.binding
        ? kind.clauses.flatMap((key) => (key === 'entry-into-force' ? ['non-binding-nature', key] : [key]))
        : kind.clauses;
    return keys.map((key) => {
      const texts = library.get(key)!.texts;
      return confirmedClause(key, 'library', Object.fromEntries(languages.map((lang) => [lang, texts[lang]])), languages[0]!);
    });
  }
  return sameKindBase.clauses.map((clause) => {
    const present = languages.filter((lang) => clause.languages[lang] !== undefined);
    const texts = clauseTexts(clause);
    const inherited = confirmedClause(
      clause.key,
      clause.origin,
      Object.fromEntries(present.map((lang) => [lang, texts[lang]])),
      present[0] ?? languages[0]!,
    );
    // A language the continued agreement did not have waits for its translation.
    const missing = languages.filter((lang) => !present.includes(lang));
    return {
      ...inherited,
      languages: {
        ...inherited.languages,
        ...Object.fromEntries(missing.map((lang) => [lang, { text: '', status: 'needs-review' as const, renders: '' }])),
      },
    };
  });
}

/**
 * A protocol is about the instrument it amends, named by its subject and date as treaty practice
 * names it: "on Amendments to the Agreement between Them on Trade, ... Cooperation of 20 July 2018".
 */
function amendmentSubject(baseKind: AgreementKind, baseSubject: LocalizedText, baseDate: string): AgreementKind['defaultSubject'] {
  const russian = russianNameFromOutside(baseKind.document.ru.acc);
  const [change, korean] = baseKind.binding ? ['Amendments', '개정'] : ['Modifications', '수정'];
  return {
    en: `on ${change} to the ${baseKind.document.en.name} between Them ${baseSubject.en} of ${formatDate('en', baseDate)}`,
    ru: `о внесении изменений в ${russian} между ними ${baseSubject.ru} от ${formatDate('ru', baseDate)}`,
    ko: `${formatDate('ko', baseDate)}에 서명된 ${baseSubject.ko} ${baseKind.document.ko.name}의 ${korean}에 관한`,
  };
}
