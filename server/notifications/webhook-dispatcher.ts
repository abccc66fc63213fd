import type { lookup as systemLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  claimDueDeliveries,
  findWebhook,
  recordDeliveryAttempt,
  type DeliveryOutcome,
  type WebhookDelivery,
  type WebhookWithSecret,
} from '../../db/repositories/webhooks.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { createPollingLoop, type Log, type PollingLoop } from '../scheduler/polling-loop.ts';
import { openWebhookSecret, signWebhookBody, WEBHOOK_HEADERS } from './webhook-signature.ts';
import { AddressPolicyRefusal, pinnedLookup, REFUSED_BY_POLICY, webhookUrlProblem } from './webhook-url.ts';

export interface WebhookDispatcherOptions {
  /** Unique per running process; it names the holder of a claim. */
  readonly processId: string;
  /** How host names are resolved; the system's resolver (dns.lookup) by default. */
  readonly resolve?: typeof systemLookup;
  /** Attempts before a delivery is `failed`; default 8. */
  readonly maxAttempts?: number;
  /** The wait after the n-th failed attempt (n from 1); default 10 s doubling per attempt, at most 1 h. */
  readonly backoff?: (attempt: number) => number;
  /** How long a receiver may take to answer; default 5 s. */
  readonly timeoutMs?: number;
  /** Deliveries claimed (and sent concurrently) per round; default 10. */
  readonly batchSize?: number;
  /** The claim's lease; must exceed `timeoutMs`; default 60 s. */
  readonly leaseMs?: number;
  readonly log?: Log;
}

/** Its runOnce() sends every delivery due now and resolves with the number of attempts made. */
export type WebhookDispatcher = PollingLoop;

const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_BATCH_SIZE = 10;
const DEFAULT_LEASE_MS = 60_000;

/** 10 s, 20 s, 40 s, ... up to an hour. */
export const exponentialBackoff = (attempt: number): number => Math.min(10_000 * 2 ** Math.min(attempt - 1, 20), 60 * 60_000);

/**
 * Sends queued webhook deliveries. Claims due deliveries with a lease (like the scheduler), then for
 * each POSTs the stored body, signed, outside any transaction, and records the outcome guarded by
 * the claim: 2xx is delivered; anything else (another status, a redirect, which is never followed,
 * a network error, no answer within `timeoutMs`) counts an attempt and schedules the next after
 * `backoff`, until `maxAttempts`, when the delivery is failed. A host that is or resolves to a
 * non-public address not on the allow-list is refused by policy, for good, without a request.
 * The delivery log says only "failed" and the HTTP status, never the network error: that a port
 * refuses at once or never answers would tell a party's administrator what listens inside our
 * network. The operator's log gets the error. Delivery is at least once: a process
 * that dies between the request and the record leaves the claim to run out and the delivery is sent
 * again with the same X-Bilateral-Delivery id, which receivers use to drop duplicates.
 */
