import type { z } from 'zod';
import { MalformedRequestError, NotFoundError, RuleViolationError } from '../errors.ts';

/** Validates a request body against its schema; every problem is listed in the 400. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedRequestError('Send a JSON object with Content-Type: application/json');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', problem: issue.message }));
    const detail = problems.map((entry) => `${entry.field}: ${entry.problem}`).join('; ');
    // A well-formed body that breaks a rule (a character the text rule refuses) is a 422 naming it.
    const broken = result.error.issues.find(
      (issue): issue is z.core.$ZodIssueCustom => issue.code === 'custom' && issue.params?.rule === true,
    );
    if (broken)
      throw new RuleViolationError(detail, {
        problems,
        field: broken.path.join('.'),
        character: broken.params!.character,
        codePoint: broken.params!.codePoint,
      });
    throw new MalformedRequestError(detail, { problems });
  }
  return result.data;
}

/** Agreement ids are positive integers; anything else cannot name one. */
export function parseId(value: string | undefined): number {
  if (value === undefined || !/^[1-9][0-9]{0,14}$/.test(value)) throw new NotFoundError(`"${value}" is not an agreement id`);
  return Number(value);
}

/** A non-negative integer from the query string or a path segment, or a 400 naming the parameter. */
export function parseQueryInteger(value: unknown, name: string): number {
  if (typeof value !== 'string' || !/^[0-9]{1,9}$/.test(value)) throw new MalformedRequestError(`${name} must be a whole number`);
  return Number(value);
}
