/**
 * The one error model. Domain code throws DomainError subclasses; the HTTP layer turns the code into
 * a status and title through ERROR_TABLE, the only place where that mapping lives.
 */
export type ErrorCode =
  | 'MALFORMED_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'VERSION_CONFLICT'
  | 'INVALID_TRANSITION'
  | 'RULE_VIOLATION'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'CSRF_REJECTED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

export const ERROR_TABLE = {
  MALFORMED_REQUEST: { status: 400, title: 'Malformed request' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  VERSION_CONFLICT: { status: 409, title: 'Stale version' },
  INVALID_TRANSITION: { status: 409, title: 'Event not allowed in this state' },
  RULE_VIOLATION: { status: 422, title: 'Refused by a rule' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests' },
  CSRF_REJECTED: { status: 403, title: 'Form token rejected' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Temporarily unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<ErrorCode, { status: number; title: string }>;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    /** Extra members of the problem document, e.g. the list of offending fields. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class MalformedRequestError extends DomainError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super('MALFORMED_REQUEST', detail, extensions);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(detail = 'Send a valid token in the Authorization header: Bearer <token>') {
    super('UNAUTHENTICATED', detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string) {
    super('FORBIDDEN', detail);
  }
}

export class NotFoundError extends DomainError {
  constructor(detail: string) {
    super('NOT_FOUND', detail);
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super('VERSION_CONFLICT', detail, extensions);
  }
}

export class InvalidTransitionError extends DomainError {
  constructor(detail: string) {
    super('INVALID_TRANSITION', detail);
  }
}

export class RuleViolationError extends DomainError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super('RULE_VIOLATION', detail, extensions);
  }
}

/** Too many attempts (sign-in guesses): the client may try again after `retryAfterSeconds`. */
export class TooManyRequestsError extends DomainError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super('TOO_MANY_REQUESTS', detail);
  }
}

/**
 * Something Bilateral depends on cannot answer right now, but will: the database (SQLite still locked
 * by another writer after the busy timeout, PostgreSQL restarting or out of connections, a
 * serialization failure or deadlock) or a time-stamping authority. The client may send the same
 * request again after `retryAfterSeconds`. If the database connection was lost at the very commit,
 * the change may have been applied; guarded by `expectedVersion`, the retry then gets a 409 instead
 * of applying it twice.
 */
export class ServiceUnavailableError extends DomainError {
  constructor(
    detail: string,
    readonly retryAfterSeconds = 1,
  ) {
    super('SERVICE_UNAVAILABLE', detail);
  }
}

/** SQLite result codes of a database locked by another connection (after the busy timeout). */
const SQLITE_BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
/**
 * PostgreSQL SQLSTATEs worth retrying: connection exceptions (class 08), shutting down or starting up
 * (57P01-57P03), too many connections (53300), serialization failure and deadlock (40001, 40P01).
 */
const RETRYABLE_SQLSTATE = /^(08...|57P0[123]|53300|40001|40P01)$/;
/** Node's errors for a database server that is not there or went away mid-query. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN']);
/** node-postgres and knex say these in words only. */
const DROPPED_CONNECTION = /Connection terminated|Client has encountered a connection error|Knex: Timeout acquiring a connection/;

/**
 * Recognises a transient failure of the database in an error thrown by knex, node-sqlite3 or
 * node-postgres (or in its cause), and says it as a ServiceUnavailableError; undefined for any other
 * error. Pure; used by the HTTP layer so such a failure is a 503 with Retry-After, never a 500.
 */
export function asServiceUnavailable(error: unknown): ServiceUnavailableError | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth += 1) {
    const { code, name, message } = cause as Error & { code?: unknown };
    if (typeof code === 'string' && SQLITE_BUSY_CODES.has(code)) {
      return new ServiceUnavailableError('The database is busy with another writer; send the request again shortly', 1);
    }
    if (typeof code === 'string' && (RETRYABLE_SQLSTATE.test(code) || NETWORK_CODES.has(code))) {
      return new ServiceUnavailableError('The database is unavailable or restarting; send the request again shortly', 2);
    }
    if (name === 'KnexTimeoutError' || DROPPED_CONNECTION.test(message)) {
      return new ServiceUnavailableError('The database connection was lost; send the request again shortly', 2);
    }
  }
  return undefined;
}
