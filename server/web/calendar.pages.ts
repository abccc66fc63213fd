import { Router, type Request, type Response } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import {
  createCalendarFeed,
  listOwnCalendarFeeds,
  revokeCalendarFeed,
  userCalendarDocument,
  type CreatedCalendarFeed,
} from '../calendar/calendar-feeds.ts';
import { partyCalendar } from '../calendar/party-calendar.ts';
import { LOCALE, type Lang } from '../text/languages.ts';
import { formAction, param } from './forms.ts';
import { pageLanguage, sendPage, type PageServices } from './page.ts';
import { webUser } from './web-session.ts';

/**
 * The calendar page: the dates that bind the user's party, the same list as the feed, a download of
 * it as iCalendar, and the user's secret feed URLs (a new one is shown once, on the page that made it).
 */
export function calendarPages(services: PageServices): Router {
  const router = Router();
  const { deps } = services;

  router.get('/calendar', async (request, response) => {
    await sendCalendarPage(services, request, response);
  });

  router.get('/calendar.ics', async (request, response) => {
    const document = await userCalendarDocument(deps, webUser(response), baseUrl(deps, request));
    response.type('text/calendar; charset=utf-8').attachment('bilateral.ics').send(document);
  });

  // Answered with the page itself, not a redirect: the new URL is a secret, shown once and kept nowhere else.
  router.post('/calendar/feeds', async (request, response) => {
    const created = await createCalendarFeed(deps, webUser(response), baseUrl(deps, request));
    await sendCalendarPage(services, request, response, created);
  });

  router.post(
    '/calendar/feeds/:id/revoke',
    formAction(async (request, response) => {
      await revokeCalendarFeed(deps, webUser(response), param(request, 'id'));
      return { redirect: '/calendar', flash: 'calendar.revoked' };
    }),
  );

  return router;
}

async function sendCalendarPage(services: PageServices, request: Request, response: Response, created?: CreatedCalendarFeed) {
  const { deps } = services;
  const user = webUser(response);
  const lang = await pageLanguage(deps, request, user);
  const [dates, feeds] = await Promise.all([partyCalendar(deps, user, lang), listOwnCalendarFeeds(deps, user)]);
  const today = deps.now().toISOString().slice(0, 10);
  await sendPage(
    services,
    request,
    response,
    'calendar',
    { title: 'calendar.title', section: 'calendar' },
    {
      upcoming: dates.filter((date) => date.date >= today).map((date) => ({ ...date, shown: formatDay(lang, date.date) })),
      past: dates
        .filter((date) => date.date < today)
        .reverse()
        .map((date) => ({ ...date, shown: formatDay(lang, date.date) })),
      feeds,
      created,
    },
  );
}

function baseUrl(deps: UseCaseDeps, request: Request): string {
  return deps.config.publicUrl ?? `${request.protocol}://${request.get('host')}`;
}

/** «24 декабря 2026 г.», "2026년 12월 24일", "24 December 2026". */
function formatDay(lang: Lang, isoDate: string): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
}
