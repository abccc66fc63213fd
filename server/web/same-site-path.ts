import type { Request } from 'express';

/**
 * `value` when it is a path on this site, else undefined; for links and redirects built from what a
 * request says (a `next` parameter, the Referer). It must start with one "/" ("//host" and "/\host"
 * are read by browsers as another host) and, resolved by the URL parser against the site's own
 * origin (the parser drops tabs and newlines as browsers do), stay on that origin. Returned as the
 * parser writes it, so the path that was checked is the one the browser follows.
 */
export function pathOnThisSite(value: unknown, request: Request): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  const origin = `${request.protocol}://${request.get('host')}`;
  if (!URL.canParse(origin)) return undefined;
  const url = new URL(value, origin);
  return url.origin === new URL(origin).origin ? `${url.pathname}${url.search}${url.hash}` : undefined;
}
