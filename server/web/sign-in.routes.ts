import { Router, type Request, type Response } from 'express';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { AccountDisabledError, endWebSession, startWebSession } from '../auth/sessions.ts';
import { signInProviders } from '../auth/single-sign-on.ts';
import { UnauthenticatedError } from '../errors.ts';
import { isLang } from '../text/languages.ts';
import { field } from './forms.ts';
import { LANGUAGE_COOKIE, pageLanguage, sendPage, type PageServices } from './page.ts';
import { pathOnThisSite } from './same-site-path.ts';
import { SESSION_COOKIE, sessionCookieOptions, sessionToken } from './web-session.ts';

/** What the sign-in page shows above the form: a message key of signIn.*, with its placeholders. */
export interface SignInProblem {
  readonly key: string;
  readonly retryMinutes?: number;
  readonly provider?: string;
}

/** The sign-in page: the password form and a button for each party's identity provider, in the visitor's language. */
export function signInPage(services: PageServices) {
  return async (request: Request, response: Response, status = 200, problem?: SignInProblem) => {
    const lang = await pageLanguage(services.deps, request, undefined);
    const next = safeNext(request.body?.next ?? request.query.next, request);
    const providers = (await signInProviders(services.deps, lang)).map((provider) => ({
      label: provider.label,
      href: `/sign-in/sso/${encodeURIComponent(provider.party)}?next=${encodeURIComponent(next)}`,
    }));
    await sendPage(
      services,
      request,
      response,
      'sign-in',
      { title: 'signIn.title', status },
      { next, email: field(request, 'email'), problem, providers },
    );
  };
}

/** Sign-in and sign-out. The password check is throttled by the same LoginThrottle as POST /api/sessions. */
export function signInRoutes(services: PageServices, throttle: LoginThrottle): Router {
  const router = Router();
  const { deps } = services;
  const showSignIn = signInPage(services);

  router.get('/', (_request, response) => {
    response.redirect(303, response.locals.user ? '/agreements' : '/sign-in');
  });

  router.get('/sign-in', async (request, response) => {
    if (response.locals.user) return response.redirect(303, safeNext(request.query.next, request));
    if (isLang(request.query.lang)) {
      response.cookie(LANGUAGE_COOKIE, request.query.lang, {
        sameSite: 'lax',
        secure: request.secure,
        path: '/',
        maxAge: 365 * 24 * 3600 * 1000,
      });
    }
    await showSignIn(request, response);
  });

  router.post('/sign-in', async (request, response) => {
    const email = field(request, 'email');
    const address = request.ip ?? 'unknown';
    const verdict = await throttle.take(email, address);
    if (!verdict.allowed) {
      response.set('Retry-After', String(verdict.retryAfterSeconds));
      return showSignIn(request, response, 429, { key: 'signIn.throttled', retryMinutes: Math.ceil(verdict.retryAfterSeconds / 60) });
    }
    let session: Awaited<ReturnType<typeof startWebSession>>;
    try {
      session = await startWebSession(deps.db, email, field(request, 'password'), deps.now());
    } catch (error) {
      if (error instanceof AccountDisabledError) return showSignIn(request, response, 403, { key: 'signIn.disabled' });
      if (error instanceof UnauthenticatedError) return showSignIn(request, response, 401, { key: 'signIn.wrong' });
      throw error;
    }
    await throttle.succeeded(email, address);
    response.cookie(SESSION_COOKIE, session.token, sessionCookieOptions(request));
    response.redirect(303, safeNext(request.body?.next, request));
  });

  router.post('/sign-out', async (request, response) => {
    const token = sessionToken(request);
    if (token) await endWebSession(deps.db, token);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    response.redirect(303, '/sign-in');
  });

  return router;
}

/** Only a path on this site: an attacker's link must not turn sign-in into a redirect elsewhere. */
export function safeNext(value: unknown, request: Request): string {
  return pathOnThisSite(value, request) ?? '/agreements';
}
