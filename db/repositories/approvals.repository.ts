import type { Queryable } from '../connection.ts';

export interface ApprovalRecord {
  readonly stage: 'review' | 'approval';
  readonly party: string;
  readonly userId: number;
  /** The agreement version and text hash the approval was given to. */
  readonly version: number;
  readonly contentHash: string;
  readonly approvedAt: string;
}

export async function insertApproval(db: Queryable, agreementId: number, approval: ApprovalRecord): Promise<void> {
  await db('approvals').insert({
    agreement_id: agreementId,
    stage: approval.stage,
    party_key: approval.party,
    user_id: approval.userId,
    version: approval.version,
    content_hash: approval.contentHash,
    approved_at: approval.approvedAt,
  });
}

/** The user's most recent approval of the agreement, for "what changed since I approved". */
export async function findLastApprovalBy(db: Queryable, agreementId: number, userId: number): Promise<ApprovalRecord | undefined> {
  const row = await db('approvals').where({ agreement_id: agreementId, user_id: userId }).orderBy('id', 'desc').first();
  return (
    row && {
      stage: row.stage,
      party: row.party_key,
      userId: row.user_id,
      version: row.version,
      contentHash: row.content_hash,
      approvedAt: row.approved_at,
    }
  );
}
