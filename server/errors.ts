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
