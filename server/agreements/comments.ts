import { z } from 'zod';
import { userText } from '../text/safe-text.ts';
import { insertComment, listCommentsVisibleTo, resolveComment, type CommentRecord } from '../../db/repositories/comments.repository.ts';
import { findSuggestion } from '../../db/repositories/suggestions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { LANGUAGES } from '../text/languages.ts';
import type { UseCaseDeps } from './deps.ts';
import { requireClause } from './edit-clause.ts';
import { loadText, loadVisibleAgreement } from './load-agreement.ts';

/**
 * Review comments on a clause in a language, with replies and resolution. An internal comment is
 * seen only by its author's party. Comments are not part of the text: they never reach the PDFs and
 * do not move the agreement's version.
 */
export const addCommentInput = z
  .object({
    clause: z.string().min(1).max(64),
    lang: z.enum(LANGUAGES),
    body: userText(10_000, { singleLine: false }).trim().min(1),
    internal: z.boolean().default(false),
    replyTo: z.number().int().positive().optional(),
    /** A comment in a suggestion's thread: it belongs to the suggestion's clause and language. */
    suggestion: z.number().int().positive().optional(),
  })
  .strict();
export type AddCommentInput = z.infer<typeof addCommentInput>;

export async function listComments(deps: UseCaseDeps, user: User, agreementId: number): Promise<CommentRecord[]> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  return listCommentsVisibleTo(deps.db, record.id, user.party);
}

export async function addComment(deps: UseCaseDeps, user: User, agreementId: number, input: AddCommentInput): Promise<CommentRecord> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'comment.write');
  requireClause((await loadText(deps.db, record)).text, input.clause);
  if (!record.languages.includes(input.lang)) throw new RuleViolationError(`The agreement is not written in ${input.lang}`);
  let internal = input.internal;
  let suggestion = input.suggestion ?? null;
  if (suggestion !== null) {
    const anchor = await findSuggestion(deps.db, record.id, suggestion);
    if (!anchor) throw new NotFoundError(`There is no suggestion ${suggestion} to comment on`);
    if (anchor.clause !== input.clause || anchor.lang !== input.lang) {
      throw new RuleViolationError(
        `A comment on suggestion ${suggestion} belongs to its clause and language (${anchor.clause}, ${anchor.lang})`,
      );
    }
  }
  if (input.replyTo !== undefined) {
    const thread = (await listCommentsVisibleTo(deps.db, record.id, user.party)).find((comment) => comment.id === input.replyTo);
    if (!thread || thread.replyTo !== null) throw new NotFoundError(`There is no comment thread ${input.replyTo} to reply to`);
    if (thread.clause !== input.clause || thread.lang !== input.lang) {
      throw new RuleViolationError(`A reply belongs to its thread's clause and language (${thread.clause}, ${thread.lang})`);
    }
    // A reply to an internal thread stays internal, or the other party would read half a conversation.
    internal ||= thread.internal;
    suggestion = thread.suggestion;
  }
  const id = await insertComment(deps.db, record.id, {
    clause: input.clause,
    lang: input.lang,
    replyTo: input.replyTo ?? null,
    suggestion,
    authorId: user.id,
    party: user.party,
    internal,
    body: input.body,
    at: deps.now().toISOString(),
  });
  return (await listCommentsVisibleTo(deps.db, record.id, user.party)).find((comment) => comment.id === id)!;
}

export async function resolveCommentThread(deps: UseCaseDeps, user: User, agreementId: number, commentId: number): Promise<CommentRecord> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'comment.write');
  const visible = await listCommentsVisibleTo(deps.db, record.id, user.party);
  const thread = visible.find((comment) => comment.id === commentId && comment.replyTo === null);
  if (!thread) throw new NotFoundError(`There is no comment thread ${commentId}`);
  if (!(await resolveComment(deps.db, record.id, commentId, user.id, deps.now().toISOString()))) {
    throw new RuleViolationError(`Comment thread ${commentId} is already resolved`);
  }
  return (await listCommentsVisibleTo(deps.db, record.id, user.party)).find((comment) => comment.id === commentId)!;
}
