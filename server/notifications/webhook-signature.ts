import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { openPrivateKey, sealPrivateKey } from '../signing/key-vault.ts';

/**
 * How a receiver knows a webhook call is ours and fresh: `X-Bilateral-Signature: sha256=<hex>`, the
 * HMAC-SHA256 of `<X-Bilateral-Timestamp>.<raw body>` keyed with the webhook's secret (the secret
 * string exactly as shown at registration, as UTF-8). The timestamp is Unix seconds; a receiver
 * should refuse one too far from its own clock, and drop repeats of an X-Bilateral-Delivery it has seen.
 */
export const WEBHOOK_HEADERS = {
  event: 'X-Bilateral-Event',
  delivery: 'X-Bilateral-Delivery',
  timestamp: 'X-Bilateral-Timestamp',
  signature: 'X-Bilateral-Signature',
} as const;

const SECRET_PREFIX = 'whsec_';

/** A fresh webhook secret: 32 random bytes, base64url, with a prefix that makes it recognizable in a leak scan. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** The value of X-Bilateral-Signature for this timestamp and body. */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: true when the signature matches and the timestamp is within `toleranceSeconds` of `now`. */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string;
  body: string;
  signature: string;
  now: Date;
  toleranceSeconds?: number;
}): boolean {
  if (!/^[0-9]{1,12}$/.test(input.timestamp)) return false;
  if (Math.abs(input.now.getTime() / 1000 - Number(input.timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(input.secret, input.timestamp, input.body));
  const actual = Buffer.from(input.signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Webhook secrets rest sealed under the server's secret (AES-256-GCM), bound to their webhook's id. */
export function sealWebhookSecret(serverSecret: Buffer, webhookId: number, secret: string): string {
  return sealPrivateKey(serverSecret, `webhook:${webhookId}`, Buffer.from(secret, 'utf8'));
}

export function openWebhookSecret(serverSecret: Buffer, webhookId: number, sealed: string): string {
  return openPrivateKey(serverSecret, `webhook:${webhookId}`, sealed).toString('utf8');
}
