import type { Queryable } from '../connection.ts';

/** One party's mark that a difference between the languages of a clause is intended. */
export interface IntendedDifferenceMark {
  readonly clause: string;
  readonly rule: string;
  readonly fingerprint: string;
  readonly party: string;
  readonly by: string;
  readonly reason: string;
  readonly version: number;
  readonly at: string;
}

/** Every mark on the agreement, oldest first (whether or not the text still reads as it did). */
export async function listIntendedDifferences(db: Queryable, agreementId: number): Promise<IntendedDifferenceMark[]> {
  const rows = await db('intended_differences')
    .join('users', 'users.id', 'intended_differences.user_id')
    .where('intended_differences.agreement_id', agreementId)
    .orderBy('intended_differences.id')
    .select('intended_differences.*', 'users.email');
  return rows.map((row) => ({
    clause: row.clause_key,
    rule: row.rule,
    fingerprint: row.fingerprint,
    party: row.party_key,
    by: row.email,
    reason: row.reason,
    version: row.version,
    at: row.created_at,
  }));
}

/** Records a party's mark; call it inside the transaction that moves the agreement's version. */
export async function insertIntendedDifference(
  db: Queryable,
  agreementId: number,
  mark: Omit<IntendedDifferenceMark, 'by'> & { readonly userId: number },
): Promise<void> {
  await db('intended_differences').insert({
    agreement_id: agreementId,
    clause_key: mark.clause,
    rule: mark.rule,
    fingerprint: mark.fingerprint,
    party_key: mark.party,
    user_id: mark.userId,
    reason: mark.reason,
    version: mark.version,
    created_at: mark.at,
  });
}
