import { isPostgres, type Queryable } from '../connection.ts';

/**
 * Webhooks per party and their delivery log, which is also the outbox: a delivery row is written in
 * the transaction of the change it reports, and a dispatcher process claims and sends it later (a
 * lease, like scheduled events). Times are ISO-8601 UTC strings (`Date#toISOString()`).
 */
export interface Webhook {
  readonly id: number;
  readonly party: string;
  readonly url: string;
  readonly active: boolean;
  readonly createdAt: string;
}

/** A webhook with its HMAC key still sealed; only the dispatcher opens it. */
export interface WebhookWithSecret extends Webhook {
  readonly sealedSecret: string;
}

/** pending -> delivered | failed (given up after the last attempt, the webhook was deactivated, or its host refused by policy). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One entry of the delivery log / outbox; pure data. */
export interface WebhookDelivery {
  readonly id: number;
  readonly webhookId: number;
  /** Stable per event and sent as X-Bilateral-Delivery, so a receiver can drop a retried duplicate. */
  readonly eventId: string;
  readonly kind: string;
  /** The exact JSON text that is sent and signed, the same bytes at every attempt. */
  readonly body: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly claimedBy: string | null;
  readonly claimedUntil: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

interface WebhookRow {
  id: number;
  party_key: string;
  url: string;
  sealed_secret: string;
  active: boolean | number;
  created_at: string;
}

interface DeliveryRow {
  id: number;
  webhook_id: number;
  event_id: string;
  kind: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  party: row.party_key,
  url: row.url,
  active: Boolean(row.active),
  createdAt: row.created_at,
});

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  webhookId: row.webhook_id,
  eventId: row.event_id,
  kind: row.kind,
  body: row.payload,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  claimedBy: row.claimed_by,
  claimedUntil: row.claimed_until,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
});

/**
 * Inserts an active webhook whose secret is sealed by `seal(id)` (the id is bound into the sealed
 * text, so a secret copied to another webhook does not open). Call it inside a transaction.
 */
export async function insertWebhook(
  db: Queryable,
  webhook: { party: string; url: string; createdAt: string },
  seal: (id: number) => string,
): Promise<Webhook> {
  const [inserted] = await db('webhooks')
    .insert({ party_key: webhook.party, url: webhook.url, sealed_secret: '', active: true, created_at: webhook.createdAt })
    .returning('id');
  const id: number = typeof inserted === 'object' ? inserted.id : inserted;
  await db('webhooks')
    .where({ id })
    .update({ sealed_secret: seal(id) });
  return { id, party: webhook.party, url: webhook.url, active: true, createdAt: webhook.createdAt };
}

/** The party's webhooks, active and deactivated, oldest first; no secrets. */
export async function listWebhooksOfParty(db: Queryable, party: string): Promise<Webhook[]> {
  return (await db<WebhookRow>('webhooks').where({ party_key: party }).orderBy('id')).map(toWebhook);
}

