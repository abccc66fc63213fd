import type { RequestHandler } from 'express';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { TooManyRequestsError } from '../errors.ts';

/**
 * Puts POST /api/sessions behind the login throttle without changing its route: the attempt takes its
 * points before the route checks the password, and a 201 gives them back.
 */
export function throttleApiSignIn(throttle: LoginThrottle): RequestHandler {
  return async (request, response, next) => {
    const email = typeof request.body?.email === 'string' ? request.body.email : '';
    const address = request.ip ?? 'unknown';
    const verdict = await throttle.take(email, address);
    if (!verdict.allowed) {
      throw new TooManyRequestsError(
        `Too many failed sign-in attempts for this account or from this address; try again in ${verdict.retryAfterSeconds} s`,
        verdict.retryAfterSeconds,
      );
    }
    response.on('finish', () => {
      if (response.statusCode === 201) void throttle.succeeded(email, address);
    });
    next();
  };
}
