import type { RequestHandler, Response } from 'express';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authenticate } from '../auth/sessions.ts';
import { DomainError, UnauthenticatedError } from '../errors.ts';

/** What a `read` token may send: requests that change nothing. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Resolves `Authorization: Bearer <token>` to the signed-in user, or answers 401; a `read` token
 * sending anything but GET or HEAD is answered 403 before any route runs, whatever the user's role.
 */
export function requireUser(deps: UseCaseDeps): RequestHandler {
  return async (request, response, next) => {
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(request.get('authorization') ?? '');
    if (!match) throw new UnauthenticatedError();
    const { user, scope } = await authenticate(deps.db, match[1]!, deps.now());
    if (scope === 'read' && !READ_METHODS.has(request.method)) {
      throw new DomainError(
        'FORBIDDEN',
        `This token has the scope "read": it may only GET and HEAD; ${request.method} needs a token with the scope "write"`,
        { scope },
      );
    }
    // Where the request came from travels with the user, for the audit trail.
    response.locals.user = { ...user, ip: request.ip, userAgent: request.get('user-agent') };
    response.locals.bearerToken = match[1]!;
    next();
  };
}

export function currentUser(response: Response): User {
  const user = response.locals.user as User | undefined;
  if (!user) throw new UnauthenticatedError();
  return user;
}

/** The token the request was authenticated with, for signing out of that session. */
export function currentBearerToken(response: Response): string {
  const token = response.locals.bearerToken as string | undefined;
  if (!token) throw new UnauthenticatedError();
  return token;
}
