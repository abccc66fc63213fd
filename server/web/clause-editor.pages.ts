import { Router, type Request } from 'express';
import { titleForReader } from '../agreements/agreement-titles.ts';
import { addClause, addClauseInput } from '../agreements/add-clause.ts';
import { FIXED_CLAUSES } from '../agreements/agreement-text.ts';
import { agreementView } from '../agreements/agreement-view.ts';
import { addComment, addCommentInput, listComments, resolveCommentThread } from '../agreements/comments.ts';
import { confirmTranslation, confirmTranslationInput } from '../agreements/confirm-translation.ts';
import { editClause, editClauseInput } from '../agreements/edit-clause.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { acceptSuggestion, decideSuggestionInput } from '../agreements/accept-suggestion.ts';
import { editableTexts, loadClauseTextContext, type ClauseTextContext } from '../agreements/editable-clauses.ts';
import { listSuggestions } from '../agreements/list-suggestions.ts';
import { rejectSuggestion } from '../agreements/reject-suggestion.ts';
import { suggestChange, suggestChangeInput } from '../agreements/suggest-change.ts';
import { diffRuns } from '../agreements/suggestions.ts';
import { withdrawSuggestion } from '../agreements/withdraw-suggestion.ts';
import { findLastApprovalBy } from '../../db/repositories/approvals.repository.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import { findUsersByEmails, type User } from '../../db/repositories/users.repository.ts';
import type { Lang } from '../text/languages.ts';
import { UNNUMBERED_CLAUSES } from '../text/clause-library.ts';
import { deskColumnText, deskMarks, deskSuggestion, type DeskReader } from './desk/desk-view.ts';
import { readerTimeZone, translate } from './i18n.ts';
import { personName } from './person-name.ts';
import { removeClause } from '../agreements/remove-clause.ts';
import { reorderClauses, reorderClausesInput } from '../agreements/reorder-clauses.ts';
import { decide } from '../auth/policy.ts';
import { MalformedRequestError } from '../errors.ts';
import { parseBody, parseId, parseQueryInteger } from '../http/parse.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { refusal } from './agreement-page.ts';
import { field, formAction, integerField, param } from './forms.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/** Clauses with a fixed place cannot be moved or removed; the use-cases refuse it, the page does not offer it. */
const FIXED = new Set<string>([...FIXED_CLAUSES.first, ...FIXED_CLAUSES.last]);

/**
 * The drafting desk: the agreement article by article, its languages side by side (the user's own
 * first), each in a rich editor over the editable format with fields from a menu, each language's
 * status with "confirm" beside it, the changes since my last approval marked inline, and the
 * suggestions on each clause and language with their threads: the drafting party's legal staff edit
 * and decide, the counterparty's suggest. The same use-cases and policy as the API.
 */
