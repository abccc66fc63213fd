import { Router, type Request } from 'express';
import { addClause, addClauseInput } from '../agreements/add-clause.ts';
import { FIXED_CLAUSES } from '../agreements/agreement-text.ts';
import { agreementView } from '../agreements/agreement-view.ts';
import { addComment, addCommentInput, listComments, resolveCommentThread } from '../agreements/comments.ts';
import { confirmTranslation, confirmTranslationInput } from '../agreements/confirm-translation.ts';
import { editClause, editClauseInput } from '../agreements/edit-clause.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { removeClause } from '../agreements/remove-clause.ts';
import { reorderClauses, reorderClausesInput } from '../agreements/reorder-clauses.ts';
import { decide } from '../auth/policy.ts';
import { MalformedRequestError } from '../errors.ts';
import { parseBody, parseId, parseQueryInteger } from '../http/parse.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { refusal } from './agreement-page.ts';
import { field, formAction, integerField, param } from './forms.ts';
import { sendPage, type PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/** Clauses with a fixed place cannot be moved or removed; the use-cases refuse it, the page does not offer it. */
const FIXED = new Set<string>([...FIXED_CLAUSES.first, ...FIXED_CLAUSES.last]);

/**
 * The clause editor: the languages side by side with each translation's status; while drafting, legal
 * staff edit a language, confirm a translation, add a library clause, remove one, move one up or down;
 * and the parties comment on each clause (internal comments stay within the party).
 */
export function clauseEditorPages(services: PageServices): Router {
  const router = Router();
  const { deps } = services;
  const editorOf = (request: Request, key?: string) => `/agreements/${parseId(param(request, 'id'))}/text${key ? `#clause-${key}` : ''}`;

  router.get('/agreements/:id/text', async (request, response) => {
    const user = webUser(response);
    const record = await loadVisibleAgreement(deps.db, parseId(param(request, 'id')), user);
    const [view, comments] = await Promise.all([agreementView(deps.db, record, user), listComments(deps, user, record.id)]);
    const editing = decide(user, record, 'text.edit');
    const commenting = decide(user, record, 'comment.write');
    const present = new Set(view.clauses.map((clause) => clause.key));
    await sendPage(
      services,
      request,
      response,
      'clause-editor',
      { title: 'editor.title', titleValues: { id: record.id }, section: 'agreements' },
      {
        agreement: view,
        editing: editing.allowed,
        editRefusal: refusal('text.edit', editing)[0],
        commenting: commenting.allowed,
        commentRefusal: refusal('comment.write', commenting)[0],
        clauses: view.clauses.map((clause, index) => {
          const threads = comments.filter((comment) => comment.clause === clause.key && comment.replyTo === null);
          return {
            key: clause.key,
            number: index + 1,
            movable: !FIXED.has(clause.key),
            canMoveUp: !FIXED.has(clause.key) && index > 0 && !FIXED.has(view.clauses[index - 1]!.key),
            canMoveDown: !FIXED.has(clause.key) && index + 1 < view.clauses.length && !FIXED.has(view.clauses[index + 1]!.key),
            languages: view.languages.map((lang) => ({
              lang,
              text: clause.texts[lang] ?? '',
              status: clause.status[lang] ?? 'needs-review',
            })),
            threads: threads.map((thread) => ({ ...thread, replies: comments.filter((comment) => comment.replyTo === thread.id) })),
          };
        }),
        library: [...clauseLibrary().clauses.keys()].filter((key) => !present.has(key)),
      },
    );
  });

  router.post(
    '/agreements/:id/text/:key',
    formAction(async (request, response) => {
      const input = parseBody(editClauseInput, {
        lang: field(request, 'lang'),
        text: field(request, 'text'),
        expectedVersion: integerField(request, 'expectedVersion'),
      });
      await editClause(deps, webUser(response), parseId(param(request, 'id')), param(request, 'key'), input);
      return { redirect: editorOf(request, param(request, 'key')), flash: 'flash.saved' };
    }),
  );

  router.post(
    '/agreements/:id/text/:key/confirm',
    formAction(async (request, response) => {
      const input = parseBody(confirmTranslationInput, {
        lang: field(request, 'lang'),
        expectedVersion: integerField(request, 'expectedVersion'),
      });
      await confirmTranslation(deps, webUser(response), parseId(param(request, 'id')), param(request, 'key'), input);
      return { redirect: editorOf(request, param(request, 'key')), flash: 'flash.confirmed' };
    }),
  );

  router.post(
    '/agreements/:id/text/:key/remove',
    formAction(async (request, response) => {
      const expectedVersion = parseQueryInteger(field(request, 'expectedVersion'), 'expectedVersion');
      await removeClause(deps, webUser(response), parseId(param(request, 'id')), param(request, 'key'), expectedVersion);
      return { redirect: editorOf(request), flash: 'flash.removed' };
    }),
  );

  router.post(
    '/agreements/:id/text/:key/move',
    formAction(async (request, response) => {
      const user = webUser(response);
      const key = param(request, 'key');
      const record = await loadVisibleAgreement(deps.db, parseId(param(request, 'id')), user);
      const order = (await agreementView(deps.db, record, user)).clauses.map((clause) => clause.key);
      const input = parseBody(reorderClausesInput, {
        order: moved(order, key, field(request, 'direction')),
        expectedVersion: integerField(request, 'expectedVersion'),
      });
      await reorderClauses(deps, user, record.id, input);
      return { redirect: editorOf(request, key), flash: 'flash.moved' };
    }),
  );

  router.post(
    '/agreements/:id/clauses',
    formAction(async (request, response) => {
      const input = parseBody(addClauseInput, {
        libraryKey: field(request, 'libraryKey'),
        expectedVersion: integerField(request, 'expectedVersion'),
      });
      await addClause(deps, webUser(response), parseId(param(request, 'id')), input);
      return { redirect: editorOf(request, field(request, 'libraryKey')), flash: 'flash.added' };
    }),
  );

  router.post(
    '/agreements/:id/comments',
    formAction(async (request, response) => {
      const replyTo = field(request, 'replyTo');
      const input = parseBody(addCommentInput, {
        clause: field(request, 'clause'),
        lang: field(request, 'lang'),
        body: field(request, 'body'),
        internal: field(request, 'internal') === 'on',
        ...(replyTo && { replyTo: parseQueryInteger(replyTo, 'replyTo') }),
      });
      await addComment(deps, webUser(response), parseId(param(request, 'id')), input);
      return { redirect: editorOf(request, input.clause), flash: 'flash.commented' };
    }),
  );

  router.post(
    '/agreements/:id/comments/:commentId/resolve',
    formAction(async (request, response) => {
      const resolved = await resolveCommentThread(
        deps,
        webUser(response),
        parseId(param(request, 'id')),
        parseQueryInteger(param(request, 'commentId'), 'commentId'),
      );
      return { redirect: editorOf(request, resolved.clause), flash: 'flash.resolved' };
    }),
  );

  return router;
}

/** The order with `key` swapped with its neighbour above or below. */
function moved(order: readonly string[], key: string, direction: string): string[] {
  const from = order.indexOf(key);
  const to = direction === 'up' ? from - 1 : direction === 'down' ? from + 1 : -1;
  if (from === -1 || to < 0 || to >= order.length) throw new MalformedRequestError('Move a clause of the agreement up or down');
  const next = [...order];
  [next[from], next[to]] = [next[to]!, next[from]!];
  return next;
}
