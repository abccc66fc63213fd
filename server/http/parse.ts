import type { z } from 'zod';
import { MalformedRequestError, NotFoundError } from '../errors.ts';

/** Validates a request body against its schema; every problem is listed in the 400. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedRequestError('Send a JSON object with Content-Type: application/json');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', problem: issue.message }));
    throw new MalformedRequestError(problems.map((entry) => `${entry.field}: ${entry.problem}`).join('; '), { problems });
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
