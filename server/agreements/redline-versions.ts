import { listSuggestions } from '../../db/repositories/suggestions.repository.ts';
import { listTextVersions } from '../../db/repositories/text-versions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { MalformedRequestError, RuleViolationError } from '../errors.ts';
import type { Lang } from '../text/languages.ts';
import { clauseTexts } from './agreement-text.ts';
import { parseVersion } from './compare-versions.ts';
import type { UseCaseDeps } from './deps.ts';
import type { ClauseTextContext } from './editable-clauses.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';

/** A redline reads every version between its two: more than this many is refused (compare fewer at a time). */
export const MAX_REDLINE_VERSIONS = 200;

/**
 * Who made a version of the text, and when (ISO 8601 to the second, as Word writes w:date). A version
 * that accepted a suggestion is the suggestion's author's words: they are its author, and the one who
 * accepted it is named beside them.
 */
export interface Revision {
  readonly version: number;
  readonly author: string;
  readonly date: string;
  readonly acceptedBy?: string;
}

/**
 * What a redline of two versions (DOCX or PDF) is made from: the earlier and later text, every text
 * version between them with who made it, and the clauses of both in one order (the later text's, each
 * clause removed since put back after the clause it followed). Reads only; no transaction needed.
 */
export interface RedlineVersions {
  readonly record: Awaited<ReturnType<typeof loadVisibleAgreement>>;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** The day the redline's undated fields are read on. */
  readonly date: string;
  /** [0] the earlier text, then each later text version in order up to the later one. */
  readonly steps: readonly ClauseTextContext[];
  /** The author of steps[k] is revisions[k - 1]. */
  readonly revisions: readonly Revision[];
  readonly earlier: ClauseTextContext;
  readonly later: ClauseTextContext;
  /** The later text's source with the removed clauses put back: the redline's clause order. */
  readonly merged: ClauseTextContext;
}

export async function loadRedlineVersions(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  query: { from: string; to: string | undefined },
): Promise<RedlineVersions> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'original.download');
  const fromVersion = parseVersion(query.from);
  const toVersion = query.to === undefined ? record.version : parseVersion(query.to);
  if (fromVersion > toVersion) throw new MalformedRequestError(`from (${fromVersion}) must not be later than to (${toVersion})`);
  const [before, after] = await Promise.all([loadText(deps.db, record, fromVersion), loadText(deps.db, record, toVersion)]);
  const between = (await listTextVersions(deps.db, record.id, { limit: MAX_REDLINE_VERSIONS + 1, before: toVersion + 1 })).filter(
    (version) => version.version > before.version,
  );
  if (between.length > MAX_REDLINE_VERSIONS) {
    throw new RuleViolationError(
      `Versions ${fromVersion} to ${toVersion} hold more than ${MAX_REDLINE_VERSIONS} changes of the text: compare fewer versions at a time`,
    );
  }
  between.reverse();
  const texts = await Promise.all(between.map((version) => loadText(deps.db, record, version.version)));
  const suggestions = between.some((version) => version.change.suggestion !== undefined)
    ? new Map((await listSuggestions(deps.db, record.id)).map((suggestion) => [suggestion.id, suggestion]))
    : new Map();
  const date = record.updatedAt.slice(0, 10);
  const laterSource = await loadAgreementSource(deps.db, record, after.text);
  // Parties, signatories and the document continued are the agreement's, not a version's: one read serves all.
  const at = (text: typeof after.text): ClauseTextContext => ({
    source: {
      ...laterSource,
      variables: text.variables,
      clauses: text.clauses.map((clause) => ({ key: clause.key, texts: clauseTexts(clause) })),
    },
    today: date,
  });
  const earlier = at(before.text);
  const later = at(after.text);
  const clauses = [...later.source.clauses];
  earlier.source.clauses.forEach((clause, index) => {
    if (clauses.some((kept) => kept.key === clause.key)) return;
    const previous = earlier.source.clauses[index - 1]?.key;
    clauses.splice(previous === undefined ? 0 : clauses.findIndex((kept) => kept.key === previous) + 1, 0, clause);
  });
  return {
    record,
    fromVersion,
    toVersion,
    date,
    steps: [earlier, ...texts.map((text) => at(text.text))],
    revisions: between.map((version) => {
      const suggested = version.change.suggestion === undefined ? undefined : suggestions.get(version.change.suggestion);
      return {
        version: version.version,
        author: suggested?.by ?? version.createdBy,
        date: new Date(version.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ...(suggested && suggested.by !== version.createdBy && { acceptedBy: version.createdBy }),
      };
    }),
    earlier,
    later,
    merged: { source: { ...later.source, clauses }, today: date },
  };
}

/** Whether a version's text has a clause in a language. */
export function hasClause(at: ClauseTextContext, key: string, lang: Lang): boolean {
  return at.source.clauses.find((clause) => clause.key === key)?.texts[lang] !== undefined;
}

/**
 * A function of each version's text per clause and language, computed once per distinct input: most
 * versions change one clause in one language, so the others are the same text again and again.
 */
export function perVersionText<T>(compute: (at: ClauseTextContext, key: string, lang: Lang) => T) {
  const memo = new Map<string, T>();
  return (at: ClauseTextContext, key: string, lang: Lang): T => {
    const text = at.source.clauses.find((clause) => clause.key === key)?.texts[lang];
    const id = `${key}|${lang}|${JSON.stringify(at.source.variables)}|${text ?? ''}`;
    let value = memo.get(id);
    if (value === undefined) memo.set(id, (value = compute(at, key, lang)));
    return value;
  };
}
