import type { Request, Response } from 'express';

/**
 * A message carried across the redirect after a form (post/redirect/get): set by the POST, shown once
 * by the next page. It holds a message key and, for errors, the server's detail; the page escapes both.
 */
const FLASH_COOKIE = 'bilateral_flash';

export interface Flash {
  readonly kind: 'ok' | 'error';
  /** A key of templates/locales, e.g. flash.saved or error.RULE_VIOLATION. */
  readonly key: string;
  readonly detail?: string;
}

export function setFlash(request: Request, response: Response, flash: Flash): void {
  // A cookie holds about 4 kB; a detail longer than a screenful is cut.
  const bounded = { ...flash, detail: flash.detail?.slice(0, 1000) };
  response.cookie(FLASH_COOKIE, Buffer.from(JSON.stringify(bounded)).toString('base64url'), {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.secure,
    path: '/',
    maxAge: 60_000,
  });
}

/** The flash left for this page, if any; it is cleared as it is read. */
export function takeFlash(request: Request, response: Response): Flash | undefined {
  const value: unknown = request.cookies?.[FLASH_COOKIE];
  if (typeof value !== 'string') return undefined;
  response.clearCookie(FLASH_COOKIE, { path: '/' });
  try {
    const flash = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if ((flash.kind === 'ok' || flash.kind === 'error') && typeof flash.key === 'string' && /^[\w.-]+$/.test(flash.key)) {
      return { kind: flash.kind, key: flash.key, detail: typeof flash.detail === 'string' ? flash.detail : undefined };
    }
  } catch {
    // A cookie we did not write: nothing to show.
  }
  return undefined;
}
