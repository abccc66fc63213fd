import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import {
  asServiceUnavailable,
  DomainError,
  ERROR_TABLE,
  ServiceUnavailableError,
  type ErrorCode,
  TooManyRequestsError,
} from '../errors.ts';

/**
 * What `toDomainError` says for a value that was not a DomainError: a library refusing the request
 * (body-parser, multer, the CSRF check) or an unexpected failure. Its detail is written for API
 * clients and speaks of bodies, tokens and logs; a web page shows only its translated title.
 */
export class TechnicalError extends DomainError {}

/**
 * The one mapping of anything thrown while answering a request to the error model, for the API and
 * the web pages alike. A DomainError is itself; a database that is busy, locked or restarting is a
 * ServiceUnavailableError (the request can be sent again as it is); body-parser's and multer's
 * refusals are 400, 413 or 415; csrf-csrf's is CSRF_REJECTED; anything else is INTERNAL, and its
 * cause is for the server's log only.
 */
export function toDomainError(thrown: unknown): DomainError {
  if (thrown instanceof DomainError) return thrown;
  const unavailable = asServiceUnavailable(thrown);
  if (unavailable) return unavailable;
  const { type, code, name, status, message } = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as Partial<
    Record<'type' | 'code' | 'name' | 'message', unknown> & { status: unknown }
  >;
  const said = typeof message === 'string' && message !== '' ? message : undefined;
  // csrf-csrf's error is an http-errors 403: it must be told apart before the generic 4xx below.
  if (code === 'EBADCSRFTOKEN')
    return new TechnicalError('CSRF_REJECTED', 'The form token is missing or not this session’s; reload the form');
  switch (type) {
    case 'entity.parse.failed':
      return new TechnicalError('MALFORMED_REQUEST', 'The body is not valid JSON');
    case 'entity.too.large':
      return new TechnicalError('PAYLOAD_TOO_LARGE', 'The body is larger than this endpoint accepts');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new TechnicalError('UNSUPPORTED_MEDIA_TYPE', said ?? 'Unsupported encoding');
    case 'request.aborted':
      return new TechnicalError('MALFORMED_REQUEST', 'The request was aborted');
  }
  if (name === 'MulterError' && typeof code === 'string' && code.startsWith('LIMIT_')) {
    return code === 'LIMIT_FILE_SIZE'
      ? new TechnicalError('PAYLOAD_TOO_LARGE', 'The file is larger than this form accepts')
      : new TechnicalError('MALFORMED_REQUEST', said ?? 'The upload exceeds a limit of this form');
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return new TechnicalError('MALFORMED_REQUEST', said ?? 'Bad request');
  return new TechnicalError('INTERNAL', 'Something went wrong on the server; it has been logged');
}

/** The errors that know when the same request may succeed say so in Retry-After. */
export function setRetryAfter(response: Response, error: DomainError): void {
  if (error instanceof ServiceUnavailableError || error instanceof TooManyRequestsError)
    response.set('Retry-After', String(error.retryAfterSeconds));
}

/** Writes an RFC 9457 problem document; the only place responses for errors are made. */
function sendProblem(
  response: Response,
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

/** Every error of the API, mapped by toDomainError, as a problem document; a 503 or a 500 is logged. */
export function errorHandler(log: (message: string, error: unknown) => void): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) return next(error);
    const problem = toDomainError(error);
    if (problem.code === 'SERVICE_UNAVAILABLE') {
      // One line, not a stack: while the database (or the TSA) is away every request says the same.
      log(`${problem.detail} (${request.method} ${request.originalUrl}; answered 503)`, (error as Error).message);
    } else if (problem.code === 'INTERNAL') {
      log(`unhandled error on ${request.method} ${request.originalUrl}`, error);
    }
    setRetryAfter(response, problem);
    sendProblem(response, problem.code, problem.detail, request.originalUrl, problem.extensions);
  };
}
