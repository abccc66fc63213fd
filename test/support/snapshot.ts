import type { Database } from '../../db/connection.ts';

/**
 * Everything stored about an agreement, as comparable JSON: a refused request must leave it equal.
 * PDFs are compared by hash, not bytes, to keep failures readable.
 */
export async function storedAgreement(db: Database, agreementId: number): Promise<string> {
  const [agreement, clauses, texts, audit, originals, signatures] = await Promise.all([
    db('agreements').where({ id: agreementId }).first(),
    db('clauses').where({ agreement_id: agreementId }).orderBy('position'),
    db('clause_texts').where({ agreement_id: agreementId }).orderBy(['clause_key', 'lang']),
    db('audit_events').where({ agreement_id: agreementId }).orderBy('seq'),
    db('originals').where({ agreement_id: agreementId }).orderBy(['party_key', 'revision']).select('party_key', 'revision', 'sha256'),
    db('signatures').where({ agreement_id: agreementId }).orderBy('id'),
  ]);
  return JSON.stringify({ agreement, clauses, texts, audit, originals, signatures });
}

export async function countRows(db: Database, table: string): Promise<number> {
  const [row] = await db(table).count<{ count: number | string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}
