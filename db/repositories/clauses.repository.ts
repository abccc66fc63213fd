import type { Queryable } from '../connection.ts';
import type { Lang } from '../../server/text/languages.ts';

/** A clause of an agreement: its stable key and its template text per language. */
export interface ClauseRecord {
  readonly key: string;
  readonly texts: Partial<Record<Lang, string>>;
}

/** The agreement's clauses in text order. */
export async function listClauses(db: Queryable, agreementId: number): Promise<ClauseRecord[]> {
  const clauses = await db('clauses').where({ agreement_id: agreementId }).orderBy('position').select('key');
  const texts = await db('clause_texts').where({ agreement_id: agreementId }).select('clause_key', 'lang', 'text');
  return clauses.map(({ key }: { key: string }) => ({
    key,
    texts: Object.fromEntries(
      texts.filter((text: { clause_key: string }) => text.clause_key === key).map((text: { lang: Lang; text: string }) => [text.lang, text.text]),
    ),
  }));
}

/** Writes a new agreement's clauses, in order. */
export async function insertClauses(
  db: Queryable,
  agreementId: number,
  clauses: readonly ClauseRecord[],
  author: { userId: number; at: string },
): Promise<void> {
  await db('clauses').insert(clauses.map((clause, position) => ({ agreement_id: agreementId, key: clause.key, position })));
  const texts = clauses.flatMap((clause) =>
    Object.entries(clause.texts).map(([lang, text]) => ({
      agreement_id: agreementId,
      clause_key: clause.key,
      lang,
      text,
      updated_by: author.userId,
      updated_at: author.at,
    })),
  );
  // SQLite limits bound variables per statement; a long agreement is written in slices.
  for (let index = 0; index < texts.length; index += 100) await db('clause_texts').insert(texts.slice(index, index + 100));
}

/** Replaces one language's text of a clause; false when the clause does not exist. */
export async function updateClauseText(
  db: Queryable,
  agreementId: number,
  key: string,
  lang: Lang,
  text: string,
  author: { userId: number; at: string },
): Promise<boolean> {
  const exists = await db('clauses').where({ agreement_id: agreementId, key }).first('key');
  if (!exists) return false;
  await db('clause_texts')
    .insert({ agreement_id: agreementId, clause_key: key, lang, text, updated_by: author.userId, updated_at: author.at })
    .onConflict(['agreement_id', 'clause_key', 'lang'])
    .merge(['text', 'updated_by', 'updated_at']);
  return true;
}
