import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyStraddleWebhook } from '../../../functions/providers/straddle/webhook';
import { ConfigurationError } from '../../../functions/shared/errors';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const NOW = new Date('2025-06-01T12:00:00Z');
const STAMP = Math.floor(NOW.getTime() / 1000);
const body = '{"event_type":"customer.event.v1","event_id":"e1","data":{"id":"c1","status":"verified"}}';

/** Standard Webhooks signing, written out from the specification. */
const sign = (id: string, timestamp: number, payload: string, secret = SECRET) =>
  `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(`${id}.${timestamp}.${payload}`)
    .digest('base64')}`;

const headers = (overrides: Record<string, string | undefined> = {}) => ({
  'webhook-id': 'msg_1',
  'webhook-timestamp': String(STAMP),
  'webhook-signature': sign('msg_1', STAMP, body),
  ...overrides,
});

describe('verifyStraddleWebhook', () => {
  it('accepts a Standard Webhooks signature on the raw body, as a string or bytes', () => {
    expect(verifyStraddleWebhook(body, headers(), SECRET, NOW)).toEqual({ valid: true, webhookId: 'msg_1', timestamp: STAMP });
    expect(verifyStraddleWebhook(Buffer.from(body), headers(), SECRET, NOW)).toMatchObject({ valid: true });
  });

  it('accepts any v1 entry of a space-separated list (key rotation), and svix-* names', () => {
    const rotated = headers({ 'webhook-signature': `v1,${'A'.repeat(44)} v2,xyz ${sign('msg_1', STAMP, body)}` });
    expect(verifyStraddleWebhook(body, rotated, SECRET, NOW)).toMatchObject({ valid: true });
    const svix = { 'Svix-Id': 'msg_1', 'Svix-Timestamp': String(STAMP), 'Svix-Signature': sign('msg_1', STAMP, body) };
    expect(verifyStraddleWebhook(body, svix, SECRET, NOW)).toMatchObject({ valid: true });
  });

  it('refuses another secret, a changed body, another id and a re-signed timestamp', () => {
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    expect(verifyStraddleWebhook(body, headers(), other, NOW)).toEqual({ valid: false, reason: 'bad_signature' });
    expect(verifyStraddleWebhook(body.replace('verified', 'rejected'), headers(), SECRET, NOW)).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyStraddleWebhook(body, headers({ 'webhook-id': 'msg_2' }), SECRET, NOW)).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyStraddleWebhook(body, headers({ 'webhook-timestamp': String(STAMP + 1) }), SECRET, NOW)).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('refuses a delivery more than 5 minutes off the clock, either way', () => {
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(verifyStraddleWebhook(body, headers(), SECRET, at(300))).toMatchObject({ valid: true });
    expect(verifyStraddleWebhook(body, headers(), SECRET, at(301))).toEqual({ valid: false, reason: 'stale' });
    expect(verifyStraddleWebhook(body, headers(), SECRET, at(-301))).toEqual({ valid: false, reason: 'stale' });
  });

  it('refuses missing headers and a malformed timestamp without throwing', () => {
    expect(verifyStraddleWebhook(body, headers({ 'webhook-signature': undefined }), SECRET, NOW)).toEqual({
      valid: false,
      reason: 'missing_headers',
    });
    expect(verifyStraddleWebhook(body, headers({ 'webhook-timestamp': '17e8' }), SECRET, NOW)).toEqual({
      valid: false,
      reason: 'bad_timestamp',
    });
    expect(verifyStraddleWebhook(body, headers({ 'webhook-signature': 'v1' }), SECRET, NOW)).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('treats an empty or malformed secret as a deployment fault', () => {
    expect(() => verifyStraddleWebhook(body, headers(), '', NOW)).toThrow(ConfigurationError);
    expect(() => verifyStraddleWebhook(body, headers(), 'plain-secret', NOW)).toThrow(ConfigurationError);
  });
});
