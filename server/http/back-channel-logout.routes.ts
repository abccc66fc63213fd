import express, { Router } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { acceptBackChannelLogout } from '../auth/back-channel-logout.ts';

/**
 * POST /api/sso/:party/back-channel-logout: the back-channel logout URI registered with the party's
 * provider. The provider posts `logout_token` as a form; 200 when the sessions ended (or there were
 * none), 400 problem+json when the token is refused. Never cached, no cookie, no CSRF token: the
 * caller is a server and the token is its proof.
 */
export function backChannelLogoutRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.post(
    '/:party/back-channel-logout',
    express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 10 }),
    async (request, response) => {
      response.set('Cache-Control', 'no-store');
      await acceptBackChannelLogout(deps, String(request.params.party), request.body?.logout_token);
      response.status(200).end();
    },
  );
  return router;
}
