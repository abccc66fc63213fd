import { Router } from 'express';
import { z } from 'zod';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { endApiSession, signIn } from '../auth/sessions.ts';
import { currentBearerToken, requireUser } from './authentication.ts';
import { parseBody } from './parse.ts';

const signInInput = z.object({ email: z.string().min(3).max(254), password: z.string().min(1).max(1024) }).strict();

/** POST /api/sessions: email and password in, bearer token out. DELETE /api/sessions: that token ends. */
export function sessionsRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    const { email, password } = parseBody(signInInput, request.body);
    const { token, user } = await signIn(deps.db, email, password, deps.now());
    response.status(201).json({ token, user: { email: user.email, party: user.party, role: user.role, name: user.displayName } });
  });
  router.delete('/', requireUser(deps), async (_request, response) => {
    await endApiSession(deps.db, currentBearerToken(response));
    response.status(204).end();
  });
  return router;
}
