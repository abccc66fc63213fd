import { listTextVersions, type TextVersionSummary } from '../../db/repositories/text-versions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { MalformedRequestError } from '../errors.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadVisibleAgreement } from './load-agreement.ts';

/** How many versions a page of the list holds when the caller does not say, and at most. */
export const VERSIONS_PAGE_SIZE = { default: 50, max: 200 } as const;

export interface VersionsPage {
  readonly versions: readonly TextVersionSummary[];
  readonly limit: number;
  /** The `before` that reads the next, older page; null on the last page. */
  readonly nextBefore: number | null;
}

/**
 * One page of an agreement's text versions, newest first (older than `before` when given): who
 * changed what, and when. Only the versions' metadata is read, so a long history costs one page,
 * never the texts it holds.
 */
export async function listVersions(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  page: { readonly limit?: number; readonly before?: number },
): Promise<VersionsPage> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  const limit = page.limit ?? VERSIONS_PAGE_SIZE.default;
  if (limit < 1 || limit > VERSIONS_PAGE_SIZE.max)
    throw new MalformedRequestError(`limit must be 1 to ${VERSIONS_PAGE_SIZE.max}, not ${limit}`);
  // One row more than the page says whether an older page exists, without counting the history.
  const rows = await listTextVersions(deps.db, record.id, { limit: limit + 1, before: page.before });
  const versions = rows.slice(0, limit);
  return { versions, limit, nextBefore: rows.length > limit ? versions.at(-1)!.version : null };
}
