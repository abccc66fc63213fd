import type { AgreementState } from '../../workflows/agreement/agreement.events.ts';
import type { Queryable } from '../connection.ts';
import type { AgreementDates } from './agreements.repository.ts';

/** An agreement of the party with a date set, as the calendar lists it. */
export interface DatedAgreement {
  readonly id: number;
  readonly kind: string;
  readonly state: AgreementState;
  /** In the reader's language when the agreement has it, else its own name. */
  readonly title: string;
  readonly dates: AgreementDates;
}

const DATE_COLUMNS = [
  ['reviewDueOn', 'review_due_on'],
  ['approvalDueOn', 'approval_due_on'],
  ['signingDueOn', 'signing_due_on'],
  ['inForceOn', 'in_force_on'],
  ['expiresOn', 'expires_on'],
  ['noticeDeadlineOn', 'notice_deadline_on'],
  ['terminatesOn', 'terminates_on'],
] as const satisfies readonly (readonly [keyof AgreementDates, string])[];

/** The party's agreements that have a date set, oldest first. Reads only. */
export async function listDatedAgreements(db: Queryable, party: string, lang: string): Promise<DatedAgreement[]> {
  const rows: Record<string, unknown>[] = await db('agreements')
    .join('agreement_parties as mine', function () {
      this.on('mine.agreement_id', '=', 'agreements.id').andOn('mine.party_key', '=', db.raw('?', [party]));
    })
    .leftJoin('agreement_titles', function () {
      this.on('agreement_titles.agreement_id', '=', 'agreements.id').andOn('agreement_titles.lang', '=', db.raw('?', [lang]));
    })
    .where((dated) => {
      for (const [, column] of DATE_COLUMNS) dated.orWhereNotNull(`agreements.${column}`);
    })
    .orderBy('agreements.id')
    .select(
      'agreements.id',
      'agreements.kind',
      'agreements.state',
      db.raw('COALESCE(agreement_titles.title, agreements.title) AS title'),
      ...DATE_COLUMNS.map(([, column]) => `agreements.${column}`),
    );
  return rows.map((row) => ({
    id: row.id as number,
    kind: row.kind as string,
    state: row.state as AgreementState,
    title: row.title as string,
    dates: Object.fromEntries(
      DATE_COLUMNS.map(([name, column]) => [name, (row[column] as string | null) ?? null]),
    ) as unknown as AgreementDates,
  }));
}

/** A user's secret calendar feed, as its owner sees it (never the token). */
export interface CalendarFeedSummary {
  readonly id: string;
  readonly createdAt: string;
}

export async function insertCalendarFeed(
  db: Queryable,
  feed: { readonly publicId: string; readonly userId: number; readonly tokenHash: string; readonly createdAt: string },
): Promise<void> {
  await db('calendar_feeds').insert({
    public_id: feed.publicId,
    user_id: feed.userId,
    token_hash: feed.tokenHash,
    created_at: feed.createdAt,
  });
}

export async function listCalendarFeeds(db: Queryable, userId: number): Promise<CalendarFeedSummary[]> {
  const rows = await db('calendar_feeds').where({ user_id: userId }).orderBy('id').select('public_id', 'created_at');
  return rows.map((row) => ({ id: row.public_id, createdAt: row.created_at }));
}

/** The user a feed token belongs to; undefined for an unknown or revoked one. */
export async function findCalendarFeedUser(db: Queryable, tokenHash: string): Promise<number | undefined> {
  const row = await db('calendar_feeds').where({ token_hash: tokenHash }).first('user_id');
  return row?.user_id;
}

/** Revokes one of the user's feeds; false when the user has no such feed. */
export async function deleteCalendarFeed(db: Queryable, userId: number, publicId: string): Promise<boolean> {
  return (await db('calendar_feeds').where({ user_id: userId, public_id: publicId }).delete()) === 1;
}
