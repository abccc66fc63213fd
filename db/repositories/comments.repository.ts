import type { Queryable } from '../connection.ts';

export interface CommentRecord {
  readonly id: number;
  readonly clause: string;
  readonly lang: string;
  readonly replyTo: number | null;
  /** The suggestion whose thread it is in, if any. */
  readonly suggestion: number | null;
  readonly author: string;
  readonly party: string;
  readonly internal: boolean;
  readonly body: string;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
}

/** Inserts a comment and returns its id. */
export async function insertComment(
  db: Queryable,
  agreementId: number,
  comment: {
    clause: string;
    lang: string;
    replyTo: number | null;
    suggestion?: number | null;
    authorId: number;
    party: string;
    internal: boolean;
    body: string;
    at: string;
  },
): Promise<number> {
  const [row] = await db('comments')
    .insert({
      agreement_id: agreementId,
      clause_key: comment.clause,
      lang: comment.lang,
      reply_to: comment.replyTo,
      suggestion_id: comment.suggestion ?? null,
      author_id: comment.authorId,
      party_key: comment.party,
      internal: comment.internal,
      body: comment.body,
      created_at: comment.at,
    })
    .returning('id');
  return typeof row === 'object' ? row.id : row;
}

/** The comments a party may read: everyone's public ones and its own internal ones, oldest first. */
export async function listCommentsVisibleTo(db: Queryable, agreementId: number, party: string): Promise<CommentRecord[]> {
  const rows = await db('comments')
    .join('users as authors', 'authors.id', 'comments.author_id')
    .leftJoin('users as resolvers', 'resolvers.id', 'comments.resolved_by')
    .where('comments.agreement_id', agreementId)
    .andWhere((visible) => visible.where('comments.internal', false).orWhere('comments.party_key', party))
    .orderBy('comments.id')
    .select(
      'comments.id',
      'comments.clause_key',
      'comments.lang',
      'comments.reply_to',
      'comments.suggestion_id',
      'authors.email as author',
      'comments.party_key',
      'comments.internal',
      'comments.body',
      'comments.created_at',
      'comments.resolved_at',
      'resolvers.email as resolver',
    );
  return rows.map((row) => ({
    id: row.id,
    clause: row.clause_key,
    lang: row.lang,
    replyTo: row.reply_to,
    suggestion: row.suggestion_id ?? null,
    author: row.author,
    party: row.party_key,
    internal: Boolean(row.internal),
    body: row.body,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolver ?? null,
  }));
}

/** Marks a thread resolved; false when it was already resolved (or does not exist). */
export async function resolveComment(db: Queryable, agreementId: number, id: number, userId: number, at: string): Promise<boolean> {
  const updated = await db('comments')
    .where({ agreement_id: agreementId, id, reply_to: null })
    .whereNull('resolved_at')
    .update({ resolved_at: at, resolved_by: userId });
  return updated === 1;
}
