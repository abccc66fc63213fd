import { hkdfSync } from 'node:crypto';
import type { Request, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { hashToken } from '../auth/sessions.ts';
import { sessionToken } from './web-session.ts';

/**
 * CSRF protection for every form: csrf-csrf's signed double-submit cookie, bound to the web session
 * (so a token from one session is worthless in another) and keyed by HKDF from the server's one secret.
 * Every POST must carry the token in the form field `_csrf`.
 */
export const CSRF_FIELD = '_csrf';

export function csrfProtection(secret: Buffer) {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'bilateral web csrf v1', 32)).toString('hex');
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => key,
    // Before sign-in the session is the empty one: the sign-in form is protected too.
    getSessionIdentifier: (request) => {
      const token = sessionToken(request);
      return token ? hashToken(token) : '';
    },
    cookieName: 'bilateral_csrf',
    cookieOptions: { httpOnly: true, sameSite: 'lax', secure: false, path: '/' },
    getCsrfTokenFromRequest: (request) => {
      const value: unknown = request.body?.[CSRF_FIELD];
      return typeof value === 'string' ? value : undefined;
    },
  });
  return {
    /** Refuses a POST without the right token with a 403 whose `code` is EBADCSRFTOKEN. */
    protect: doubleCsrfProtection,
    /** The token for the forms of this page (the same until the session changes). */
    tokenFor: (request: Request, response: Response) => generateCsrfToken(request, response, { cookieOptions: { secure: request.secure } }),
  };
}
