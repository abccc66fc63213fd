import type { Database } from '../../db/connection.ts';

/**
 * Everything stored about an agreement, as comparable JSON: a refused request must leave it equal.
 * PDFs are compared by hash, not bytes, to keep failures readable.
 */
export async function storedAgreement(db: Database, agreementId: number): Promise<string> {
  const [agreement, texts, approvals, comments, audit, originals, signatures, suggestions, obligations, completions] = await Promise.all([
    db('agreements').where({ id: agreementId }).first(),
    db('text_versions').where({ agreement_id: agreementId }).orderBy('version'),
    db('approvals').where({ agreement_id: agreementId }).orderBy('id'),
    db('comments').where({ agreement_id: agreementId }).orderBy('id'),
    db('audit_events').where({ agreement_id: agreementId }).orderBy('seq'),
    db('originals').where({ agreement_id: agreementId }).orderBy(['party_key', 'revision']).select('party_key', 'revision', 'sha256'),
    db('signatures').where({ agreement_id: agreementId }).orderBy('id'),
    db('suggestions').where({ agreement_id: agreementId }).orderBy('id'),
    db('obligations').where({ agreement_id: agreementId }).orderBy('id'),
    db('obligation_completions')
      .join('obligations', 'obligations.id', 'obligation_completions.obligation_id')
      .where('obligations.agreement_id', agreementId)
      .orderBy('obligation_completions.id')
      .select('obligation_completions.*'),
  ]);
  // Clause texts are shared by every agreement, so their count is the check: a refused change adds none.
  const clauseTexts = await countRows(db, 'clause_texts');
  return JSON.stringify({
    agreement,
    texts,
    clauseTexts,
    approvals,
    comments,
    audit,
    originals,
    signatures,
    suggestions,
    obligations,
    completions,
  });
}

export async function countRows(db: Database, table: string): Promise<number> {
  const [row] = await db(table).count<{ count: number | string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

/** Row counts of `tables` and every agreement's version and state: what a refused request must leave equal. */
export async function storedFingerprint(db: Database, tables: readonly string[]): Promise<string> {
  const counts = await Promise.all(tables.map(async (table) => [table, await countRows(db, table)]));
  return JSON.stringify({ counts, versions: await db('agreements').orderBy('id').select('id', 'version', 'state') });
}
