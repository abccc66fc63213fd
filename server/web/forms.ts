import type { Request, RequestHandler, Response } from 'express';
import { setFlash } from './flash.ts';

/**
 * A form's POST handler: it does its work through a use-case and names where to go next and what to
 * say there (post/redirect/get). A refusal is thrown as the use-case throws it; the web error handler
 * answers it with its status and a page that says why.
 */
export function formAction(
  handle: (request: Request, response: Response) => Promise<{ readonly redirect: string; readonly flash: string }>,
): RequestHandler {
  return async (request, response) => {
    const { redirect, flash } = await handle(request, response);
    setFlash(request, response, { kind: 'ok', key: flash });
    response.redirect(303, redirect);
  };
}

/** A form field as one string ('' when absent or repeated), the way the use-case inputs need it. */
export function field(request: Request, name: string): string {
  const value: unknown = request.body?.[name];
  return typeof value === 'string' ? value : '';
}

/** The integer a hidden field carries (expectedVersion); NaN when it is not one, which the input schemas refuse. */
export function integerField(request: Request, name: string): number {
  const value = field(request, name);
  return /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN;
}

/** A path parameter as one string (a form handler's request is not typed by its route). */
export function param(request: Request, name: string): string {
  const value: unknown = request.params[name];
  return typeof value === 'string' ? value : '';
}
