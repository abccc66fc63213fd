import { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { createApiToken, createApiTokenInput, listOwnApiTokens, revokeApiToken } from '../auth/api-tokens.ts';
import { currentUser, requireUser } from './authentication.ts';
import { parseBody } from './parse.ts';

/** /api/tokens: the signed-in user's own named API tokens; thin adapters to api-tokens.ts. */
export function apiTokensRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));

  router.post('/', async (request, response) => {
    const input = parseBody(createApiTokenInput, request.body);
    const created = await createApiToken(deps, currentUser(response), input);
    response.status(201).location(`/api/tokens/${created.id}`).set('Cache-Control', 'no-store').json(created);
  });

  router.get('/', async (_request, response) => {
    response.json(await listOwnApiTokens(deps, currentUser(response)));
  });

  router.delete('/:id', async (request, response) => {
    await revokeApiToken(deps, currentUser(response), request.params.id);
    response.status(204).end();
  });

  return router;
}
