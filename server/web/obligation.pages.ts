import { Router } from 'express';
import { parseBody, parseId } from '../http/parse.ts';
import { completeObligation, completeObligationInput, recordObligation, recordObligationInput } from '../obligations/obligations.ts';
import { field, formAction, param } from './forms.ts';
import type { PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/** The agreement page's forms for the obligations of the user's party: record one, mark an occurrence done. */
export function obligationPages(services: PageServices): Router {
  const router = Router();
  router.post(
    '/agreements/:id/obligations',
    formAction(async (request, response) => {
      const id = parseId(param(request, 'id'));
      const input = parseBody(recordObligationInput, {
        clause: field(request, 'clause'),
        text: field(request, 'text'),
        owner: field(request, 'owner'),
        dueOn: field(request, 'dueOn'),
        recurrence: field(request, 'recurrence') || 'none',
      });
      await recordObligation(services.deps, webUser(response), id, input);
      return { redirect: `/agreements/${id}#obligations-heading`, flash: 'obligations.saved' };
    }),
  );
  router.post(
    '/agreements/:id/obligations/:obligation/done',
    formAction(async (request, response) => {
      const id = parseId(param(request, 'id'));
      const input = parseBody(completeObligationInput, { dueOn: field(request, 'dueOn'), note: field(request, 'note') });
      await completeObligation(services.deps, webUser(response), id, parseId(param(request, 'obligation')), input);
      return { redirect: `/agreements/${id}#obligations-heading`, flash: 'obligations.completed' };
    }),
  );
  return router;
}
