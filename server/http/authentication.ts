import type { RequestHandler, Response } from 'express';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authenticate } from '../auth/sessions.ts';
import { UnauthenticatedError } from '../errors.ts';

/** Resolves `Authorization: Bearer <token>` to the signed-in user, or answers 401. */
export function requireUser(deps: UseCaseDeps): RequestHandler {
  return async (request, response, next) => {
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(request.get('authorization') ?? '');
    if (!match) throw new UnauthenticatedError();
    // Where the request came from travels with the user, for the audit trail.
    response.locals.user = { ...(await authenticate(deps.db, match[1]!, deps.now())), ip: request.ip, userAgent: request.get('user-agent') };
    next();
  };
}

export function currentUser(response: Response): User {
  const user = response.locals.user as User | undefined;
  if (!user) throw new UnauthenticatedError();
  return user;
}
