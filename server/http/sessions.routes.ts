import { Router } from 'express';
import { z } from 'zod';
import type { UseCaseDeps } from '../agreements/deps.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { endApiSession, signIn } from '../auth/sessions.ts';
import { TooManyRequestsError } from '../errors.ts';
import { currentBearerToken, requireUser } from './authentication.ts';
import { parseBody } from './parse.ts';

const signInInput = z.object({ email: z.string().min(3).max(254), password: z.string().min(1).max(1024) }).strict();

/**
 * POST /api/sessions: email and password in, bearer token out, behind the login throttle (shared with
 * the sign-in page). DELETE /api/sessions: that token ends.
 */
export function sessionsRoutes(deps: UseCaseDeps, throttle: LoginThrottle): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    // The attempt takes its points before anything is checked, a malformed one included.
    const attempted = typeof request.body?.email === 'string' ? request.body.email : '';
    const address = request.ip ?? 'unknown';
    const verdict = await throttle.take(attempted, address);
    if (!verdict.allowed) {
      throw new TooManyRequestsError(
        `Too many failed sign-in attempts for this account or from this address; try again in ${verdict.retryAfterSeconds} s`,
        verdict.retryAfterSeconds,
      );
    }
    const { email, password } = parseBody(signInInput, request.body);
    const { token, user } = await signIn(deps.db, email, password, deps.now());
    await throttle.succeeded(email, address);
    response.status(201).json({ token, user: { email: user.email, party: user.party, role: user.role, name: user.displayName } });
  });
  router.delete('/', requireUser(deps), async (_request, response) => {
    await endApiSession(deps.db, currentBearerToken(response));
    response.status(204).end();
  });
  return router;
}
