import { randomUUID } from 'node:crypto';
import { isPostgres, type Queryable } from '../connection.ts';

/**
 * The mail outbox: one row per recipient of a notification, written in the transaction of the change
 * it reports; the mail dispatcher claims due rows with a lease (like webhook deliveries) and sends
 * them. Times are ISO-8601 UTC strings.
 */

/** How a user wants notifications by e-mail: each at once, one digest a day, or at once but no reminders. */
export const MAIL_PREFERENCES = ['immediate', 'digest', 'no-reminders'] as const;
export type MailPreference = (typeof MAIL_PREFERENCES)[number];

/**
 * held: waiting for the user's digest; digested: folded into one (digest_id); pending: to send;
 * sent: the SMTP server took it; logged: written to the log (no SMTP server configured);
 * failed: refused for good (5xx, a bounce) or given up after the last attempt.
 */
export type MailStatus = 'held' | 'digested' | 'pending' | 'sent' | 'logged' | 'failed';

/** One outbox row; pure data. */
export interface OutboxMail {
  readonly id: number;
  readonly userId: number;
  readonly agreementId: number | null;
  readonly eventId: string;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  readonly status: MailStatus;
  readonly digestId: number | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly claimedBy: string | null;
  readonly claimedUntil: string | null;
  readonly recipient: string | null;
  readonly subject: string | null;
  readonly body: string | null;
  readonly lastResponseCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

interface MailRow {
  id: number;
  user_id: number;
  agreement_id: number | null;
  event_id: string;
  kind: string;
  payload: string;
  status: MailStatus;
  digest_id: number | null;
  attempts: number;
  next_attempt_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  recipient: string | null;
  subject: string | null;
  body: string | null;
  last_response_code: number | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

const toMail = (row: MailRow): OutboxMail => ({
  id: row.id,
  userId: row.user_id,
  agreementId: row.agreement_id,
  eventId: row.event_id,
  kind: row.kind,
  payload: JSON.parse(row.payload),
  status: row.status,
  digestId: row.digest_id,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  claimedBy: row.claimed_by,
  claimedUntil: row.claimed_until,
  recipient: row.recipient,
  subject: row.subject,
  body: row.body,
  lastResponseCode: row.last_response_code,
  lastError: row.last_error,
  createdAt: row.created_at,
  sentAt: row.sent_at,
});

const idOf = (row: number | { id: number }): number => (typeof row === 'object' ? row.id : row);

/** The mail preference of each of the users, by id (users that do not exist are absent). */
export async function findMailPreferences(db: Queryable, userIds: readonly number[]): Promise<Map<number, MailPreference>> {
  if (userIds.length === 0) return new Map();
  const rows: { id: number; mail_preference: MailPreference }[] = await db('users')
    .whereIn('id', [...new Set(userIds)])
    .select('id', 'mail_preference');
  return new Map(rows.map((row) => [Number(row.id), row.mail_preference]));
}

/** Sets the user's mail preference; false when there is no such user. */
export async function updateMailPreference(db: Queryable, userId: number, preference: MailPreference): Promise<boolean> {
  return (await db('users').where({ id: userId }).update({ mail_preference: preference })) === 1;
}

/** Queues mails (the outbox); call it in the transaction of the change they report. */
export async function insertMails(
  db: Queryable,
  mails: readonly {
    userId: number;
    agreementId: number | null;
    eventId: string;
    kind: string;
    payload: Record<string, unknown>;
    status: 'pending' | 'held';
    nextAttemptAt: string;
    at: string;
  }[],
): Promise<number[]> {
  if (mails.length === 0) return [];
  const rows = await db('mail_outbox')
    .insert(
      mails.map((mail) => ({
        user_id: mail.userId,
        agreement_id: mail.agreementId,
        event_id: mail.eventId,
        kind: mail.kind,
        payload: JSON.stringify(mail.payload),
        status: mail.status,
        digest_id: null,
        attempts: 0,
        next_attempt_at: mail.nextAttemptAt,
        created_at: mail.at,
      })),
    )
    .returning('id');
  return rows.map(idOf);
}

/**
 * Folds held mails whose digest is due into one pending digest mail per user, atomically: call it
 * in a transaction. On PostgreSQL the held rows are locked with SKIP LOCKED, so two processes fold
 * disjoint sets and no item lands in two digests. Resolves with the number of digests made.
 */
export async function foldDueDigests(db: Queryable, now: Date, limit = 1000): Promise<number> {
  const at = now.toISOString();
  const query = db<MailRow>('mail_outbox')
    .where('status', 'held')
    .where('next_attempt_at', '<=', at)
    .orderBy('id')
    .limit(limit)
    .select('id', 'user_id');
  if (isPostgres(db)) query.forUpdate().skipLocked();
  const held = await query;
  const byUser = new Map<number, number[]>();
  for (const row of held) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.id]);
  for (const [userId, ids] of byUser) {
    const [digestId] = await insertMails(db, [
      {
        userId,
        agreementId: null,
        eventId: randomUUID(),
        kind: 'digest',
        payload: { items: ids.length },
        status: 'pending',
        nextAttemptAt: at,
        at,
      },
    ]);
    await db('mail_outbox')
      .whereIn('id', ids)
      .where('status', 'held')
      .update({ status: 'digested', digest_id: digestId, next_attempt_at: null });
  }
  return byUser.size;
}

