import type { Queryable } from '../../db/connection.ts';
import { findMailPreferences, insertMails } from '../../db/repositories/mail-outbox.repository.ts';

/** Kinds that are reminders, which a user may choose not to receive by mail (`no-reminders`). */
export const REMINDER_KINDS: ReadonlySet<string> = new Set(['reminder', 'overdue', 'obligation-due']);

/** When the daily digest is sent: the UTC hour, the first dispatcher round after it. */
export const DIGEST_HOUR_UTC = 6;

/** The first digest time after `at`: today's when it is still to come, else tomorrow's. */
export function nextDigestAt(at: Date): Date {
  const digest = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), DIGEST_HOUR_UTC));
  if (digest.getTime() <= at.getTime()) digest.setUTCDate(digest.getUTCDate() + 1);
  return digest;
}

/**
 * Puts one mail per recipient into the outbox, as each recipient chose: pending now, held for the
 * daily digest, or (reminders, for a user who wants none by mail) not at all. Runs in the
 * transaction of the change; the message is composed when it is sent, in the recipient's language.
 */
export async function queueMails(
  trx: Queryable,
  input: {
    eventId: string;
    agreementId: number | null;
    kind: string;
    payload: Record<string, unknown>;
    userIds: readonly number[];
    occurredAt: Date;
  },
): Promise<number[]> {
  const preferences = await findMailPreferences(trx, input.userIds);
  const at = input.occurredAt.toISOString();
  const digestAt = nextDigestAt(input.occurredAt).toISOString();
  const mails = [...preferences]
    .filter(([, preference]) => !(preference === 'no-reminders' && REMINDER_KINDS.has(input.kind)))
    .map(([userId, preference]) => ({
      userId,
      agreementId: input.agreementId,
      eventId: input.eventId,
      kind: input.kind,
      payload: input.payload,
      status: preference === 'digest' ? ('held' as const) : ('pending' as const),
      nextAttemptAt: preference === 'digest' ? digestAt : at,
      at,
    }));
  return insertMails(trx, mails);
}
