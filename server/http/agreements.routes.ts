import { Router } from 'express';
import { listAuditEntries } from '../../db/repositories/audit.repository.ts';
import { listAgreementsOfParty } from '../../db/repositories/agreements.repository.ts';
import { agreementView } from '../agreements/agreement-view.ts';
import { createAgreement, createAgreementInput } from '../agreements/create-agreement.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { downloadOriginal } from '../agreements/download-original.ts';
import { editClause, editClauseInput } from '../agreements/edit-clause.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { agreementEventInput, sendAgreementEvent } from '../agreements/send-agreement-event.ts';
import { currentUser, requireUser } from './authentication.ts';
import { parseBody, parseId } from './parse.ts';

/** /api/agreements: thin adapters from HTTP to the use-cases. */
export function agreementsRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));

  router.get('/', async (_request, response) => {
    response.json(await listAgreementsOfParty(deps.db, currentUser(response).party));
  });

  router.post('/', async (request, response) => {
    const input = parseBody(createAgreementInput, request.body);
    const agreement = await createAgreement(deps, currentUser(response), input);
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

  router.post('/:id/events', async (request, response) => {
    const input = parseBody(agreementEventInput, request.body);
    response.json(await sendAgreementEvent(deps, currentUser(response), parseId(request.params.id), input));
  });

  router.get('/:id/pdf', async (request, response) => {
    const original = await downloadOriginal(deps, currentUser(response), parseId(request.params.id), request.query.original);
    response
      .type('application/pdf')
      .attachment(original.filename)
      .set('X-Content-SHA256', original.sha256)
      .set('Cache-Control', 'private, no-store')
      .send(original.pdf);
  });

  router.get('/:id/audit', async (request, response) => {
    const record = await loadVisibleAgreement(deps.db, parseId(request.params.id), currentUser(response));
    const entries = await listAuditEntries(deps.db, record.id);
    response.json(
      entries.map(({ seq, at, actor, party, role, event, from, to, detail, hash }) => ({ seq, at, actor, party, role, event, from, to, detail, hash })),
    );
  });

  return router;
}
