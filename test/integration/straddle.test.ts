import { randomUUID } from 'node:crypto';
import { Webhook } from 'svix';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditTrail, unmaskedStraddleCustomer } from '../../functions/flows/straddle-operator/unmask';
import { type Runtime, startRuntime } from '../../local/runtime';
import { api, eventsAbout, settled, tableItems, view, waitingFor } from './harness';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000 });
});
afterAll(async () => {
  await runtime?.stop();
});
beforeEach(() => {
  runtime.straddle.clearFaults();
});

let counter = 0;
function straddleRequest(outcome: 'verified' | 'review' | 'rejected') {
  counter += 1;
  return {
    provider: 'straddle',
    merchantRef: `st-${process.pid}-${counter}`,
    customer: {
      name: 'Ada Lovelace',
      type: 'individual',
      email: `ada.${process.pid}.${counter}@example.com`,
      phone: '+12125550123',
      device: { ip_address: '203.0.113.7' },
      compliance_profile: { dob: '1985-12-10', ssn: '123-45-6789' },
      config: { sandbox_outcome: outcome },
    },
  };
}

const customersFor = (onboardingId: string) => runtime.straddle.customers().filter((c) => c.external_id === onboardingId);
describe('Straddle onboarding', () => {
  it('completes a customer verified at once, without a virtual account, and answers a repeat with the same onboarding', async () => {
    const request = straddleRequest('verified');
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    expect(accepted.status).toBe(202);
    const done = await settled(runtime, accepted.body.onboardingId);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      provider: 'straddle',
      profileStatus: 'verified',
      registrationType: 'individual',
    });
    expect(done.virtualAccount).toBeUndefined();
    expect(customersFor(done.onboardingId)).toHaveLength(1);
    expect(eventsAbout(runtime, done.onboardingId).filter((e) => e['detail-type'] === 'Onboarding Completed')).toHaveLength(1);
    const again = await api(runtime, 'POST', '/onboardings', request);
    expect(again).toMatchObject({ status: 200, body: { onboardingId: done.onboardingId } });
  });

  it('waits in review for an operator decision, then completes', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', straddleRequest('review'));
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'verification');
    expect((await view(runtime, id)).profileStatus).toBe('review');
    expect((await api(runtime, 'POST', `/onboardings/${id}/review`, { decision: 'maybe' })).status).toBe(400);

    const decided = await api(runtime, 'POST', `/onboardings/${id}/review`, {
      decision: 'verified',
      reason: 'documents checked by hand',
      operator: 'ops.jane',
    });
    expect(decided.status).toBe(200);
    const done = await settled(runtime, id);
    expect(done.status).toBe('COMPLETED');
    expect(done.timeline.find((t: { step: string }) => t.step === 'review')).toMatchObject({ status: 'verified' });
    // Who decided and why is kept in the audit trail, not on the record the merchant reads.
    expect(await auditTrail(id)).toEqual([
      {
        onboardingId: id,
        action: 'review-verified',
        operator: 'ops.jane',
        reason: 'documents checked by hand',
        at: expect.any(String),
      },
    ]);
    expect(JSON.stringify(done)).not.toContain('documents checked by hand');
    // A decided profile is not in review any more; a repeat of the decision that took effect is answered
    // as the first was (an operator's tool retrying a lost answer), calling Straddle and auditing nothing more.
    expect((await api(runtime, 'POST', `/onboardings/${id}/review`, { decision: 'rejected' })).status).toBe(409);
    const reviewCalls = runtime.straddle.requests().filter((r) => r.path.endsWith('/review')).length;
    const repeat = await api(runtime, 'POST', `/onboardings/${id}/review`, { decision: 'verified', operator: 'ops.jane' });
    expect(repeat).toMatchObject({ status: 200, body: { status: 'COMPLETED', profileStatus: 'verified' } });
    expect(runtime.straddle.requests().filter((r) => r.path.endsWith('/review'))).toHaveLength(reviewCalls);
    expect(await auditTrail(id)).toHaveLength(1);
  });

  it('ends REJECTED when review rejects, and when Straddle rejects at once', async () => {
    const inReview = await api(runtime, 'POST', '/onboardings', straddleRequest('review'));
    await waitingFor(runtime, inReview.body.onboardingId, 'verification');
    await api(runtime, 'POST', `/onboardings/${inReview.body.onboardingId}/review`, {
      decision: 'rejected',
      reason: 'watch-list match',
    });
    const rejectedAtOnce = await api(runtime, 'POST', '/onboardings', straddleRequest('rejected'));
    const [a, b] = await Promise.all([
      settled(runtime, inReview.body.onboardingId),
      settled(runtime, rejectedAtOnce.body.onboardingId),
    ]);
    expect(a).toMatchObject({ status: 'REJECTED', outcome: { reason: 'rejected in review' } });
    expect(b.status).toBe('REJECTED');
    expect(eventsAbout(runtime, b.onboardingId).map((e) => e['detail-type'])).toEqual(['Onboarding Rejected']);
  });

  it('creates one customer when the answer to the create is lost and the step is retried', async () => {
    runtime.straddle.failNext(1, 'drop', { phase: 'after', match: { method: 'POST', path: '/v1/customers' } });
    runtime.straddle.failNext(1, 'error5xx', { match: { method: 'GET', path: '/v1/customers' } });
    const accepted = await api(runtime, 'POST', '/onboardings', straddleRequest('verified'));
    const done = await settled(runtime, accepted.body.onboardingId);
    expect(done.status).toBe('COMPLETED');
    expect(customersFor(done.onboardingId)).toHaveLength(1);
  });
});

