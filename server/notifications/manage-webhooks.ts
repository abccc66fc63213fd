import { z } from 'zod';
import type { User } from '../../db/repositories/users.repository.ts';
import {
  countActiveWebhooksOfParty,
  deactivateWebhook,
  findWebhook,
  insertWebhook,
  listDeliveries,
  listWebhooksOfParty,
  type Webhook,
  type WebhookDelivery,
} from '../../db/repositories/webhooks.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorize } from '../auth/policy.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { generateWebhookSecret, sealWebhookSecret } from './webhook-signature.ts';
import { MAX_WEBHOOK_URL_LENGTH, webhookUrlProblem } from './webhook-url.ts';

/** A party's administrator registers, lists and deactivates the party's webhooks and reads their delivery log. */
export const registerWebhookInput = z.object({ url: z.string().trim().min(1).max(MAX_WEBHOOK_URL_LENGTH) }).strict();
export type RegisterWebhookInput = z.infer<typeof registerWebhookInput>;

/** Enough for every system a government runs; a bound so one party cannot fan one event out without limit. */
export const MAX_ACTIVE_WEBHOOKS_PER_PARTY = 10;

export interface WebhookView {
  readonly id: number;
  readonly party: string;
  readonly url: string;
  readonly active: boolean;
  readonly createdAt: string;
}

export interface DeliveryView {
  readonly id: number;
  readonly eventId: string;
  readonly kind: string;
  readonly status: WebhookDelivery['status'];
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
  readonly body: unknown;
}

const toView = ({ id, party, url, active, createdAt }: Webhook): WebhookView => ({ id, party, url, active, createdAt });

/** Registers a webhook for the admin's party; the answer carries the secret, which is never shown again. */
export async function registerWebhook(
  deps: UseCaseDeps,
  user: User,
  input: RegisterWebhookInput,
): Promise<WebhookView & { secret: string }> {
  authorize(user, null, 'webhooks.manage');
  // Literal addresses and private names are refused now; where a name resolves is judged at every delivery.
  const problem = webhookUrlProblem(input.url, deps.config.webhookAllowList);
  if (problem) throw new RuleViolationError(`The webhook URL is refused: ${problem}`, { field: 'url' });
  const secret = generateWebhookSecret();
  const webhook = await deps.db.transaction(async (trx) => {
    if ((await countActiveWebhooksOfParty(trx, user.party)) >= MAX_ACTIVE_WEBHOOKS_PER_PARTY) {
      throw new RuleViolationError(`A party has at most ${MAX_ACTIVE_WEBHOOKS_PER_PARTY} active webhooks; deactivate one first`);
    }
    return insertWebhook(trx, { party: user.party, url: input.url, createdAt: deps.now().toISOString() }, (id) =>
      sealWebhookSecret(deps.config.secret, id, secret),
    );
  });
  return { ...toView(webhook), secret };
}

export async function listWebhooks(deps: UseCaseDeps, user: User): Promise<WebhookView[]> {
  authorize(user, null, 'webhooks.manage');
  return (await listWebhooksOfParty(deps.db, user.party)).map(toView);
}

/** Deactivates one of the party's webhooks and drops its queued deliveries; 404 for another party's or an inactive one. */
export async function deactivatePartyWebhook(deps: UseCaseDeps, user: User, id: number): Promise<WebhookView> {
  authorize(user, null, 'webhooks.manage');
  const webhook = await deps.db.transaction(async (trx) => {
    if (!(await deactivateWebhook(trx, user.party, id, deps.now().toISOString())))
      throw new NotFoundError(`Your party has no active webhook ${id}`);
    return (await findWebhook(trx, id))!;
  });
  return toView(webhook);
}

/** The delivery log of one of the party's webhooks, newest first. */
export async function listWebhookDeliveries(deps: UseCaseDeps, user: User, id: number, limit: number): Promise<DeliveryView[]> {
  authorize(user, null, 'webhooks.manage');
  const webhook = await findWebhook(deps.db, id);
  if (!webhook || webhook.party !== user.party) throw new NotFoundError(`Your party has no webhook ${id}`);
  return (await listDeliveries(deps.db, id, limit)).map((delivery) => ({
    id: delivery.id,
    eventId: delivery.eventId,
    kind: delivery.kind,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt,
    deliveredAt: delivery.deliveredAt,
    body: JSON.parse(delivery.body),
  }));
}
