import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { isNewer, parseStraddleEvent, type StraddleProfileEvent } from '../../../functions/providers/straddle/events';
import { verifyStraddleWebhook } from '../../../functions/providers/straddle/webhook';
import { customerFor, type Received, requestFor, straddleFixture, WEBHOOK_SECRET } from '../straddle/sandbox-fixture';

/**
 * Standard Webhooks verification written out from the specification, independent of the code under
 * test: HMAC-SHA256 over "{id}.{timestamp}.{body}" keyed by the base64 secret after whsec_, any `v1,`
 * entry of the space-separated header, and a timestamp within 5 minutes.
 */
function verifiesBySpec(raw: string, headers: IncomingHttpHeaders, secret: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const headerRecord = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'));

const profileEvent = (delivery: Received): StraddleProfileEvent => {
  const parsed = parseStraddleEvent(JSON.parse(delivery.raw), delivery.headers['webhook-id'] as string);
  if (!parsed.success || parsed.event.kind !== 'profile') throw new Error('not a customer event');
  return parsed.event;
};

describe('Straddle sandbox webhooks', () => {
  const fx = straddleFixture();
  const onboard = (onboardingId: string, customer: Record<string, unknown>) =>
    fx.adapter().createProfile({ onboardingId, request: requestFor(customer) });

  it('sends customer.created.v1 and customer.event.v1 on create, signed per Standard Webhooks', async () => {
    const { profileId } = await onboard('onb_wh1', customerFor('wh1', { config: { sandbox_outcome: 'review' } }));
    await fx.sandbox().webhooksSettled();
    const received = fx.receiver().received;

    expect(received.map((r) => JSON.parse(r.raw).event_type).sort()).toEqual(['customer.created.v1', 'customer.event.v1']);
    for (const delivery of received) {
      expect(delivery.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(verifiesBySpec(delivery.raw, delivery.headers, WEBHOOK_SECRET)).toBe(true);
      expect(verifiesBySpec(delivery.raw, delivery.headers, `whsec_${Buffer.from('another key').toString('base64')}`)).toBe(
        false,
      );
      expect(verifiesBySpec(delivery.raw.replace('review', 'verified'), delivery.headers, WEBHOOK_SECRET)).toBe(false);
      // The receiver's own verifier, and svix's, agree with the specification.
      expect(verifyStraddleWebhook(delivery.raw, delivery.headers, WEBHOOK_SECRET)).toMatchObject({ valid: true });
      expect(() => new Webhook(WEBHOOK_SECRET).verify(delivery.raw, headerRecord(delivery.headers))).not.toThrow();

      const body = JSON.parse(delivery.raw);
      expect(body).toMatchObject({
        account_id: fx.sandbox().accountId,
        data: { id: profileId, status: 'review', external_id: 'onb_wh1' },
      });
      expect(body.data.compliance_profile).toEqual({ dob: '****-**-**', ssn: '***-**-****' });
      expect(profileEvent(delivery)).toMatchObject({ kind: 'profile', profileId, status: 'review' });
    }
    expect(
      fx
        .sandbox()
        .deliveries()
        .map((d) => [d.eventType, d.attempt, d.status])
        .sort(),
    ).toEqual([
      ['customer.created.v1', 1, 200],
      ['customer.event.v1', 1, 200],
    ]);
  });

  it('sends customer.event.v1 for a review decision, ordered by the customer time', async () => {
    const { profileId } = await onboard('onb_wh2', customerFor('wh2', { config: { sandbox_outcome: 'review' } }));
    await fx
      .adapter()
      .decideReview({ onboardingId: 'onb_wh2', request: requestFor(customerFor('wh2')), profileId, decision: 'rejected' });
    await fx.sandbox().webhooksSettled();

    const events = fx
      .receiver()
      .received.filter((r) => JSON.parse(r.raw).event_type === 'customer.event.v1')
      .map(profileEvent);
    const [first, second] = [...events].sort((a, b) => (isNewer(a, b) ? 1 : -1));
    expect([first?.providerStatus, second?.providerStatus]).toEqual(['review', 'rejected']);
    expect(isNewer(second!, first!)).toBe(true);
    expect(isNewer(first!, second!)).toBe(false);
    expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(events.length);
  });

  it('decides a background check later and reports it by event', async () => {
    const answer = await fx.client().request<{ id: string; status: string }>('POST', '/v1/customers', {
      body: {
        ...customerFor('bg2', { config: { processing_method: 'background', sandbox_outcome: 'verified' } }),
        external_id: 'onb_bg2',
      },
      idempotencyKey: 'test-key-background-1',
    });
    expect(answer.data.status).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await fx.sandbox().webhooksSettled();
    const latest = fx
      .sandbox()
      .deliveries()
      .filter((d) => d.customerId === answer.data.id)
      .map((d) => d.customerStatus);
    expect(latest).toEqual(expect.arrayContaining(['pending', 'verified']));
    expect(
      await fx
        .adapter()
        .getProfileStatus({ onboardingId: 'onb_bg2', request: requestFor(customerFor('bg2')), profileId: answer.data.id }),
    ).toMatchObject({
      status: 'verified',
    });
  });

  it('re-runs the checks on PUT …/refresh_review and reports the verdict by event', async () => {
    const { profileId } = await onboard('onb_refresh', customerFor('refresh', { config: { sandbox_outcome: 'review' } }));
    await fx.adapter().decideReview({
      onboardingId: 'onb_refresh',
      request: requestFor(customerFor('refresh')),
      profileId,
      decision: 'verified',
    });
    const refreshed = await fx.client().request<{ status: string }>('PUT', `/v1/customers/${profileId}/refresh_review`, {
      idempotencyKey: 'test-key-refresh-0001',
    });
    expect(refreshed.data.status).toBe('verified');
    await new Promise((resolve) => setTimeout(resolve, 80));
    await fx.sandbox().webhooksSettled();
    const statuses = fx
      .sandbox()
      .deliveries()
      .filter((d) => d.eventType === 'customer.event.v1')
      .map((d) => d.customerStatus);
    // Deliveries are not ordered; the customer's own time is what orders them.
    expect([...statuses].sort()).toEqual(['review', 'review', 'verified']);
    const now = await fx
      .adapter()
      .getProfileStatus({ onboardingId: 'onb_refresh', request: requestFor(customerFor('refresh')), profileId });
    expect(now.status).toBe('review');
  });

  it('retries a delivery that gets no 2xx (a redirect included), with the same id and bytes, until it does', async () => {
    fx.receiver().script.push(500, 302, 503);
    fx.sandbox().setWebhook({ url: fx.receiver().url, secret: WEBHOOK_SECRET, retryDelaysMs: [0, 10, 10, 10, 10] });
    try {
      await fx.adapter().createProfile({ onboardingId: 'onb_retry', request: requestFor(customerFor('retry')) });
      await fx.sandbox().webhooksSettled();
      const byMessage = new Map<string, Received[]>();
      for (const r of fx.receiver().received)
        byMessage.set(r.headers['webhook-id'] as string, [...(byMessage.get(r.headers['webhook-id'] as string) ?? []), r]);
      const retried = [...byMessage.values()].find((list) => list.length > 1)!;
      expect(new Set(retried.map((r) => r.raw)).size).toBe(1);
      expect(retried.every((r) => verifiesBySpec(r.raw, r.headers, WEBHOOK_SECRET))).toBe(true);

      const attempts = fx
        .sandbox()
        .deliveries()
        .map((d) => d.status);
      expect(attempts.filter((s) => s !== 200).sort()).toEqual([302, 500, 503]);
      expect(
        fx
          .sandbox()
          .deliveries()
          .filter((d) => d.status === 200),
      ).toHaveLength(2);
    } finally {
      fx.sandbox().setWebhook({ url: fx.receiver().url, secret: WEBHOOK_SECRET, retryDelaysMs: [0, 20, 40, 60] });
    }
  });

  it('gives up after the last attempt of the schedule', async () => {
    fx.receiver().script.push(...Array(20).fill(500));
    fx.sandbox().setWebhook({ url: fx.receiver().url, secret: WEBHOOK_SECRET, retryDelaysMs: [0, 5, 5] });
    try {
      const { profileId } = await onboard('onb_giveup', customerFor('giveup'));
      fx.sandbox().setCustomerStatus(profileId, 'inactive');
      await fx.sandbox().webhooksSettled();
      const inactive = fx
        .sandbox()
        .deliveries()
        .filter((d) => d.customerStatus === 'inactive');
      expect(inactive.map((d) => d.attempt)).toEqual([1, 2, 3]);
      expect(inactive.every((d) => d.status === 500)).toBe(true);
    } finally {
      fx.sandbox().setWebhook({ url: fx.receiver().url, secret: WEBHOOK_SECRET, retryDelaysMs: [0, 20, 40, 60] });
    }
  });
});