describe("Straddle's unmasked customer, for operators", () => {
  it('shows the unmasked data to an operator who says why, records the use, and logs none of it', async () => {
    const request = straddleRequest('verified');
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    const done = await settled(runtime, accepted.body.onboardingId);
    runtime.logs.clear();

    await expect(
      unmaskedStraddleCustomer({ onboardingId: done.onboardingId, operator: 'ops.jane', reason: 'why' }),
    ).rejects.toMatchObject({
      name: 'ValidationFailed',
    });
    const customer = await unmaskedStraddleCustomer({
      onboardingId: done.onboardingId,
      operator: 'ops.jane',
      reason: 'chargeback dispute 4411',
    });
    expect(JSON.stringify(customer)).toContain(request.customer.compliance_profile.ssn);
    expect(await auditTrail(done.onboardingId)).toEqual([
      {
        onboardingId: done.onboardingId,
        action: 'unmasked-customer',
        operator: 'ops.jane',
        reason: 'chargeback dispute 4411',
        at: expect.any(String),
      },
    ]);
    expect(runtime.logs.lines().join('\n')).not.toContain(request.customer.compliance_profile.ssn);
    expect(JSON.stringify(await tableItems())).not.toContain(request.customer.compliance_profile.ssn);
  });
});

describe('Straddle webhooks', () => {
  const deliver = (
    body: object,
    { secret = runtime.secrets.straddle.webhookSecret, at = new Date(), id = `msg_${randomUUID()}` } = {},
  ) => {
    const text = JSON.stringify(body);
    const signature = new Webhook(secret).sign(id, at, text);
    return fetch(`${runtime.apiUrl}/webhooks/straddle`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: text,
    });
  };
  const customerEvent = (customerId: string, status: string, changedAt: string) => ({
    event_type: 'customer.event.v1',
    event_id: randomUUID(),
    account_id: randomUUID(),
    data: {
      id: customerId,
      status,
      type: 'individual',
      updated_at: changedAt,
      status_details: { changed_at: changedAt, reason: 'x' },
    },
  });

  it('refuses forged and stale deliveries, and applies events in the order of the change, not of arrival', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', straddleRequest('review'));
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'verification');
    const customerId = (await view(runtime, id)).providerIds.profileId as string;

    expect(
      (
        await deliver(customerEvent(customerId, 'verified', new Date().toISOString()), {
          secret: `whsec_${Buffer.from('not the secret').toString('base64')}`,
        })
      ).status,
    ).toBe(401);
    expect(
      (await deliver(customerEvent(customerId, 'verified', new Date().toISOString()), { at: new Date(Date.now() - 10 * 60_000) }))
        .status,
    ).toBe(401);
    expect((await view(runtime, id)).profileStatus).toBe('review');

    const later = new Date(Date.now() + 1000).toISOString();
    const earlier = new Date(Date.now() - 60_000).toISOString();
    const first = await deliver(customerEvent(customerId, 'rejected', later));
    expect(await first.json()).toMatchObject({ received: true, result: 'applied' });
    // An older event arriving afterwards is not applied.
    const stale = await deliver(customerEvent(customerId, 'verified', earlier));
    // Not applied: older than the rejection, and once the rejection has ended the onboarding, too late as well.
    const { received, result } = (await stale.json()) as { received: boolean; result: string };
    expect(received).toBe(true);
    expect(['unchanged', 'final']).toContain(result);
    const done = await settled(runtime, id);
    expect(done.status).toBe('REJECTED');
  });
});
