import express from 'express';
import helmet from 'helmet';
import { AgreementCreationLimit } from './agreements/creation-limit.ts';
import type { UseCaseDeps } from './agreements/deps.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { agreementsRoutes } from './http/agreements.routes.ts';
import { backChannelLogoutRoutes } from './http/back-channel-logout.routes.ts';
import { libraryRoutes } from './http/library.routes.ts';
import { notificationsRoutes } from './http/notifications.routes.ts';
import { pkiRoutes } from './http/pki.routes.ts';
import { errorHandler, notFoundHandler } from './http/problem.ts';
import { sessionsRoutes } from './http/sessions.routes.ts';
import { secondFactorResetRoutes, secondFactorRoutes } from './http/second-factor.routes.ts';
import { apiTokensRoutes } from './http/tokens.routes.ts';
import { signingRoutes } from './http/signing.routes.ts';
import { verifyRoutes } from './http/verify.routes.ts';
import { webhooksRoutes } from './http/webhooks.routes.ts';
import { calendarRoutes } from './http/calendar.routes.ts';
import { wordRoutes } from './http/word.routes.ts';
import { webApplication } from './web/web-application.ts';

export interface AppOptions {
  readonly log: (message: string, error?: unknown) => void;
}

/**
 * Everything the pages may load comes from this server: no inline script or style, no other origin,
 * no framing. The PDFs are downloads, not embedded.
 */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
};

/** Builds the express application; it does not listen, so tests start it on port 0. */
export function createApp(deps: UseCaseDeps, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // request.ip (the throttles' bucket, the audit's address) believes X-Forwarded-For only from the
  // proxies the operator names: any other client, even one on this host, could pick its own address.
  app.set('trust proxy', deps.config.trustProxy.length > 0 ? [...deps.config.trustProxy] : false);
  // same-origin: the error page's "back" link needs the referrer, and no other site gets our URLs.
  app.use(helmet({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, referrerPolicy: { policy: 'same-origin' } }));
  app.use(express.json({ limit: '256kb', strict: true }));
  app.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  // One throttle for both doors: guesses through the API and through the sign-in page add up.
  const throttle = new LoginThrottle(deps.db);
  // Likewise one count of agreements created per user, whether through the API or the pages.
  const creationLimit = new AgreementCreationLimit(deps.config.agreementsPerUserPerHour);
  app.use('/api/sessions', sessionsRoutes(deps, throttle));
  app.use('/api/sso', backChannelLogoutRoutes(deps));
  app.use('/api/tokens', apiTokensRoutes(deps));
  app.use('/api/account/second-factor', secondFactorRoutes(deps));
  app.use('/api/users', secondFactorResetRoutes(deps));
  app.use('/api', signingRoutes(deps));
  app.use('/api/agreements', wordRoutes(deps));
  app.use('/api/agreements', agreementsRoutes(deps, creationLimit));
  app.use('/api/library', libraryRoutes(deps));
  app.use('/api/verify', verifyRoutes(deps));
  app.use('/api/notifications', notificationsRoutes(deps));
  app.use('/api/webhooks', webhooksRoutes(deps));
  app.use('/api', calendarRoutes(deps));
  app.use('/api', notFoundHandler);
  app.use('/api', errorHandler(options.log));
  // What the demo CAs publish (CRL, OCSP), public: the signing certificates point here.
  app.use('/pki', pkiRoutes(deps));
  app.use('/pki', errorHandler(options.log));
  app.use(webApplication(deps, { log: options.log, throttle, creationLimit }));
  return app;
}
