import express from 'express';
import helmet from 'helmet';
import type { UseCaseDeps } from './agreements/deps.ts';
import { agreementsRoutes } from './http/agreements.routes.ts';
import { libraryRoutes } from './http/library.routes.ts';
import { notificationsRoutes } from './http/notifications.routes.ts';
import { errorHandler, notFoundHandler } from './http/problem.ts';
import { sessionsRoutes } from './http/sessions.routes.ts';
import { verifyRoutes } from './http/verify.routes.ts';
import { webhooksRoutes } from './http/webhooks.routes.ts';

export interface AppOptions {
  readonly log: (message: string, error?: unknown) => void;
}

/** Builds the express application; it does not listen, so tests start it on port 0. */
export function createApp(deps: UseCaseDeps, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(express.json({ limit: '256kb', strict: true }));
  app.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.use('/api/sessions', sessionsRoutes(deps));
  app.use('/api/agreements', agreementsRoutes(deps));
  app.use('/api/library', libraryRoutes(deps));
  app.use('/api/verify', verifyRoutes(deps));
  app.use('/api/notifications', notificationsRoutes(deps));
  app.use('/api/webhooks', webhooksRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler(options.log));
  return app;
}
