import type { Queryable } from '../connection.ts';

/** A stored revision of an original whose bytes have a given hash, and where it stands in its chain. */
export interface OriginalMatch {
  readonly agreementId: number;
  /** The party whose original it is. */
  readonly party: string;
  readonly revision: number;
  /** The newest revision of that original stored so far. */
  readonly latestRevision: number;
}

/**
 * Every stored revision of an original whose SHA-256 (lowercase hex) is `sha256`, oldest first.
 * Read-only; reads neither the PDF bytes nor any other agreement data.
 */
export async function findOriginalsBySha256(db: Queryable, sha256: string): Promise<OriginalMatch[]> {
  const rows: { agreement_id: number; party_key: string; revision: number; latest_revision: number | string }[] = await db('originals as o')
    .where('o.sha256', sha256.toLowerCase())
    .select(
      'o.agreement_id',
      'o.party_key',
      'o.revision',
      db('originals as l')
        .max('l.revision')
        .whereRaw('?? = ??', ['l.agreement_id', 'o.agreement_id'])
        .andWhereRaw('?? = ??', ['l.party_key', 'o.party_key'])
        .as('latest_revision'),
    )
    .orderBy(['o.agreement_id', 'o.party_key', 'o.revision']);
  return rows.map((row) => ({
    agreementId: row.agreement_id,
    party: row.party_key,
    revision: row.revision,
    latestRevision: Number(row.latest_revision),
  }));
}
