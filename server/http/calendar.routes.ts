import { Router, type Request, type Response } from 'express';
import type { UseCaseDeps } from '../agreements/deps.ts';
import {
  createCalendarFeed,
  feedCalendarDocument,
  listOwnCalendarFeeds,
  readerLanguage,
  revokeCalendarFeed,
  userCalendarDocument,
} from '../calendar/calendar-feeds.ts';
import { partyCalendar } from '../calendar/party-calendar.ts';
import { NotFoundError } from '../errors.ts';
import { currentUser, requireUser } from './authentication.ts';

/**
 * The calendar of the dates that bind the user's party: JSON, iCalendar for the signed-in user, and
 * the secret feeds (created, listed and revoked by their owner; read by anyone holding the URL).
 * Each route names its own authentication, because the router is mounted on /api as a whole.
 */
export function calendarRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  const signedIn = requireUser(deps);
  const baseUrl = (request: Request) => deps.config.publicUrl ?? `${request.protocol}://${request.get('host')}`;

  router.get('/calendar', signedIn, async (_request, response) => {
    const user = currentUser(response);
    response.json({ dates: await partyCalendar(deps, user, await readerLanguage(deps, user)) });
  });

  router.get('/calendar.ics', signedIn, async (request, response) => {
    sendCalendar(response, await userCalendarDocument(deps, currentUser(response), baseUrl(request)));
  });

  router.post('/calendar/feeds', signedIn, async (request, response) => {
    const feed = await createCalendarFeed(deps, currentUser(response), baseUrl(request));
    response.status(201).location(`/api/calendar/feeds/${feed.id}`).set('Cache-Control', 'no-store').json(feed);
  });

  router.get('/calendar/feeds', signedIn, async (_request, response) => {
    response.json({ feeds: await listOwnCalendarFeeds(deps, currentUser(response)) });
  });

  router.delete('/calendar/feeds/:id', signedIn, async (request, response) => {
    await revokeCalendarFeed(deps, currentUser(response), String(request.params.id));
    response.status(204).end();
  });

  // The feed's token is its only credential: a calendar application sends no header.
  router.get('/calendar/feed/:file', async (request, response) => {
    const token = /^([A-Za-z0-9_-]{20,200})\.ics$/.exec(String(request.params.file))?.[1];
    if (!token) throw new NotFoundError('There is no such calendar feed, or it was revoked');
    sendCalendar(response, await feedCalendarDocument(deps, token, baseUrl(request)));
  });

  return router;
}

function sendCalendar(response: Response, document: string): void {
  response.type('text/calendar; charset=utf-8').set('Cache-Control', 'private, no-cache').send(document);
}
