import { randomBytes } from 'node:crypto';
import { findParty } from '../../db/repositories/parties.repository.ts';
import {
  deleteCalendarFeed,
  findCalendarFeedUser,
  insertCalendarFeed,
  listCalendarFeeds,
  type CalendarFeedSummary,
} from '../../db/repositories/calendar.repository.ts';
import { findUserById, type User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { hashToken, newToken } from '../auth/sessions.ts';
import { NotFoundError } from '../errors.ts';
import type { Lang } from '../text/languages.ts';
import { calendarDocument, partyCalendar } from './party-calendar.ts';

/**
 * Secret calendar feeds: a URL per feed that a calendar application subscribes to without signing in.
 * Its token is shown once, stored only as its hash, reads only the owner's party's dates (as the owner
 * would see them today), and stops working when revoked or when the owner is removed.
 */
export interface CreatedCalendarFeed extends CalendarFeedSummary {
  /** The feed's address: shown this once. */
  readonly url: string;
}

export async function createCalendarFeed(deps: UseCaseDeps, user: User, baseUrl: string): Promise<CreatedCalendarFeed> {
  const token = newToken();
  const summary: CalendarFeedSummary = { id: randomBytes(12).toString('base64url'), createdAt: deps.now().toISOString() };
  await insertCalendarFeed(deps.db, { publicId: summary.id, userId: user.id, tokenHash: hashToken(token), createdAt: summary.createdAt });
  return { ...summary, url: feedUrl(baseUrl, token) };
}

export function feedUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/api/calendar/feed/${token}.ics`;
}

export function listOwnCalendarFeeds(deps: UseCaseDeps, user: User): Promise<CalendarFeedSummary[]> {
  return listCalendarFeeds(deps.db, user.id);
}

/** Revokes one of the user's feeds; another user's feed id answers 404, as an unknown one does. */
export async function revokeCalendarFeed(deps: UseCaseDeps, user: User, id: string): Promise<void> {
  if (!(await deleteCalendarFeed(deps.db, user.id, id))) throw new NotFoundError(`You have no calendar feed ${id}`);
}

/** The language a user reads: their own choice, else their party's. */
export async function readerLanguage(deps: UseCaseDeps, user: User): Promise<Lang> {
  return user.locale ?? (await findParty(deps.db, user.party))?.language ?? 'en';
}

/** The iCalendar of the user's party, in the user's language. */
export async function userCalendarDocument(deps: UseCaseDeps, user: User, baseUrl: string): Promise<string> {
  const lang = await readerLanguage(deps, user);
  const party = await findParty(deps.db, user.party);
  return calendarDocument(await partyCalendar(deps, user, lang), {
    lang,
    baseUrl,
    party: party?.names[lang].short ?? user.party,
    now: deps.now(),
  });
}

/** The iCalendar a feed token reads; 404 for a token that is unknown, revoked, or whose owner is gone. */
export async function feedCalendarDocument(deps: UseCaseDeps, token: string, baseUrl: string): Promise<string> {
  const userId = await findCalendarFeedUser(deps.db, hashToken(token));
  const user = userId === undefined ? undefined : await findUserById(deps.db, userId);
  if (!user) throw new NotFoundError('There is no such calendar feed, or it was revoked');
  return userCalendarDocument(deps, user, baseUrl);
}
