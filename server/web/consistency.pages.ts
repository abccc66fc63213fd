import { Router } from 'express';
import { markDifferenceIntended, markDifferenceIntendedInput } from '../agreements/mark-difference-intended.ts';
import { parseBody, parseId } from '../http/parse.ts';
import { field, formAction, integerField, param } from './forms.ts';
import type { PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/** The agreement page's form by which a party's legal staff mark a difference between the languages as intended. */
export function consistencyPages(services: PageServices): Router {
  const router = Router();
  router.post(
    '/agreements/:id/consistency/:clause/intended',
    formAction(async (request, response) => {
      const id = parseId(param(request, 'id'));
      const input = parseBody(markDifferenceIntendedInput, {
        rule: field(request, 'rule'),
        reason: field(request, 'reason'),
        expectedVersion: integerField(request, 'expectedVersion'),
      });
      await markDifferenceIntended(services.deps, webUser(response), id, param(request, 'clause'), input);
      return { redirect: `/agreements/${id}#consistency-heading`, flash: 'consistency.marked' };
    }),
  );
  return router;
}
