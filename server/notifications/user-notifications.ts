import {
  countUnreadNotifications,
  listNotificationsOfUser,
  markAllNotificationsRead,
  markNotificationRead,
  type Notification,
} from '../../db/repositories/notifications.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { NotFoundError } from '../errors.ts';

export interface NotificationView {
  readonly id: number;
  readonly agreementId: number | null;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  readonly createdAt: string;
  readonly readAt: string | null;
}

const toView = ({ id, agreementId, kind, payload, createdAt, readAt }: Notification): NotificationView => ({
  id,
  agreementId,
  kind,
  payload,
  createdAt,
  readAt,
});

/** The signed-in user's in-app notifications, newest first (at most `limit`), and how many are unread in all. */
export async function listMyNotifications(
  deps: UseCaseDeps,
  user: User,
  limit: number,
): Promise<{ unread: number; notifications: NotificationView[] }> {
  const [unread, notifications] = await Promise.all([
    countUnreadNotifications(deps.db, user.id),
    listNotificationsOfUser(deps.db, user.id, limit),
  ]);
  return { unread, notifications: notifications.map(toView) };
}

/** Marks one of the user's notifications read (again: no change); 404 when it is not theirs. */
export async function readNotification(deps: UseCaseDeps, user: User, id: number): Promise<NotificationView> {
  const notification = await markNotificationRead(deps.db, user.id, id, deps.now().toISOString());
  if (!notification) throw new NotFoundError(`You have no notification ${id}`);
  return toView(notification);
}

/** Marks all of the user's notifications read at once; how many were unread. */
export async function readAllNotifications(deps: UseCaseDeps, user: User): Promise<number> {
  return markAllNotificationsRead(deps.db, user.id, deps.now().toISOString());
}
