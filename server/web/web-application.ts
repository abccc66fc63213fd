import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { AgreementCreationLimit } from '../agreements/creation-limit.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { ERROR_TABLE } from '../errors.ts';
import { setRetryAfter, TechnicalError, toDomainError } from '../http/problem.ts';
import { FONT_FILES, FONT_URLS, type FontId } from '../pdf/fonts.ts';
import { accountPages } from './account.pages.ts';
import { calendarPages } from './calendar.pages.ts';
import { agreementPages } from './agreements.pages.ts';
import { clauseEditorPages } from './clause-editor.pages.ts';
import { comparePages } from './compare.pages.ts';
import { consistencyPages } from './consistency.pages.ts';
import { csrfProtection } from './csrf.ts';
import { serveDeskBundle } from './desk/desk-bundle.ts';
import { mailPages } from './mail.pages.ts';
import { sendPage, type PageServices } from './page.ts';
import { registrationPages } from './registration.pages.ts';
import { obligationPages } from './obligation.pages.ts';
import { pathOnThisSite } from './same-site-path.ts';
import { signInRoutes } from './sign-in.routes.ts';
import { ssoRoutes } from './sso.routes.ts';
import { UI_FONT_URL, uiFont } from './ui-font.ts';
import { usersPages } from './users.pages.ts';
import { verifyPages, verifyUpload } from './verify.pages.ts';
import { loadWebUser, requireWebUser } from './web-session.ts';

export interface WebOptions {
  readonly log: (message: string, error?: unknown) => void;
  readonly throttle: LoginThrottle;
  readonly creationLimit: AgreementCreationLimit;
}

/**
 * The pages' Hangul comes from the font the PDFs embed, served by us: nothing loads from elsewhere.
 * A Map, so a file named after an Object.prototype member (constructor, __proto__) is simply unknown.
 */
const FONTS = new Map((Object.keys(FONT_URLS) as FontId[]).map((id) => [FONT_URLS[id].split('/').at(-1)!, FONT_FILES[id]]));

/**
 * The web application: server-rendered pages over the same use-cases and the same policy as the API.
 * Cookie session, CSRF token on every form, and an error page for every refusal, never a stack.
 */
export function webApplication(deps: UseCaseDeps, options: WebOptions): Router {
  const router = Router();
  const csrf = csrfProtection(deps.config.secret);
  const services: PageServices = { deps, csrfToken: csrf.tokenFor };

  router.use('/assets', express.static(fileURLToPath(new URL('./static/', import.meta.url)), { index: false, maxAge: '1h' }));
  router.get(UI_FONT_URL, async (request, response) => {
    const font = await uiFont();
    response.set({ 'Content-Type': 'font/woff2', 'Cache-Control': 'public, max-age=3600', ETag: font.etag });
    if (request.fresh) return response.sendStatus(304);
    response.send(font.bytes);
  });

  router.get('/assets/fonts/:file', (request, response) => {
    const file = FONTS.get(request.params.file);
    // An asset, not a page: unknown is a plain 404 for anyone, signed in or not.
    if (!file) return response.sendStatus(404);
    response.sendFile(file, { maxAge: '30d', immutable: true, headers: { 'Content-Type': 'font/ttf' } });
  });

  router.get('/assets/desk.js', serveDeskBundle);

  router.use(cookieParser());
  router.use(express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 }));
  router.use(loadWebUser(deps));
  router.post('/verify', requireWebUser, verifyUpload);
  router.use(csrf.protect);

  router.use(signInRoutes(services, options.throttle));
  router.use(ssoRoutes(services));
  router.use(requireWebUser);
  router.use(agreementPages(services, options.creationLimit));
  router.use(clauseEditorPages(services));
  router.use(comparePages(services));
  router.use(consistencyPages(services));
  router.use(calendarPages(services));
  router.use(registrationPages(services));
  router.use(obligationPages(services));
  router.use(verifyPages(services));
  router.use(accountPages(services));
  router.use(usersPages(services));
  router.use(mailPages(services));

  router.use(pageNotFound(services));
  router.use(errorPage(services, options.log));
  return router;
}

function pageNotFound(services: PageServices): RequestHandler {
  return (request, response) =>
    sendPage(services, request, response, 'error', { title: 'error.NOT_FOUND', status: 404 }, { back: backLink(request) });
}

/**
 * Every refusal becomes a page with its HTTP status, a title in the page's language and, when the
 * application raised it, the server's detail; a failed CSRF check is a 403 that says to reload the
 * form. The error is mapped as the API maps it (toDomainError). Anything unexpected is logged and
 * shown as a plain 500, without its cause.
 */
function errorPage(services: PageServices, log: WebOptions['log']): ErrorRequestHandler {
  return async (error, request, response, next) => {
    if (response.headersSent) return next(error);
    const problem = toDomainError(error);
    const { status } = ERROR_TABLE[problem.code];
    if (problem.code === 'INTERNAL') log(`unhandled error on ${request.method} ${request.originalUrl}`, error);
    if (problem.code === 'UNAUTHENTICATED' && request.method === 'GET') return response.redirect(303, '/sign-in');
    setRetryAfter(response, problem);
    try {
      await sendPage(
        services,
        request,
        response,
        'error',
        { title: `error.${problem.code}`, status },
        {
          // A library's refusal speaks of bodies and tokens to API clients: the title and hint say it to a person.
          detail: problem instanceof TechnicalError ? undefined : problem.detail,
          back: backLink(request),
          // Only a refused form can promise that it changed nothing.
          refusedForm: request.method === 'POST',
        },
      );
    } catch (renderError) {
      log(`the error page failed on ${request.method} ${request.originalUrl}`, renderError);
      response.status(status).type('text').send(`${status}`);
    }
  };
}

/**
 * Back to the page the request came from. The Referrer-Policy sends it within this site only, but
 * the header is the client's word: http://this-site//evil.example would make "//evil.example".
 */
function backLink(request: Parameters<RequestHandler>[0]): string | undefined {
  const referer = request.get('referer');
  if (!referer || !URL.canParse(referer)) return undefined;
  const url = new URL(referer);
  return url.host === request.get('host') ? pathOnThisSite(`${url.pathname}${url.search}${url.hash}`, request) : undefined;
}
