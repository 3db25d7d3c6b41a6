import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'svix';
import { ConfigurationError } from '../../shared/errors';

export type { StraddleEventParseResult, StraddleProfileEvent, StraddleWebhookEvent } from './events';
export { isNewer, parseStraddleEvent, STRADDLE_CUSTOMER_EVENTS } from './events';

/**
 * Straddle delivers webhooks through Svix (Standard Webhooks): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` (`v1,<base64>` entries, space-separated) over HMAC-SHA256 of
 * "{id}.{timestamp}.{raw body}", keyed by the base64 secret after `whsec_`. FIFO endpoints send the
 * same under `svix-*` names; both are accepted.
 *
 * The signature is computed by svix's own `Webhook#sign` (key decoding and message format are svix's).
 * The timestamp window is checked here, against `now`, with svix's default tolerance of 5 minutes:
 * svix's `verify` reads the wall clock and takes no clock, and the receiver needs one it can set.
 */

/** svix's default tolerance: a delivery more than 5 minutes off our clock is refused. */
export const STRADDLE_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export type StraddleWebhookVerification =
  | { valid: true; webhookId: string; timestamp: number }
  | { valid: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature' };

type HeaderBag = Record<string, string | string[] | undefined>;

function lowerCased(headers: HeaderBag): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[name.toLowerCase()] = first;
  }
  return out;
}

/**
 * Verifies a Straddle webhook on its raw body: the headers are present, the timestamp is within 5 minutes
 * of `now`, and one `v1` signature matches (constant-time). Never throws for a bad delivery.
 */
export function verifyStraddleWebhook(
  rawBody: string | Buffer,
  headers: HeaderBag,
  secret: string,
  now: Date = new Date(),
): StraddleWebhookVerification {
  // An empty or malformed secret is a deployment fault, not a bad delivery.
  if (!/^whsec_[A-Za-z0-9+/=]+$/.test(secret))
    throw new ConfigurationError('Straddle webhook secret must be whsec_ followed by base64');
  const h = lowerCased(headers);
  const svixNamed = h['svix-id'] && h['svix-timestamp'] && h['svix-signature'];
  const id = svixNamed ? h['svix-id'] : h['webhook-id'];
  const stamp = svixNamed ? h['svix-timestamp'] : h['webhook-timestamp'];
  const signatures = svixNamed ? h['svix-signature'] : h['webhook-signature'];
  if (!id || !stamp || !signatures) return { valid: false, reason: 'missing_headers' };

  if (!/^\d{1,12}$/.test(stamp)) return { valid: false, reason: 'bad_timestamp' };
  const timestamp = Number(stamp);
  if (Math.abs(Math.floor(now.getTime() / 1000) - timestamp) > STRADDLE_WEBHOOK_TOLERANCE_SECONDS) {
    return { valid: false, reason: 'stale' };
  }

  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const expected = Buffer.from(new Webhook(secret).sign(id, new Date(timestamp * 1000), body).split(',')[1] ?? '', 'utf8');
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) continue;
    const given = Buffer.from(signature, 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { valid: true, webhookId: id, timestamp };
  }
  return { valid: false, reason: 'bad_signature' };
}
