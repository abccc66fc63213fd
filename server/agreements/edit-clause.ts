import { z } from 'zod';
import { bumpAgreementVersion } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { updateClauseText } from '../../db/repositories/clauses.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { ForbiddenError, InvalidTransitionError, NotFoundError, RuleViolationError } from '../errors.ts';
import { LANGUAGES } from '../text/languages.ts';
import { agreementView } from './agreement-view.ts';
import { assertRenderable } from './check-renderable.ts';
import type { UseCaseDeps } from './deps.ts';
import { staleVersion } from './version-conflict.ts';
import { loadAgreementSource, loadVisibleAgreement } from './load-agreement.ts';

export const editClauseInput = z
  .object({
    lang: z.enum(LANGUAGES),
    text: z.string().max(50_000),
    expectedVersion: z.number().int().nonnegative(),
  })
  .strict();
export type EditClauseInput = z.infer<typeof editClauseInput>;

/**
 * Legal staff change one language of one clause while drafting. The new text must render in both
 * originals before anything is written; then one transaction bumps the version, stores the text
 * and appends the audit entry.
 */
export async function editClause(deps: UseCaseDeps, user: User, agreementId: number, key: string, input: EditClauseInput) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  if (user.role !== 'legal') throw new ForbiddenError('Only legal staff edit the text');
  if (record.state !== 'drafting') {
    throw new InvalidTransitionError(`The text can be edited only while drafting; the agreement is in ${record.state}`);
  }
  if (input.expectedVersion !== record.version) throw staleVersion(record.version, input.expectedVersion);
  if (!record.languages.includes(input.lang)) {
    throw new RuleViolationError(`The agreement is written in ${record.languages.join(', ')}, not ${input.lang}`);
  }
  const source = await loadAgreementSource(deps.db, record);
  const clause = source.clauses.find((candidate) => candidate.key === key);
  if (!clause) throw new NotFoundError(`Agreement ${agreementId} has no clause "${key}"`);
  const now = deps.now().toISOString();
  assertRenderable(
    {
      ...source,
      clauses: source.clauses.map((candidate) =>
        candidate === clause ? { key, texts: { ...clause.texts, [input.lang]: input.text } } : candidate,
      ),
    },
    now.slice(0, 10),
  );

  await deps.db.transaction(async (trx) => {
    if (!(await bumpAgreementVersion(trx, agreementId, input.expectedVersion, { updatedAt: now }))) {
      throw staleVersion(undefined, input.expectedVersion);
    }
    await updateClauseText(trx, agreementId, key, input.lang, input.text, { userId: user.id, at: now });
    await appendAuditEntry(trx, {
      agreementId,
      at: now,
      actor: user.email,
      party: user.party,
      role: user.role,
      event: 'EDIT_CLAUSE',
      from: record.state,
      to: record.state,
      detail: `${key} (${input.lang})`,
    });
  });
  return agreementView(deps.db, await loadVisibleAgreement(deps.db, agreementId, user), user);
}
