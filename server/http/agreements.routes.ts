import { Router } from 'express';
import { agreementView } from '../agreements/agreement-view.ts';
import { createAgreement, createAgreementInput } from '../agreements/create-agreement.ts';
import type { AgreementCreationLimit } from '../agreements/creation-limit.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { downloadOriginal } from '../agreements/download-original.ts';
import { findAgreements } from '../agreements/find-agreements.ts';
import { addClause, addClauseInput } from '../agreements/add-clause.ts';
import { addComment, addCommentInput, listComments, resolveCommentThread } from '../agreements/comments.ts';
import { compareVersions } from '../agreements/compare-versions.ts';
import { confirmTranslation, confirmTranslationInput } from '../agreements/confirm-translation.ts';
import { editClause, editClauseInput } from '../agreements/edit-clause.ts';
import { loadText, loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { listVersions } from '../agreements/list-versions.ts';
import { markDifferenceIntended, markDifferenceIntendedInput } from '../agreements/mark-difference-intended.ts';
import { registrationViews } from '../registration/registration-view.ts';
import { recordRegistration, recordRegistrationInput } from '../registration/registrations.ts';
import { registrationDossier } from '../registration/dossier.ts';
import {
  completeObligation,
  completeObligationInput,
  listAgreementObligations,
  recordObligation,
  recordObligationInput,
} from '../obligations/obligations.ts';
import { previewOriginal } from '../agreements/preview-original.ts';
import { redlinePdf } from '../agreements/redline-pdf.ts';
import { removeClause } from '../agreements/remove-clause.ts';
import { reorderClauses, reorderClausesInput } from '../agreements/reorder-clauses.ts';
import { updateVariables, updateVariablesInput } from '../agreements/update-variables.ts';
import { acceptSuggestion, decideSuggestionInput } from '../agreements/accept-suggestion.ts';
import { listSuggestions } from '../agreements/list-suggestions.ts';
import { rejectSuggestion } from '../agreements/reject-suggestion.ts';
import { suggestChange, suggestChangeInput } from '../agreements/suggest-change.ts';
import { withdrawSuggestion } from '../agreements/withdraw-suggestion.ts';
import { verifyAgreementAudit } from '../agreements/verify-audit.ts';
import { readAuditLog } from '../agreements/read-audit-log.ts';
import { setDeadlines, setDeadlinesInput } from '../lifecycle/set-deadlines.ts';
import { MalformedRequestError } from '../errors.ts';
import { agreementEventInput, sendAgreementEvent } from '../agreements/send-agreement-event.ts';
import { currentUser, requireUser } from './authentication.ts';
import { parseBody, parseId, parseQueryInteger } from './parse.ts';
import { sendOriginal, sendPdf, sendPreview } from './send-document.ts';

/** /api/agreements: thin adapters from HTTP to the use-cases. */
export function agreementsRoutes(deps: UseCaseDeps, creationLimit: AgreementCreationLimit): Router {
  const router = Router();
  router.use(requireUser(deps));

  router.get('/', async (request, response) => {
    const page = await findAgreements(deps, currentUser(response), request.query);
    response.json({ agreements: page.agreements, next: page.next === null ? null : nextPageUrl(request.query, page.next) });
  });

  router.post('/', async (request, response) => {
    const input = parseBody(createAgreementInput, request.body);
    const user = currentUser(response);
    const agreement = await creationLimit.spend(user, () => createAgreement(deps, user, input));
    response.status(201).location(`/api/agreements/${agreement.id}`).json(agreement);
  });

  router.get('/:id', async (request, response) => {
    const user = currentUser(response);
    response.json(await agreementView(deps.db, await loadVisibleAgreement(deps.db, parseId(request.params.id), user), user));
  });

  router.put('/:id/clauses/:key', async (request, response) => {
    const input = parseBody(editClauseInput, request.body);
    response.json(await editClause(deps, currentUser(response), parseId(request.params.id), request.params.key, input));
  });

  router.post('/:id/clauses', async (request, response) => {
    const input = parseBody(addClauseInput, request.body);
    response.status(201).json(await addClause(deps, currentUser(response), parseId(request.params.id), input));
  });

  router.delete('/:id/clauses/:key', async (request, response) => {
    const expectedVersion = parseQueryInteger(request.query.expectedVersion, 'expectedVersion');
    response.json(await removeClause(deps, currentUser(response), parseId(request.params.id), request.params.key, expectedVersion));
  });

  router.post('/:id/clauses/:key/confirm', async (request, response) => {
    const input = parseBody(confirmTranslationInput, request.body);
    response.json(await confirmTranslation(deps, currentUser(response), parseId(request.params.id), request.params.key, input));
  });

  router.post('/:id/consistency/:clause/intended', async (request, response) => {
    const input = parseBody(markDifferenceIntendedInput, request.body);
    response.json(await markDifferenceIntended(deps, currentUser(response), parseId(request.params.id), request.params.clause, input));
  });

  router.get('/:id/registrations', async (request, response) => {
    const record = await loadVisibleAgreement(deps.db, parseId(request.params.id), currentUser(response));
    response.json({ registrations: await registrationViews(deps.db, record) });
  });

  router.get('/:id/dossier', async (request, response) => {
    const dossier = await registrationDossier(deps, currentUser(response), parseId(request.params.id));
    response.type('application/zip').attachment(dossier.filename).send(dossier.zip);
  });

  router.put('/:id/registrations/:party', async (request, response) => {
    const input = parseBody(recordRegistrationInput, request.body);
    response.json(await recordRegistration(deps, currentUser(response), parseId(request.params.id), request.params.party, input));
  });

  router.get('/:id/obligations', async (request, response) => {
    response.json({ obligations: await listAgreementObligations(deps, currentUser(response), parseId(request.params.id)) });
  });

  router.post('/:id/obligations', async (request, response) => {
    const input = parseBody(recordObligationInput, request.body);
    const id = parseId(request.params.id);
    const obligation = await recordObligation(deps, currentUser(response), id, input);
    response.status(201).location(`/api/agreements/${id}/obligations/${obligation.id}`).json(obligation);
  });

  router.post('/:id/obligations/:obligation/done', async (request, response) => {
    const input = parseBody(completeObligationInput, request.body);
    response.json(
      await completeObligation(deps, currentUser(response), parseId(request.params.id), parseId(request.params.obligation), input),
    );
  });

  router.put('/:id/clause-order', async (request, response) => {
    const input = parseBody(reorderClausesInput, request.body);
    response.json(await reorderClauses(deps, currentUser(response), parseId(request.params.id), input));
  });

  router.put('/:id/variables', async (request, response) => {
    const input = parseBody(updateVariablesInput, request.body);
    response.json(await updateVariables(deps, currentUser(response), parseId(request.params.id), input));
  });

  router.get('/:id/versions', async (request, response) => {
    const id = parseId(request.params.id);
    const { limit, before } = request.query;
    const page = await listVersions(deps, currentUser(response), id, {
      limit: limit === undefined ? undefined : parseQueryInteger(limit, 'limit'),
      before: before === undefined ? undefined : parseQueryInteger(before, 'before'),
    });
    const next = page.nextBefore === null ? null : `/api/agreements/${id}/versions?limit=${page.limit}&before=${page.nextBefore}`;
    response.json({ versions: page.versions, next });
  });

  router.get('/:id/versions/:version', async (request, response) => {
    const record = await loadVisibleAgreement(deps.db, parseId(request.params.id), currentUser(response));
    const text = await loadText(deps.db, record, parseQueryInteger(request.params.version, 'version'));
    response.json({
      version: text.version,
      contentHash: text.contentHash,
      createdBy: text.createdBy,
      createdAt: text.createdAt,
      change: text.change,
      ...text.text,
    });
  });

  router.get('/:id/compare', async (request, response) => {
    const { from, to } = request.query;
    if (typeof from !== 'string' || (to !== undefined && typeof to !== 'string')) {
      throw new MalformedRequestError('Give from=<version>|my-last-approval and optionally to=<version> (default: the current one)');
    }
    response.json(await compareVersions(deps, currentUser(response), parseId(request.params.id), from, to));
  });

  router.get('/:id/comments', async (request, response) => {
    response.json(await listComments(deps, currentUser(response), parseId(request.params.id)));
  });

  router.post('/:id/comments', async (request, response) => {
    const input = parseBody(addCommentInput, request.body);
    response.status(201).json(await addComment(deps, currentUser(response), parseId(request.params.id), input));
  });

  router.post('/:id/comments/:commentId/resolve', async (request, response) => {
    const commentId = parseQueryInteger(request.params.commentId, 'commentId');
    response.json(await resolveCommentThread(deps, currentUser(response), parseId(request.params.id), commentId));
  });

  router.get('/:id/suggestions', async (request, response) => {
    response.json(await listSuggestions(deps, currentUser(response), parseId(request.params.id)));
  });

  router.post('/:id/suggestions', async (request, response) => {
    const input = parseBody(suggestChangeInput, request.body);
    const id = parseId(request.params.id);
    const suggestion = await suggestChange(deps, currentUser(response), id, input);
    response.status(201).location(`/api/agreements/${id}/suggestions/${suggestion.id}`).json(suggestion);
  });

  router.post('/:id/suggestions/:suggestionId/accept', async (request, response) => {
    const input = parseBody(decideSuggestionInput, request.body);
    const suggestionId = parseQueryInteger(request.params.suggestionId, 'suggestionId');
    response.json(await acceptSuggestion(deps, currentUser(response), parseId(request.params.id), suggestionId, input));
  });

  router.post('/:id/suggestions/:suggestionId/reject', async (request, response) => {
    const input = parseBody(decideSuggestionInput, request.body);
    const suggestionId = parseQueryInteger(request.params.suggestionId, 'suggestionId');
    response.json(await rejectSuggestion(deps, currentUser(response), parseId(request.params.id), suggestionId, input));
  });

  router.post('/:id/suggestions/:suggestionId/withdraw', async (request, response) => {
    const input = parseBody(decideSuggestionInput, request.body);
    const suggestionId = parseQueryInteger(request.params.suggestionId, 'suggestionId');
    response.json(await withdrawSuggestion(deps, currentUser(response), parseId(request.params.id), suggestionId, input));
  });

  router.post('/:id/events', async (request, response) => {
    const input = parseBody(agreementEventInput, request.body);
    response.json(await sendAgreementEvent(deps, currentUser(response), parseId(request.params.id), input));
  });

  router.get('/:id/pdf', async (request, response) => {
    const { original, from, to } = request.query;
    if (from !== undefined || to !== undefined) {
      if (typeof from !== 'string' || (to !== undefined && typeof to !== 'string')) {
        throw new MalformedRequestError('A redline takes from=<version> and optionally to=<version> (default: the current one)');
      }
      sendPdf(response, await redlinePdf(deps, currentUser(response), parseId(request.params.id), { original, from, to }));
      return;
    }
    sendOriginal(response, await downloadOriginal(deps, currentUser(response), parseId(request.params.id), original));
  });

  router.get('/:id/preview', async (request, response) => {
    sendPreview(response, await previewOriginal(deps, currentUser(response), parseId(request.params.id), request.query.original));
  });

  router.get('/:id/audit', async (request, response) => {
    const entries = await readAuditLog(deps, currentUser(response), parseId(request.params.id));
    response.json(
      entries.map(({ seq, at, actor, party, role, event, from, to, detail, hash }) => ({
        seq,
        at,
        actor,
        party,
        role,
        event,
        from,
        to,
        detail,
        hash,
      })),
    );
  });

  router.put('/:id/deadlines', async (request, response) => {
    const input = parseBody(setDeadlinesInput, request.body);
    response.json(await setDeadlines(deps, currentUser(response), parseId(request.params.id), input));
  });

  router.get('/:id/audit/verify', async (request, response) => {
    const record = await loadVisibleAgreement(deps.db, parseId(request.params.id), currentUser(response));
    response.json(await verifyAgreementAudit(deps.db, record.id));
  });

  return router;
}

/** The URL of the next page: the same query with the next cursor. */
function nextPageUrl(query: Record<string, unknown>, cursor: string): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (typeof value === 'string' && name !== 'cursor') parameters.set(name, value);
  parameters.set('cursor', cursor);
  return `/api/agreements?${parameters}`;
}
