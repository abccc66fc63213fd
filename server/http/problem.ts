import type { ErrorRequestHandler, RequestHandler } from 'express';
import { asServiceUnavailable, DomainError, ERROR_TABLE, ServiceUnavailableError, type ErrorCode, TooManyRequestsError } from '../errors.ts';

/** Writes an RFC 9457 problem document; the only place responses for errors are made. */
function sendProblem(
  response: Parameters<RequestHandler>[1],
  code: ErrorCode,
  detail: string,
  instance: string,
  extensions: Record<string, unknown> = {},
): void {
  const { status, title } = ERROR_TABLE[code];
  response
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ ...extensions, type: `urn:bilateral:problem:${code.toLowerCase()}`, title, status, detail, code, instance }));
}

export const notFoundHandler: RequestHandler = (request, response) => {
  sendProblem(response, 'NOT_FOUND', `No route for ${request.method} ${request.path}`, request.originalUrl);
};

/**
 * Domain errors become their status; body-parser's errors become 400/413/415; a database that is
 * busy, locked or restarting (or a ServiceUnavailableError) becomes a 503 with Retry-After: the
 * request can be sent again as it is; anything else is a 500 whose cause is logged on the server and
 * never shown to the client.
 */
export function errorHandler(log: (message: string, error: unknown) => void): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) return next(error);
    const instance = request.originalUrl;
    const unavailable = error instanceof ServiceUnavailableError ? error : asServiceUnavailable(error);
    if (unavailable) {
      // One line, not a stack: while the database (or the TSA) is away every request says the same.
      log(`${unavailable.detail} (${request.method} ${request.originalUrl}; answered 503)`, (error as Error).message);
      response.set('Retry-After', String(unavailable.retryAfterSeconds));
      return sendProblem(response, unavailable.code, unavailable.detail, instance);
    }
    if (error instanceof DomainError) {
      if (error instanceof TooManyRequestsError) response.set('Retry-After', String(error.retryAfterSeconds));
      return sendProblem(response, error.code, error.detail, instance, error.extensions);
    }
    const parserError = error as { type?: string; status?: number; message?: string };
    switch (parserError.type) {
      case 'entity.parse.failed':
        return sendProblem(response, 'MALFORMED_REQUEST', 'The body is not valid JSON', instance);
      case 'entity.too.large':
        return sendProblem(response, 'PAYLOAD_TOO_LARGE', 'The body is larger than this endpoint accepts', instance);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendProblem(response, 'UNSUPPORTED_MEDIA_TYPE', parserError.message ?? 'Unsupported encoding', instance);
      case 'request.aborted':
        return sendProblem(response, 'MALFORMED_REQUEST', 'The request was aborted', instance);
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return sendProblem(response, 'MALFORMED_REQUEST', parserError.message ?? 'Bad request', instance);
    }
    log(`unhandled error on ${request.method} ${request.originalUrl}`, error);
    return sendProblem(response, 'INTERNAL', 'Something went wrong on the server; it has been logged', instance);
  };
}
