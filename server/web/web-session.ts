import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authenticateWebSession } from '../auth/sessions.ts';
import { DEFAULT_SESSION_IDLE_MINUTES } from '../config.ts';
import { UnauthenticatedError } from '../errors.ts';

/**
 * The web session: a random token in an HttpOnly, SameSite=Lax cookie (Secure when the request came
 * over HTTPS), stored hashed among the access tokens as a 'web-session', which the API never accepts.
 */
export const SESSION_COOKIE = 'bilateral_session';

export function sessionCookieOptions(request: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: request.secure, path: '/' };
}

/** Puts the signed-in user, if any, into response.locals for every page; a session idle too long has ended. */
export function loadWebUser(deps: UseCaseDeps): RequestHandler {
  const idleMs = (deps.config.sessionIdleMinutes ?? DEFAULT_SESSION_IDLE_MINUTES) * 60_000;
  return async (request, response, next) => {
    const token = sessionToken(request);
    const user = token ? await authenticateWebSession(deps.db, token, deps.now(), idleMs) : undefined;
    if (user) {
      response.locals.user = user;
      response.locals.sessionToken = token;
    }
    next();
  };
}

/** The session cookie's token, when the request has one that could be a token. */
export function sessionToken(request: Request): string | undefined {
  const value: unknown = request.cookies?.[SESSION_COOKIE];
  return typeof value === 'string' && /^[A-Za-z0-9_-]{20,200}$/.test(value) ? value : undefined;
}

/** Pages behind sign-in: an anonymous visitor is sent to the sign-in page and back afterwards. */
export const requireWebUser: RequestHandler = (request, response, next) => {
  if (response.locals.user) return next();
  if (request.method === 'GET') return response.redirect(303, `/sign-in?next=${encodeURIComponent(request.originalUrl)}`);
  throw new UnauthenticatedError('Your session has ended; sign in again');
};

export function webUser(response: Response): User {
  const user = response.locals.user as User | undefined;
  if (!user) throw new UnauthenticatedError('Your session has ended; sign in again');
  return user;
}