/** How many active webhooks the party has. */
export async function countActiveWebhooksOfParty(db: Queryable, party: string): Promise<number> {
  const [row] = await db('webhooks').where({ party_key: party, active: true }).count<{ count: number | string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

/** One webhook with its sealed secret; undefined when unknown. */
export async function findWebhook(db: Queryable, id: number): Promise<WebhookWithSecret | undefined> {
  const row = await db<WebhookRow>('webhooks').where({ id }).first();
  return row && { ...toWebhook(row), sealedSecret: row.sealed_secret };
}

/**
 * Deactivates the party's webhook and gives up its queued deliveries (those not being sent right
 * now; the dispatcher fails those when it next finds the webhook inactive). False when the party has
 * no such active webhook.
 */
export async function deactivateWebhook(db: Queryable, party: string, id: number, now: string): Promise<boolean> {
  const updated = await db('webhooks').where({ id, party_key: party, active: true }).update({ active: false });
  if (updated === 0) return false;
  await db('webhook_deliveries')
    .where({ webhook_id: id, status: 'pending' })
    .where((query) => query.whereNull('claimed_until').orWhere('claimed_until', '<', now))
    .update({ status: 'failed', next_attempt_at: null, claimed_by: null, claimed_until: null, last_error: 'the webhook was deactivated' });
  return true;
}

/** The active webhooks of the agreement's parties. */
export async function findActiveWebhooksOfAgreement(db: Queryable, agreementId: number): Promise<Webhook[]> {
  const rows = await db<WebhookRow>('webhooks')
    .join('agreement_parties', 'agreement_parties.party_key', 'webhooks.party_key')
    .where('agreement_parties.agreement_id', agreementId)
    .where('webhooks.active', true)
    .orderBy('webhooks.id')
    .select('webhooks.*');
  return rows.map(toWebhook);
}

/** Queues one delivery per webhook (the outbox); call it in the transaction of the change it reports. */
export async function insertDeliveries(
  db: Queryable,
  input: { webhookIds: readonly number[]; eventId: string; kind: string; body: string; at: string },
): Promise<void> {
  if (input.webhookIds.length === 0) return;
  await db('webhook_deliveries').insert(
    input.webhookIds.map((webhookId) => ({
      webhook_id: webhookId,
      event_id: input.eventId,
      kind: input.kind,
      payload: input.body,
      status: 'pending',
      attempts: 0,
      next_attempt_at: input.at,
      claimed_by: null,
      claimed_until: null,
      last_status_code: null,
      last_error: null,
      created_at: input.at,
      delivered_at: null,
    })),
  );
}

/** A webhook's delivery log, newest first. */
export async function listDeliveries(db: Queryable, webhookId: number, limit: number): Promise<WebhookDelivery[]> {
  const rows = await db<DeliveryRow>('webhook_deliveries').where({ webhook_id: webhookId }).orderBy('id', 'desc').limit(limit);
  return rows.map(toDelivery);
}

/** One delivery by id; undefined when unknown. */
export async function findDelivery(db: Queryable, id: number): Promise<WebhookDelivery | undefined> {
  const row = await db<DeliveryRow>('webhook_deliveries').where({ id }).first();
  return row && toDelivery(row);
}

/**
 * Claims up to `limit` pending deliveries whose next attempt is due, for `leaseMs`, in one atomic
 * statement (FOR UPDATE SKIP LOCKED on PostgreSQL; the single writer on SQLite), exactly like the
 * scheduler's events: concurrent dispatchers claim disjoint sets; a dead one's claims run out.
 */
export async function claimDueDeliveries(
  db: Queryable,
  options: { processId: string; now: Date; leaseMs: number; limit: number },
): Promise<WebhookDelivery[]> {
  if (options.limit <= 0) return [];
  const now = options.now.toISOString();
  const candidates = db('webhook_deliveries')
    .select('id')
    .where('status', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((query) => query.whereNull('claimed_until').orWhere('claimed_until', '<', now))
    .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
    .limit(options.limit);
  if (isPostgres(db)) candidates.forUpdate().skipLocked();
  const rows: DeliveryRow[] = await db('webhook_deliveries')
    .whereIn('id', candidates)
    .update({ claimed_by: options.processId, claimed_until: new Date(options.now.getTime() + options.leaseMs).toISOString() })
    .returning('*');
  return rows.map(toDelivery).sort((a, b) => a.id - b.id);
}

/** What one attempt came to: delivered, pending with the next attempt's time, or failed for good. */
export type DeliveryOutcome =
  | { readonly status: 'delivered'; readonly statusCode: number; readonly at: string }
  | { readonly status: 'pending'; readonly statusCode: number | null; readonly error: string; readonly nextAttemptAt: string }
  | { readonly status: 'failed'; readonly statusCode: number | null; readonly error: string };

/**
 * Records the outcome of a claimed delivery and releases the claim, only if the claim still holds
 * (same process, same lease, same attempt count); false otherwise, and nothing is written.
 * `attempted: false` records a give-up without a request (the webhook was deactivated meanwhile, or
 * the address policy refused its host).
 */
export async function recordDeliveryAttempt(
  db: Queryable,
  claimed: WebhookDelivery,
  outcome: DeliveryOutcome,
  attempted = true,
): Promise<boolean> {
  const updated = await db('webhook_deliveries')
    .where({
      id: claimed.id,
      status: 'pending',
      attempts: claimed.attempts,
      claimed_by: claimed.claimedBy,
      claimed_until: claimed.claimedUntil,
    })
    .update({
      status: outcome.status,
      attempts: claimed.attempts + (attempted ? 1 : 0),
      claimed_by: null,
      claimed_until: null,
      last_status_code: outcome.statusCode,
      last_error: outcome.status === 'delivered' ? null : outcome.error.slice(0, 2000),
      next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
      delivered_at: outcome.status === 'delivered' ? outcome.at : null,
    });
  return updated === 1;
}