/** The mails a digest carries, oldest first. */
export async function findMailsOfDigest(db: Queryable, digestId: number): Promise<OutboxMail[]> {
  return (await db<MailRow>('mail_outbox').where({ digest_id: digestId }).orderBy('id')).map(toMail);
}

/**
 * Claims up to `limit` pending mails whose next attempt is due, for `leaseMs`, in one statement
 * (FOR UPDATE SKIP LOCKED on PostgreSQL; the single writer on SQLite): concurrent dispatchers claim
 * disjoint sets, and a dead one's claims run out.
 */
export async function claimDueMails(
  db: Queryable,
  options: { processId: string; now: Date; leaseMs: number; limit: number },
): Promise<OutboxMail[]> {
  if (options.limit <= 0) return [];
  const now = options.now.toISOString();
  const candidates = db('mail_outbox')
    .select('id')
    .where('status', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((query) => query.whereNull('claimed_until').orWhere('claimed_until', '<', now))
    .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
    .limit(options.limit);
  if (isPostgres(db)) candidates.forUpdate().skipLocked();
  const rows: MailRow[] = await db('mail_outbox')
    .whereIn('id', candidates)
    .update({ claimed_by: options.processId, claimed_until: new Date(options.now.getTime() + options.leaseMs).toISOString() })
    .returning('*');
  return rows.map(toMail).sort((a, b) => a.id - b.id);
}

/** What one attempt came to; `message` is what was (or would have been) sent. */
export type MailOutcome =
  | { readonly status: 'sent' | 'logged'; readonly at: string; readonly responseCode: number | null }
  | { readonly status: 'pending'; readonly nextAttemptAt: string; readonly responseCode: number | null; readonly error: string }
  | { readonly status: 'failed'; readonly responseCode: number | null; readonly error: string };

/**
 * Records the outcome of a claimed mail and releases the claim, only while the claim still holds
 * (same process, lease and attempt count); false otherwise, and nothing is written.
 */
export async function recordMailAttempt(
  db: Queryable,
  claimed: OutboxMail,
  outcome: MailOutcome,
  message: { recipient: string; subject: string; body: string } | null,
): Promise<boolean> {
  const updated = await db('mail_outbox')
    .where({
      id: claimed.id,
      status: 'pending',
      attempts: claimed.attempts,
      claimed_by: claimed.claimedBy,
      claimed_until: claimed.claimedUntil,
    })
    .update({
      status: outcome.status,
      attempts: claimed.attempts + 1,
      claimed_by: null,
      claimed_until: null,
      ...(message && { recipient: message.recipient, subject: message.subject, body: message.body }),
      last_response_code: outcome.responseCode,
      last_error: outcome.status === 'pending' || outcome.status === 'failed' ? outcome.error.slice(0, 2000) : null,
      next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
      sent_at: outcome.status === 'sent' || outcome.status === 'logged' ? outcome.at : null,
    });
  return updated === 1;
}

/** A mail with its addressee, for the logs people read. */
export interface MailLogEntry extends OutboxMail {
  readonly userEmail: string;
}

/** The mails to the party's users, newest first; `failedOnly` for the administrator's list of problems. */
export async function listMailsOfParty(
  db: Queryable,
  party: string,
  options: { limit: number; failedOnly?: boolean },
): Promise<MailLogEntry[]> {
  const query = db('mail_outbox')
    .join('users', 'users.id', 'mail_outbox.user_id')
    .where('users.party_key', party)
    .orderBy('mail_outbox.id', 'desc')
    .limit(options.limit)
    .select('mail_outbox.*', 'users.email as user_email');
  if (options.failedOnly) query.where('mail_outbox.status', 'failed');
  return (await query).map((row: MailRow & { user_email: string }) => ({ ...toMail(row), userEmail: row.user_email }));
}

/** The user's own mails, newest first. */
export async function listMailsOfUser(db: Queryable, userId: number, limit: number): Promise<OutboxMail[]> {
  return (await db<MailRow>('mail_outbox').where({ user_id: userId }).orderBy('id', 'desc').limit(limit)).map(toMail);
}

/** Drops every mail not yet sent (the demo's replayed history is no news to mail about). */
export async function discardUnsentMails(db: Queryable): Promise<number> {
  return db('mail_outbox').whereIn('status', ['pending', 'held']).del();
}