export function clauseEditorPages(services: PageServices): Router {
  const router = Router();
  const { deps } = services;
  const editorOf = (request: Request, key?: string) => `/agreements/${parseId(param(request, 'id'))}/text${key ? `#clause-${key}` : ''}`;

  router.get('/agreements/:id/text', async (request, response) => {
    const user = webUser(response);
    const record = await loadVisibleAgreement(deps.db, parseId(param(request, 'id')), user);
    const [view, comments, suggestions, at, lang] = await Promise.all([
      agreementView(deps.db, record, user),
      listComments(deps, user, record.id),
      listSuggestions(deps, user, record.id),
      loadClauseTextContext(deps, record),
      pageLanguage(deps, request, user),
    ]);
    const may = (action: Parameters<typeof decide>[2]) => decide(user, record, action);
    const editing = may('text.edit');
    const suggesting = may('text.suggest');
    const deciding = may('suggestion.decide');
    const confirming = may('text.confirm');
    const commenting = may('comment.write');
    const present = new Set(view.clauses.map((clause) => clause.key));
    const sinceApproval = await approvedTexts(deps, record, user);
    // The user's party's language first, as in its original; the others in the agreement's order.
    const ownParty = await findParty(deps.db, user.party);
    const ownLanguage = ownParty?.language;
    // Who suggested and decided, by name in the script of the page's language; times in the reader's zone.
    const people = await findUsersByEmails(
      deps.db,
      suggestions.flatMap((suggestion) => [suggestion.by, ...(suggestion.decidedBy ? [suggestion.decidedBy] : [])]),
    );
    const reader: DeskReader = {
      lang,
      timeZone: readerTimeZone(user, ownParty),
      nameOf: (email) => {
        const person = people.find((found) => found.email === email.toLowerCase());
        return person ? personName(person, lang) : email;
      },
    };
    const languages = [...view.languages].sort((a, b) => (a === ownLanguage ? -1 : b === ownLanguage ? 1 : 0));
    let article = 0;
    await sendPage(
      services,
      request,
      response,
      'clause-editor',
      { title: 'editor.title', titleValues: { id: record.id }, section: 'agreements' },
      {
        agreement: view,
        agreementTitle: await titleForReader(deps.db, record, [lang, ownLanguage ?? lang]),
        editing: editing.allowed,
        editRefusal: refusal('text.edit', editing)[0],
        writing: editing.allowed || suggesting.allowed,
        suggesting: suggesting.allowed,
        commenting: commenting.allowed,
        commentRefusal: refusal('comment.write', commenting)[0],
        languages,
        // The Korean particles the menu offers after a field (es-hangul picks the form after the value).
        particles: ['이/가', '을/를', '은/는', '와/과', '으로/로', '이라/라'],
        openSuggestions: suggestions.filter((suggestion) => suggestion.state === 'open').length,
        clauses: view.clauses.map((clause, index) => {
          const threads = comments.filter(
            (comment) => comment.clause === clause.key && comment.replyTo === null && comment.suggestion === null,
          );
          const numbered = !UNNUMBERED_CLAUSES.has(clause.key);
          if (numbered) article += 1;
          return {
            key: clause.key,
            articleNumber: numbered ? article : null,
            movable: !FIXED.has(clause.key),
            canMoveUp: !FIXED.has(clause.key) && index > 0 && !FIXED.has(view.clauses[index - 1]!.key),
            canMoveDown: !FIXED.has(clause.key) && index + 1 < view.clauses.length && !FIXED.has(view.clauses[index + 1]!.key),
            columns: languages.map((columnLang) => {
              const status = clause.status[columnLang] ?? 'needs-review';
              const text = deskColumnText(at, clause.key, columnLang, user, lang);
              const approved = sinceApproval?.get(clause.key)?.[columnLang];
              const current = clause.texts[columnLang] ?? '';
              const since =
                approved !== undefined && approved !== current ? safeDiff(at, clause.key, columnLang, approved, current, user) : null;
              const own = suggestions.filter((suggestion) => suggestion.clause === clause.key && suggestion.lang === columnLang);
              return {
                lang: columnLang,
                status,
                canConfirm: confirming.allowed && status !== 'confirmed',
                ...text,
                josa: columnLang === 'ko',
                editorLabel: translate(lang, 'editor.textLabel', {
                  clause: translate(lang, `clause.${clause.key}`, { fallback: clause.key }),
                  language: translate(lang, `language.${columnLang}`),
                }),
                sinceApproval: since,
                // Marked inline by the editor; the list beside keeps the actions and threads.
                marks: JSON.stringify(deskMarks(at, clause.key, columnLang, user, reader, approved, own)),
                suggestions: own.map((suggestion) =>
                  deskSuggestion(at, suggestion, user, comments, { decide: deciding.allowed, suggest: suggesting.allowed }, reader),
                ),
              };
            }),
            threads: threads.map((thread) => ({ ...thread, replies: comments.filter((comment) => comment.replyTo === thread.id) })),
            // Where the language texts of this clause say different things: shown where the lawyer fixes them.
            differences: view.consistency
              .filter((difference) => difference.clause === clause.key)
              .map((difference) => ({
                ...difference,
                says: languages.map((language) => ({ language, found: (difference.found[language] ?? []).join(', ') })),
              })),
          };
        }),
        library: [...clauseLibrary().clauses.keys()].filter((key) => !present.has(key)),
      },
    );
  });

  router.post(
    '/agreements/:id/text/:key',
    formAction(async (request, response) => {
      const user = webUser(response);
      const id = parseId(param(request, 'id'));
      const key = param(request, 'key');
      if (field(request, 'mode') === 'suggest') {
        const input = parseBody(suggestChangeInput, {
          clause: key,
          lang: field(request, 'lang'),
          text: field(request, 'text'),
          expectedVersion: integerField(request, 'expectedVersion'),
        });
        await suggestChange(deps, user, id, input);
        return { redirect: editorOf(request, key), flash: 'flash.suggested' };
      }
      const input = parseBody(editClauseInput, {
        lang: field(request, 'lang'),
        text: field(request, 'text'),
        expectedVersion: integerField(request, 'expectedVersion'),
      });
      await editClause(deps, user, id, key, input);
      return { redirect: editorOf(request, key), flash: 'flash.saved' };
    }),
  );

  for (const [decision, run, flash] of [
    ['accept', acceptSuggestion, 'flash.accepted'],
    ['reject', rejectSuggestion, 'flash.rejected'],
    ['withdraw', withdrawSuggestion, 'flash.withdrawn'],
  ] as const) {
    router.post(
      `/agreements/:id/suggestions/:suggestionId/${decision}`,
      formAction(async (request, response) => {
        const input = parseBody(decideSuggestionInput, { expectedVersion: integerField(request, 'expectedVersion') });
        await run(
          deps,
          webUser(response),
          parseId(param(request, 'id')),
          parseQueryInteger(param(request, 'suggestionId'), 'suggestionId'),
          input,
        );
        return { redirect: editorOf(request, field(request, 'clause') || undefined), flash };
      }),
    );
  }

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
        ...(field(request, 'suggestion') && { suggestion: parseQueryInteger(field(request, 'suggestion'), 'suggestion') }),
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

/** Each clause's editable text per language as it stood at the user's last approval; undefined if they never approved. */
async function approvedTexts(deps: PageServices['deps'], record: AgreementRecord, user: User) {
  const approval = await findLastApprovalBy(deps.db, record.id, user.id);
  if (!approval) return undefined;
  const text = await loadText(deps.db, record, approval.version);
  return editableTexts({ source: await loadAgreementSource(deps.db, record, text.text), today: record.updatedAt.slice(0, 10) });
}

function safeDiff(at: ClauseTextContext, key: string, lang: Lang, before: string, after: string, user: User) {
  try {
    return diffRuns(at, key, lang, before, after, user.party);
  } catch {
    return null;
  }
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
