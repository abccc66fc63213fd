import { Router } from 'express';
import { parseBody, parseId } from '../http/parse.ts';
import { registrationDossier } from '../registration/dossier.ts';
import { recordRegistration, recordRegistrationInput } from '../registration/registrations.ts';
import { field, formAction, integerField, param } from './forms.ts';
import type { PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/** The agreement page's form by which a party records its registration after signature, and the dossier's download. */
export function registrationPages(services: PageServices): Router {
  const router = Router();
  router.get('/agreements/:id/dossier', async (request, response) => {
    const dossier = await registrationDossier(services.deps, webUser(response), parseId(param(request, 'id')));
    response.type('application/zip').attachment(dossier.filename).send(dossier.zip);
  });
  router.post(
    '/agreements/:id/registrations/:party',
    formAction(async (request, response) => {
      const id = parseId(param(request, 'id'));
      const optional = (name: string) => field(request, name).trim() || null;
      const input = parseBody(recordRegistrationInput, {
        authority: field(request, 'authority'),
        submittedOn: optional('submittedOn'),
        number: optional('number'),
        registeredOn: optional('registeredOn'),
        expectedVersion: integerField(request, 'expectedVersion'),
      });
      await recordRegistration(services.deps, webUser(response), id, param(request, 'party'), input);
      return { redirect: `/agreements/${id}#registration-heading`, flash: 'registration.saved' };
    }),
  );
  return router;
}
