import { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { MalformedRequestError, NotFoundError } from '../errors.ts';
import { listMyNotifications, readNotification } from '../notifications/user-notifications.ts';
import { currentUser, requireUser } from './authentication.ts';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** /api/notifications: the signed-in user's in-app notifications. */
export function notificationsRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));

  router.get('/', async (request, response) => {
    response.json(await listMyNotifications(deps, currentUser(response), parseLimit(request.query.limit)));
  });

  router.post('/:id/read', async (request, response) => {
    response.json(await readNotification(deps, currentUser(response), parseRowId(request.params.id, 'notification')));
  });

  return router;
}

/** A positive row id from the path, or a 404 naming what it was meant to identify. */
export function parseRowId(value: string | undefined, what: string): number {
  if (value === undefined || !/^[1-9][0-9]{0,14}$/.test(value)) throw new NotFoundError(`"${value}" is not a ${what} id`);
  return Number(value);
}

/** `?limit=` between 1 and 200, 50 when absent. */
export function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (typeof value !== 'string' || !/^[0-9]{1,3}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw new MalformedRequestError(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(value);
}
