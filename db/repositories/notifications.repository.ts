import type { Queryable } from '../connection.ts';
import type { Role } from '../../workflows/agreement/agreement.events.ts';

/** An in-app notification addressed to one user; `readAt` is null until the user reads it. */
export interface Notification {
  readonly id: number;
  readonly userId: number;
  readonly agreementId: number | null;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  readonly createdAt: string;
  readonly readAt: string | null;
}

interface NotificationRow {
  id: number;
  user_id: number;
  agreement_id: number | null;
  kind: string;
  payload: string;
  created_at: string;
  read_at: string | null;
}

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  userId: row.user_id,
  agreementId: row.agreement_id,
  kind: row.kind,
  payload: JSON.parse(row.payload),
  createdAt: row.created_at,
  readAt: row.read_at,
});

/** Inserts one unread notification per user (duplicates in `userIds` count once); returns their ids. */
export async function insertNotifications(
  db: Queryable,
  input: { userIds: readonly number[]; agreementId: number | null; kind: string; payload: Record<string, unknown>; at: string },
): Promise<number[]> {
  const userIds = [...new Set(input.userIds)];
  if (userIds.length === 0) return [];
  const rows = await db('notifications')
    .insert(
      userIds.map((userId) => ({
        user_id: userId,
        agreement_id: input.agreementId,
        kind: input.kind,
        payload: JSON.stringify(input.payload),
        created_at: input.at,
        read_at: null,
      })),
    )
    .returning('id');
  return rows.map((row: number | { id: number }) => (typeof row === 'object' ? row.id : row));
}

/** The user's notifications, newest first. */
export async function listNotificationsOfUser(db: Queryable, userId: number, limit: number): Promise<Notification[]> {
  const rows = await db<NotificationRow>('notifications')
    .where({ user_id: userId })
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit);
  return rows.map(toNotification);
}

/** How many of the user's notifications are unread. */
export async function countUnreadNotifications(db: Queryable, userId: number): Promise<number> {
  const [row] = await db('notifications')
    .where({ user_id: userId })
    .whereNull('read_at')
    .count<{ count: number | string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

/**
 * Marks the user's notification read; reading it again keeps the first time. Undefined when the
 * notification does not exist or is someone else's.
 */
export async function markNotificationRead(db: Queryable, userId: number, id: number, at: string): Promise<Notification | undefined> {
  await db('notifications').where({ id, user_id: userId }).whereNull('read_at').update({ read_at: at });
  const row = await db<NotificationRow>('notifications').where({ id, user_id: userId }).first();
  return row && toNotification(row);
}

/** Marks every unread notification of the user read at `at`; how many were unread. */
export async function markAllNotificationsRead(db: Queryable, userId: number, at: string): Promise<number> {
  return db('notifications').where({ user_id: userId }).whereNull('read_at').update({ read_at: at });
}

/** The ids of the users of the agreement's parties, optionally only those in the given roles. */
export async function findAgreementUserIds(db: Queryable, agreementId: number, roles?: readonly Role[]): Promise<number[]> {
  const query = db('users')
    .join('agreement_parties', 'agreement_parties.party_key', 'users.party_key')
    .where('agreement_parties.agreement_id', agreementId)
    .orderBy('users.id');
  if (roles) query.whereIn('users.role', [...roles]);
  return (await query.pluck('users.id')).map(Number);
}
