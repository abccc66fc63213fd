import { z } from 'zod';
import { insertComment } from '../../db/repositories/comments.repository.ts';
import type { Knex } from 'knex';
import { isAgreementAtVersion, type AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { insertSuggestion, listSuggestions, type SuggestionChange } from '../../db/repositories/suggestions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { RuleViolationError } from '../errors.ts';
import { LANGUAGES } from '../text/languages.ts';
import { safeText, userText } from '../text/safe-text.ts';
import { serializeEditable } from '../text/editable-text.ts';
import { assertRenderable } from './check-renderable.ts';
import type { UseCaseDeps } from './deps.ts';
import { editableTextOf, loadClauseTextContext, parseClauseText, type ClauseTextContext } from './editable-clauses.ts';
import { requireClause, requireLanguage, writeClause } from './edit-clause.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';
import { changesOf, diffRuns, suggestionView, type SuggestionView } from './suggestions.ts';
import { staleVersion } from './version-conflict.ts';

export const suggestChangeInput = z
  .object({
    clause: z.string().min(1).max(64),
    lang: z.enum(LANGUAGES),
    /** The whole proposed text of the clause in that language, in the editable format. */
    text: safeText(50_000),
    expectedVersion: z.number().int().nonnegative(),
    comment: userText(10_000, { singleLine: false }).trim().min(1).optional(),
  })
  .strict();
export type SuggestChangeInput = z.infer<typeof suggestChangeInput>;

/**
 * Legal staff propose a clause's text in a language instead of writing it: the suggestion keeps the
 * text it was made on, so it can be told outdated once the text changes. It must be a text that could
 * be accepted as it stands: it parses, names only the agreement's fields, changes something, and both
 * originals render with it. The text itself does not change, nor the agreement's version.
 */
export async function suggestChange(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  input: SuggestChangeInput,
): Promise<SuggestionView> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'text.suggest');
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  const at = await loadClauseTextContext(deps, record);
  const prepared = await prepareSuggestion(deps, record, at, input);
  const id = await deps.db.transaction(async (trx) => {
    await requireStillAt(trx, agreementId, input.expectedVersion);
    return storeSuggestion(trx, deps, user, agreementId, prepared);
  });
  return suggestionView(at, (await listSuggestions(deps.db, agreementId)).find((suggestion) => suggestion.id === id)!);
}

/** A suggestion checked against the current text, ready to be stored. */
export interface PreparedSuggestion {
  readonly input: SuggestChangeInput;
  readonly base: string;
  readonly proposed: string;
  readonly changes: readonly SuggestionChange[];
}

/**
 * The rules a suggestion must pass before anything is written: its clause and language exist, its text
 * parses and names only the agreement's fields, it changes something, and both originals render with
 * it. The Word import (import-docx.ts) prepares every change of a file this way, then stores them all
 * in one transaction.
 */
export async function prepareSuggestion(
  deps: UseCaseDeps,
  record: AgreementRecord,
  at: ClauseTextContext,
  input: SuggestChangeInput,
): Promise<PreparedSuggestion> {
  const current = await loadText(deps.db, record);
  requireClause(current.text, input.clause);
  requireLanguage(record.languages, input.lang);
  const proposed = serializeEditable(parseClauseText(at, input.clause, input.lang, input.text));
  const base = editableTextOf(at, input.clause, input.lang);
  if (proposed === base) {
    throw new RuleViolationError(`clause "${input.clause}" (${input.lang}): the suggestion changes nothing`, {
      clause: input.clause,
      lang: input.lang,
    });
  }
  const next = writeClause(current.text, record, at, input.clause, input.lang, proposed);
  assertRenderable(await loadAgreementSource(deps.db, record, next), deps.now().toISOString().slice(0, 10));
  return { input, base, proposed, changes: changesOf(diffRuns(at, input.clause, input.lang, base, proposed)) };
}

/** Inside the caller's transaction: the agreement is still at the version the suggestions were made on. */
export async function requireStillAt(trx: Knex.Transaction, agreementId: number, expectedVersion: number): Promise<void> {
  if (!(await isAgreementAtVersion(trx, agreementId, expectedVersion))) throw staleVersion(undefined, expectedVersion);
}

/** Writes a prepared suggestion (and its comment) in the caller's transaction; its id. */
export async function storeSuggestion(
  trx: Knex.Transaction,
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  { input, base, proposed, changes }: PreparedSuggestion,
): Promise<number> {
  const now = deps.now().toISOString();
  const inserted = await insertSuggestion(trx, agreementId, {
    clause: input.clause,
    lang: input.lang,
    authorId: user.id,
    party: user.party,
    baseVersion: input.expectedVersion,
    baseText: base,
    text: proposed,
    changes,
    at: now,
  });
  if (input.comment) {
    await insertComment(trx, agreementId, {
      clause: input.clause,
      lang: input.lang,
      replyTo: null,
      suggestion: inserted,
      authorId: user.id,
      party: user.party,
      internal: false,
      body: input.comment,
      at: now,
    });
  }
  return inserted;
}