export function createWebhookDispatcher(deps: UseCaseDeps, options: WebhookDispatcherOptions): WebhookDispatcher {
  const lookup = pinnedLookup(deps.config.webhookAllowList, options.resolve);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = options.backoff ?? exponentialBackoff;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  const name = `webhook dispatcher ${options.processId}`;
  if (options.processId.length === 0 || options.processId.length > 64) throw new Error('processId must be 1..64 characters');
  if (maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  if (leaseMs <= timeoutMs) throw new Error('leaseMs must exceed timeoutMs, or a slow receiver outlives the claim');

  async function post(webhook: WebhookWithSecret, delivery: WebhookDelivery): Promise<AttemptResult> {
    let secret: string;
    try {
      secret = openWebhookSecret(deps.config.secret, webhook.id, webhook.sealedSecret);
    } catch {
      return {
        kind: 'failed',
        statusCode: null,
        error: 'failed: the webhook secret does not open here (is BILATERAL_SECRET the same on every process?)',
      };
    }
    const timestamp = String(Math.floor(deps.now().getTime() / 1000));
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(delivery.body)),
      'User-Agent': 'Bilateral-Webhooks/1',
      [WEBHOOK_HEADERS.event]: delivery.kind,
      [WEBHOOK_HEADERS.delivery]: delivery.eventId,
      [WEBHOOK_HEADERS.timestamp]: timestamp,
      [WEBHOOK_HEADERS.signature]: signWebhookBody(secret, timestamp, delivery.body),
    };
    let status: number;
    try {
      status = await postOnce(new URL(webhook.url), headers, delivery.body, { lookup, timeoutMs });
    } catch (error) {
      if (error instanceof AddressPolicyRefusal) return { kind: 'refused', error: error.message };
      log(`${name}: delivery ${delivery.id} to webhook ${webhook.id} failed: ${describeNetworkError(error, timeoutMs)}`);
      return { kind: 'failed', statusCode: null, error: 'failed' };
    }
    if (status >= 200 && status < 300) return { kind: 'delivered', statusCode: status };
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    return { kind: 'failed', statusCode: status, error: `failed: HTTP ${status}${redirect}` };
  }

  /** What one claimed delivery comes to, and whether a request was sent for it. */
  async function settle(
    delivery: WebhookDelivery,
    webhook: WebhookWithSecret | undefined,
  ): Promise<{ outcome: DeliveryOutcome; attempted: boolean }> {
    if (!webhook?.active)
      return { attempted: false, outcome: { status: 'failed', statusCode: null, error: 'the webhook was deactivated' } };
    // Checked again at every delivery: the allow-list may have changed since the webhook was registered.
    const urlProblem = webhookUrlProblem(webhook.url, deps.config.webhookAllowList);
    const result: AttemptResult = urlProblem ? { kind: 'refused', error: urlProblem } : await post(webhook, delivery);
    if (result.kind === 'refused') {
      const error = result.error.startsWith(REFUSED_BY_POLICY) ? result.error : `${REFUSED_BY_POLICY}: ${result.error}`;
      return { attempted: false, outcome: { status: 'failed', statusCode: null, error } };
    }
    const now = deps.now();
    if (result.kind === 'delivered')
      return { attempted: true, outcome: { status: 'delivered', statusCode: result.statusCode, at: now.toISOString() } };
    const attempts = delivery.attempts + 1;
    if (attempts >= maxAttempts)
      return { attempted: true, outcome: { status: 'failed', statusCode: result.statusCode, error: result.error } };
    const nextAttemptAt = new Date(now.getTime() + backoff(attempts)).toISOString();
    return { attempted: true, outcome: { status: 'pending', statusCode: result.statusCode, error: result.error, nextAttemptAt } };
  }

  async function attempt(delivery: WebhookDelivery, webhooks: Map<number, Promise<WebhookWithSecret | undefined>>): Promise<boolean> {
    if (!webhooks.has(delivery.webhookId)) webhooks.set(delivery.webhookId, findWebhook(deps.db, delivery.webhookId));
    const { outcome, attempted } = await settle(delivery, await webhooks.get(delivery.webhookId)!);
    if (!(await recordDeliveryAttempt(deps.db, delivery, outcome, attempted))) {
      log(
        `${name}: the claim on delivery ${delivery.id} ran out before its outcome (${outcome.status}) was recorded; another process will send it again`,
      );
    } else if (outcome.status === 'failed') {
      log(
        `${name}: gave up delivery ${delivery.id} (${delivery.kind}, event ${delivery.eventId}) to webhook ${delivery.webhookId}: ${outcome.error}`,
      );
    }
    return attempted;
  }

  async function runBatch(limit: number) {
    const deliveries = await claimDueDeliveries(deps.db, { processId: options.processId, now: deps.now(), leaseMs, limit });
    const webhooks = new Map<number, Promise<WebhookWithSecret | undefined>>();
    const results = await Promise.allSettled(deliveries.map((delivery) => attempt(delivery, webhooks)));
    let attempts = 0;
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') attempts += result.value ? 1 : 0;
      // Unrecorded (e.g. the database went away): the claim runs out and the delivery is retried.
      else log(`${name}: delivery ${deliveries[index]!.id} could not be processed`, result.reason);
    }
    return { claimed: deliveries.length, counted: attempts };
  }

  return createPollingLoop(name, { batchSize, runBatch, log });
}

/** One attempt: delivered (2xx), failed (another status or a network error), or refused by the address policy. */
type AttemptResult =
  | { readonly kind: 'delivered'; readonly statusCode: number }
  | { readonly kind: 'failed'; readonly statusCode: number | null; readonly error: string }
  | { readonly kind: 'refused'; readonly error: string };

/**
 * POSTs `body` once and resolves with the status. The connection goes only where `lookup` permits
 * (a literal address is not looked up: webhookUrlProblem has judged it); `agent: false`, so no socket
 * opened for an earlier check is reused; the time budget covers resolving, connecting and the answer's head.
 */
function postOnce(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { lookup: LookupFunction; timeoutMs: number },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: 'POST', headers, lookup: options.lookup, agent: false, signal: AbortSignal.timeout(options.timeoutMs) },
      (response) => {
        // The answer's body is not needed; let the connection go.
        response.destroy();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** For the operator's log only. */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${error.message}: ${cause.code}` : cause?.message ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
