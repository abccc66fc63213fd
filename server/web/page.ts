import type { Request, Response } from 'express';
import { findParty } from '../../db/repositories/parties.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { decide } from '../auth/policy.ts';
import { isLang, type Lang } from '../text/languages.ts';
import { takeFlash } from './flash.ts';
import { languageFromHeader, readerTimeZone, translate } from './i18n.ts';
import { personName } from './person-name.ts';
import { renderPage, type PageFrame } from './view-engine.ts';
import { agreementsOfMyParty } from './waiting-for-me.ts';

/** Where an anonymous visitor's language choice is kept (a signed-in user's is in their account). */
export const LANGUAGE_COOKIE = 'bilateral_lang';

export interface PageOptions {
  /** A key of templates/locales for the <title> and <h1>, with its placeholders. */
  readonly title: string;
  readonly titleValues?: Readonly<Record<string, unknown>>;
  readonly section?: string;
  readonly status?: number;
}

/** What renders pages: the deps for the frame and the CSRF token source. */
export interface PageServices {
  readonly deps: UseCaseDeps;
  readonly csrfToken: (request: Request, response: Response) => string;
}

/** The language of the page: the user's choice, else their party's; before sign-in, the visitor's. */
export async function pageLanguage(deps: UseCaseDeps, request: Request, user: User | undefined): Promise<Lang> {
  if (user) return user.locale ?? (await findParty(deps.db, user.party))?.language ?? 'en';
  const chosen: unknown = request.query.lang ?? request.cookies?.[LANGUAGE_COOKIE];
  return isLang(chosen) ? chosen : (languageFromHeader(request.get('accept-language')) ?? 'en');
}

/** Renders a page in the layout with everything every page shows: the user, the language, the CSRF token, the flash. */
export async function sendPage(
  services: PageServices,
  request: Request,
  response: Response,
  page: string,
  options: PageOptions,
  data: object = {},
) {
  const user = response.locals.user as User | undefined;
  const lang = await pageLanguage(services.deps, request, user);
  const party = user && (await findParty(services.deps.db, user.party));
  const flash = takeFlash(request, response);
  const frame: PageFrame = {
    lang,
    timeZone: readerTimeZone(user, party),
    title: translate(lang, options.title, options.titleValues),
    csrfToken: services.csrfToken(request, response),
    section: options.section,
    flash: flash && { kind: flash.kind, message: translate(lang, flash.key), detail: flash.detail },
    ...(user && {
      user: {
        email: user.email,
        displayName: personName(user, lang),
        partyName: party?.names[lang].short ?? user.party,
        role: user.role,
        isAdmin: decide(user, null, 'users.manage').allowed,
      },
      waitingCount: (await agreementsOfMyParty(services.deps, user)).filter((agreement) => agreement.waitingFor.length > 0).length,
    }),
  };
  response
    .status(options.status ?? 200)
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(renderPage(page, frame, data));
}
