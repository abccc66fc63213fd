import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { bumpAgreementVersion } from '../../db/repositories/agreements.repository.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import { insertTextVersion, type TextChange } from '../../db/repositories/text-versions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { Knex } from 'knex';
import { authorize, type Action } from '../auth/policy.ts';
import { agreementView } from './agreement-view.ts';
import { contentHash, type AgreementText } from './agreement-text.ts';
import { assertRenderable } from './check-renderable.ts';
import { auditedActor } from './commit-transition.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';
import { indexAgreementText } from '../search/index-agreement-text.ts';
import { staleVersion } from './version-conflict.ts';

export interface ChangeOptions {
  /** What the policy is asked (default `text.edit`): confirming a translation asks `text.confirm`, accepting a suggestion `suggestion.decide`. */
  readonly action?: Action;
  /** The audit entry's detail when the change says more than its op (who suggested what). */
  readonly detail?: string;
  /** Rows that commit with the new version or not at all (the suggestion it accepts). */
  readonly alsoInTransaction?: (trx: Knex.Transaction, version: number) => Promise<void>;
}

/**
 * The one way the text changes, shared by every drafting use-case: legal staff, while drafting, at the
 * version they saw. The new text must render in both originals before anything is written; then one
 * transaction moves the version, appends the new text version and the audit entry.
 */
export async function changeText(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  expectedVersion: number,
  change: TextChange,
  apply: (text: AgreementText, record: AgreementRecord) => AgreementText,
  options: ChangeOptions = {},
) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, options.action ?? 'text.edit');
  if (expectedVersion !== record.version) throw staleVersion(record.version, expectedVersion);
  const next = apply((await loadText(deps.db, record)).text, record);
  const now = deps.now().toISOString();
  const source = await loadAgreementSource(deps.db, record, next);
  assertRenderable(source, now.slice(0, 10));

  await deps.db.transaction(async (trx) => {
    if (!(await bumpAgreementVersion(trx, agreementId, expectedVersion, { updatedAt: now })))
      throw staleVersion(undefined, expectedVersion);
    await insertTextVersion(trx, agreementId, {
      version: expectedVersion + 1,
      text: next,
      contentHash: contentHash(next),
      userId: user.id,
      at: now,
      change,
    });
    // The register's search index follows the text in the same transaction.
    await indexAgreementText(trx, record, source, now.slice(0, 10));
    await appendAuditEntry(trx, {
      agreementId,
      at: now,
      by: auditedActor(user),
      event: 'EDIT_TEXT',
      from: record.state,
      to: record.state,
      detail: options.detail ?? describeChange(change),
    });
    await options.alsoInTransaction?.(trx, expectedVersion + 1);
  });
  return agreementView(deps.db, await loadVisibleAgreement(deps.db, agreementId, user), user);
}

function describeChange(change: TextChange): string {
  return [change.op, change.clause, change.lang && `(${change.lang})`].filter(Boolean).join(' ');
}
