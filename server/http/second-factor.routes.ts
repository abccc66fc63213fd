import { Router } from 'express';
import { z } from 'zod';
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

const resetInput = z.object({ code: z.string().max(64).optional() }).strict();

/** /api/users/:id/second-factor: the party administrator's reset of a user's second factor. */
export function secondFactorResetRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));
  router.delete('/:userId/second-factor', async (request, response) => {
    // {code}: the administrator's own code, when their role must have a second factor.
    const { code } = parseBody(resetInput, request.body ?? {});
    await resetSecondFactor(deps, currentUser(response), parseQueryInteger(request.params.userId, 'userId'), code);
    response.status(204).end();
  });
  return router;
}
