import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/connection.ts';
import { insertNotifications } from '../../db/repositories/notifications.repository.ts';
import { findActiveWebhooksOfAgreement, insertDeliveries } from '../../db/repositories/webhooks.repository.ts';
import { queueMails } from './queue-mail.ts';

export interface NotifyInput {
  /** The agreement the event is about; null for a notification about no agreement (then no webhooks). */
  readonly agreementId: number | null;
  /** e.g. reminder, overdue, renewal, expiry; at most 32 characters. */
  readonly kind: string;
  /** JSON data: the notification's payload and the webhook body's `data`. */
  readonly payload: Record<string, unknown>;
  /** Who gets an in-app notification (repeats count once); may be empty. */
  readonly userIds: readonly number[];
  /** When it happened, from the caller's clock (`deps.now()` or the scheduler's `now`). */
  readonly occurredAt: Date;
  /** Whose webhooks hear of it: by default every party's of the agreement; a party's own matter (its obligations) only its own. */
  readonly parties?: readonly string[];
}

export interface NotifyResult {
  /** The event's id: the webhook body's `id` and X-Bilateral-Delivery. */
  readonly eventId: string;
  readonly notificationIds: readonly number[];
  /** The webhooks a delivery was queued for. */
  readonly webhookIds: readonly number[];
  /** The mails queued (one per recipient who takes this kind by mail). */
  readonly mailIds: readonly number[];
}

/** The JSON body every webhook of the event receives, byte for byte the same at every attempt. */
export interface WebhookBody {
  readonly id: string;
  readonly kind: string;
  readonly agreementId: number | null;
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

/**
 * Tells people and systems that something happened: one in-app notification per user, and one
 * queued delivery per active webhook of the agreement's parties and one mail per user as they chose
 * (the outboxes). Call it with the
 * transaction of the change that caused it, so the notice exists exactly when the change does; the
 * dispatchers send the deliveries and mails after commit. Nothing here touches the network.
 */
export async function notify(trx: Queryable, input: NotifyInput): Promise<NotifyResult> {
  if (input.kind.length === 0 || input.kind.length > 32) throw new Error(`a notification kind is 1..32 characters: "${input.kind}"`);
  const at = input.occurredAt.toISOString();
  const eventId = randomUUID();
  const notificationIds = await insertNotifications(trx, {
    userIds: input.userIds,
    agreementId: input.agreementId,
    kind: input.kind,
    payload: input.payload,
    at,
  });
  const webhooks = (input.agreementId === null ? [] : await findActiveWebhooksOfAgreement(trx, input.agreementId)).filter(
    (webhook) => input.parties === undefined || input.parties.includes(webhook.party),
  );
  const body: WebhookBody = { id: eventId, kind: input.kind, agreementId: input.agreementId, occurredAt: at, data: input.payload };
  const webhookIds = webhooks.map((webhook) => webhook.id);
  await insertDeliveries(trx, { webhookIds, eventId, kind: input.kind, body: JSON.stringify(body), at });
  const { parties: _parties, ...mail } = input;
  const mailIds = await queueMails(trx, { eventId, ...mail });
  return { eventId, notificationIds, webhookIds, mailIds };
}
