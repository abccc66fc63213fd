import { diffWords } from 'diff';
import { findLastApprovalBy } from '../../db/repositories/approvals.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { NotFoundError } from '../errors.ts';
import type { AgreementDocument } from '../pdf/document-model.ts';
import { LOCALE, type Lang } from '../text/languages.ts';
import type { Block } from '../text/markup.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';

export interface ClauseComparison {
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  /** Per language: the word-level diff, as runs of common, added and removed text. */
  readonly languages: Partial<Record<Lang, readonly { value: string; added: boolean; removed: boolean }[]>>;
}

/**
 * A word-level diff of two versions of an agreement, clause by clause and language by language,
 * of the text as printed in the user's party's original (variables filled in), so an official sees
 * exactly what changed. `from` may be "my-last-approval".
 */
export async function compareVersions(deps: UseCaseDeps, user: User, agreementId: number, from: string, to: string | undefined) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  const fromVersion = from === 'my-last-approval' ? await lastApprovedVersion(deps, agreementId, user) : parseVersion(from);
  const toVersion = to === undefined ? record.version : parseVersion(to);
  const printed = async (version: number) => {
    const text = await loadText(deps.db, record, version);
    const source = await loadAgreementSource(deps.db, record, text.text);
    return {
      version,
      contentHash: text.contentHash,
      text: clausePlainTexts(buildAgreementDocument(source, { original: user.party, date: record.updatedAt.slice(0, 10), final: true })),
    };
  };
  const [before, after] = await Promise.all([printed(fromVersion), printed(toVersion)]);
  const keys = [...new Set([...after.text.keys(), ...before.text.keys()])];
  const clauses: ClauseComparison[] = keys.map((key) => {
    const old = before.text.get(key);
    const current = after.text.get(key);
    const languages = Object.fromEntries(
      record.languages.map((lang) => [
        lang,
        diffWords(old?.[lang] ?? '', current?.[lang] ?? '', {
          intlSegmenter: new Intl.Segmenter(LOCALE[lang], { granularity: 'word' }),
        }).map(({ value, added, removed }) => ({ value, added, removed })),
      ]),
    );
    const change = !old
      ? 'added'
      : !current
        ? 'removed'
        : record.languages.some((lang) => old[lang] !== current[lang])
          ? 'changed'
          : 'unchanged';
    return { key, change, languages };
  });
  return {
    from: { version: before.version, contentHash: before.contentHash },
    to: { version: after.version, contentHash: after.contentHash },
    clauses,
  };
}

async function lastApprovedVersion(deps: UseCaseDeps, agreementId: number, user: User): Promise<number> {
  const approval = await findLastApprovalBy(deps.db, agreementId, user.id);
  if (!approval) throw new NotFoundError('You have not approved this agreement yet; compare two version numbers instead');
  return approval.version;
}

/** A version number from the query, or 404 naming it. */
export function parseVersion(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new NotFoundError(`"${value}" is not a version number`);
  return Number(value);
}

/** Each clause's printed text per language, keyed by clause: what the reader of the PDF reads. */
function clausePlainTexts(document: AgreementDocument): Map<string, Partial<Record<Lang, string>>> {
  const plain = (blocks: readonly Block[] | undefined) =>
    (blocks ?? []).map((block) => (block.type === 'paragraph' ? block.text : block.items.join('\n'))).join('\n');
  const perLanguage = <T>(values: Partial<Record<Lang, T>>, toText: (value: T) => string) =>
    Object.fromEntries(document.languages.map((lang) => [lang, values[lang] === undefined ? '' : toText(values[lang]!)]));
  return new Map([
    ['title', perLanguage(document.title, (title) => title)],
    ['preamble', perLanguage(document.preamble, plain)],
    ...document.articles.map((article) => [article.key, perLanguage(article.body, plain)] as const),
    ['final-clause', perLanguage(document.finalClause, plain)],
  ]);
}
