import { Router, type Request, type Response } from 'express';
import { endWebSession } from '../auth/sessions.ts';
import { beginSsoSignIn, completeSsoSignIn, providerLabel, SsoRefusal } from '../auth/single-sign-on.ts';
import { ERROR_TABLE } from '../errors.ts';
import { param } from './forms.ts';
import { pageLanguage, type PageServices } from './page.ts';
import { safeNext, signInPage } from './sign-in.routes.ts';
import { SESSION_COOKIE, sessionCookieOptions, sessionToken } from './web-session.ts';

/**
 * Sign-in through a party's identity provider (OpenID Connect). The start sends the browser to the
 * provider with a cookie that binds the answer to this browser; the callback completes the sign-in
 * or shows the sign-in page with what went wrong, in the visitor's language, having created nothing.
 */
const SSO_COOKIE = 'bilateral_sso';
const SSO_COOKIE_PATH = '/sign-in/sso';

export function ssoRoutes(services: PageServices): Router {
  const router = Router();
  const { deps } = services;
  const showSignIn = signInPage(services);

  /** Where the provider sends the browser back: registered with the provider as the client's redirect URI. */
  const redirectUri = (request: Request, party: string) =>
    `${deps.config.publicUrl ?? `${request.protocol}://${request.get('host')}`}${SSO_COOKIE_PATH}/${encodeURIComponent(party)}/callback`;

  const refused = async (request: Request, response: Response, party: string, refusal: SsoRefusal) => {
    const lang = await pageLanguage(deps, request, undefined);
    const provider = (await providerLabel(deps, party, lang)) ?? party;
    await showSignIn(request, response, ERROR_TABLE[refusal.code].status, { key: `signIn.sso.${refusal.reason}`, provider });
  };

  router.get(`${SSO_COOKIE_PATH}/:party`, async (request, response) => {
    const party = param(request, 'party');
    let start: Awaited<ReturnType<typeof beginSsoSignIn>>;
    try {
      start = await beginSsoSignIn(deps, party, {
        redirectUri: redirectUri(request, party),
        nextPath: safeNext(request.query.next, request),
        fresh: request.query.fresh === '1',
      });
    } catch (error) {
      if (error instanceof SsoRefusal) return refused(request, response, party, error);
      throw error;
    }
    response.cookie(SSO_COOKIE, start.browserSecret, {
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level navigation from its site.
      sameSite: 'lax',
      secure: request.secure,
      path: SSO_COOKIE_PATH,
      maxAge: 10 * 60_000,
    });
    response.redirect(303, start.authorizationUrl);
  });

  router.get(`${SSO_COOKIE_PATH}/:party/callback`, async (request, response) => {
    const party = param(request, 'party');
    const query = request.originalUrl.indexOf('?');
    const callbackUrl = new URL(`${redirectUri(request, party)}${query >= 0 ? request.originalUrl.slice(query) : ''}`);
    const browserSecret: unknown = request.cookies?.[SSO_COOKIE];
    response.clearCookie(SSO_COOKIE, { path: SSO_COOKIE_PATH });
    try {
      const signedIn = await completeSsoSignIn(deps, party, {
        callbackUrl,
        browserSecret: typeof browserSecret === 'string' ? browserSecret : undefined,
      });
      // Signing in again (to confirm a signature) replaces the session: the old one ends.
      const previous = sessionToken(request);
      if (previous) await endWebSession(deps.db, previous);
      response.cookie(SESSION_COOKIE, signedIn.token, sessionCookieOptions(request));
      response.redirect(303, signedIn.nextPath);
    } catch (error) {
      if (!(error instanceof SsoRefusal)) throw error;
      await refused(request, response, party, error);
    }
  });

  return router;
}
