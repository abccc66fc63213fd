import { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import {
  codeInput,
  confirmEnrolment,
  disableInput,
  disableSecondFactor,
  resetSecondFactor,
  secondFactorStatus,
  startEnrolment,
  startEnrolmentInput,
} from '../auth/second-factor.ts';
import { currentUser, requireUser } from './authentication.ts';
import { parseBody, parseQueryInteger } from './parse.ts';

/** /api/account/second-factor: the signed-in user's own TOTP second factor; thin adapters to second-factor.ts. */
export function secondFactorRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));

  router.get('/', async (_request, response) => {
    response.json(await secondFactorStatus(deps, currentUser(response)));
  });

  router.post('/', async (request, response) => {
    const input = parseBody(startEnrolmentInput, request.body);
    const pending = await startEnrolment(deps, currentUser(response), input.password);
    response.status(201).set('Cache-Control', 'no-store').json(pending);
  });

  router.post('/confirm', async (request, response) => {
    const input = parseBody(codeInput, request.body);
    response.set('Cache-Control', 'no-store').json(await confirmEnrolment(deps, currentUser(response), input.code));
  });

  router.delete('/', async (request, response) => {
    await disableSecondFactor(deps, currentUser(response), parseBody(disableInput, request.body ?? {}));
    response.status(204).end();
  });

  return router;
}

/** /api/users/:id/second-factor: the party administrator's reset of a user's second factor. */
export function secondFactorResetRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));
  router.delete('/:userId/second-factor', async (request, response) => {
    await resetSecondFactor(deps, currentUser(response), parseQueryInteger(request.params.userId, 'userId'));
    response.status(204).end();
  });
  return router;
}
