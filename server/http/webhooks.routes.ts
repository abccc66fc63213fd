import { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import {
  deactivatePartyWebhook,
  listWebhookDeliveries,
  listWebhooks,
  registerWebhook,
  registerWebhookInput,
} from '../notifications/manage-webhooks.ts';
import { currentUser, requireUser } from './authentication.ts';
import { parseLimit, parseRowId } from './notifications.routes.ts';
import { parseBody } from './parse.ts';

/** /api/webhooks: a party's administrator manages the party's webhooks and reads their delivery log. */
export function webhooksRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));

  router.post('/', async (request, response) => {
    const input = parseBody(registerWebhookInput, request.body);
    const webhook = await registerWebhook(deps, currentUser(response), input);
    response.status(201).location(`/api/webhooks/${webhook.id}`).set('Cache-Control', 'no-store').json(webhook);
  });

  router.get('/', async (_request, response) => {
    response.json(await listWebhooks(deps, currentUser(response)));
  });

  router.delete('/:id', async (request, response) => {
    response.json(await deactivatePartyWebhook(deps, currentUser(response), parseRowId(request.params.id, 'webhook')));
  });

  router.get('/:id/deliveries', async (request, response) => {
    const id = parseRowId(request.params.id, 'webhook');
    response.json(await listWebhookDeliveries(deps, currentUser(response), id, parseLimit(request.query.limit)));
  });

  return router;
}
