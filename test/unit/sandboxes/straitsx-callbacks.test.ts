import { describe, expect, it } from 'vitest';
import { StraitsxClient, sxPath } from '../../../functions/providers/straitsx/client';
import { verifyStraitsxSignature } from '../../../functions/providers/straitsx/webhook';
import { startStraitsxSandbox } from '../../../local/sandboxes/straitsx';
import { API_KEY, callbackFixture, type Doc, failure, startReceiver } from './straitsx-callback-fixture';

describe('StraitsX sandbox callbacks', () => {
  const fx = callbackFixture();

  it('keeps one URL per event with PATCH /webhooks and shows them with GET', async () => {
    const client = fx.client();
    const receiver = fx.receiver();
    expect(await failure(client.request('GET', '/webhooks'))).toEqual([404, 'STXE-5000']);
    const doc = await fx.register('cpVerificationStatusUpdated', 'paymentStatusUpdated');

    expect(doc.data.id).toMatch(/^webhook_[0-9a-f-]{36}$/);
    expect(doc.data.attributes).toMatchObject({
      cpVerificationStatusUpdated: receiver.urlFor('cpVerificationStatusUpdated'),
      paymentStatusUpdated: receiver.urlFor('paymentStatusUpdated'),
      payoutStatusUpdated: null,
    });
    expect(Object.keys(doc.data.attributes)).toHaveLength(16);
    await expect(client.request('GET', '/webhooks')).resolves.toEqual(doc);

    const cleared = await client.request<Doc>('PATCH', '/webhooks', {
      body: { data: { attributes: { paymentStatusUpdated: null } } },
    });
    expect(cleared.data.id).toBe(doc.data.id);
    expect(cleared.data.attributes.paymentStatusUpdated).toBeNull();
    const patch = (attributes: unknown) => failure(client.request('PATCH', '/webhooks', { body: { data: { attributes } } }));
    expect(await patch({ somethingElse: receiver.urlFor('x') })).toEqual([400, 'STXE-3000']);
    expect(await patch({ paymentStatusUpdated: 'ftp://example.test/x' })).toEqual([400, 'STXE-3000']);
  });

  it('signs each callback with the callback secret, and sends none for an event without a URL', async () => {
    const sandbox = fx.sandbox();
    const receiver = fx.receiver();
    expect(sandbox.callbackSecret).toMatch(/^[0-9a-f]{64}$/);
    const profile = await fx.profile();
    sandbox.setProfileStatus(profile.data.id, 'verified');
    await sandbox.callbacksSettled();
    expect(receiver.received).toEqual([]);

    await fx.register('cpVerificationStatusUpdated');
    sandbox.setProfileStatus(profile.data.id, 'verified');
    const [delivered] = await fx.callbacksOf('cpVerificationStatusUpdated');
    expect(delivered?.callback).toMatchObject({ kind: 'profile', profileId: profile.data.id, status: 'verified' });
    expect(
      verifyStraitsxSignature(receiver.received[0]!.raw, receiver.received[0]!.headers['xfers-signature'] as string, 'other'),
    ).toBe(false);
  });

  it('retries a callback that does not get a 2xx, with the same bytes, until it does', async () => {
    const client = fx.client();
    const sandbox = fx.sandbox();
    const receiver = fx.receiver();
    await fx.register('cpVerificationStatusUpdated');
    receiver.script.set('cpVerificationStatusUpdated', [500, 500]);
    const profile = await fx.profile();

    await client.request('PUT', sxPath`/sandbox/kyc/customer_profiles/${profile.data.id}`, {
      body: { data: { attributes: { verificationStatus: 'verified' } } },
    });
    const delivered = await fx.callbacksOf('cpVerificationStatusUpdated');

    expect(delivered).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.raw)).size).toBe(1);
    expect(sandbox.callbackDeliveries()).toEqual(
      [500, 500, 200].map((status, i) => ({
        event: 'cpVerificationStatusUpdated',
        url: receiver.urlFor('cpVerificationStatusUpdated'),
        attempt: i + 1,
        status,
      })),
    );
  });

  it('PUT /sandbox/kyc/customer_profiles/{id} sets the status and sends the profile document', async () => {
    const client = fx.client();
    const sandbox = fx.sandbox();
    await fx.register('cpVerificationStatusUpdated');
    sandbox.setVerificationMode('pending');
    const profile = await fx.profile();
    const put = (attributes: Record<string, unknown>) =>
      client.request<Doc>('PUT', sxPath`/sandbox/kyc/customer_profiles/${profile.data.id}`, { body: { data: { attributes } } });

    const rejected = await put({
      verificationStatus: 'rejected',
      isRetryable: true,
      verificationRejectionSummary: 'Blurred document',
    });
    const verified = await put({ verificationStatus: 'verified' });
    const [first, second] = await fx.callbacksOf('cpVerificationStatusUpdated');

    expect(rejected.data.attributes).toMatchObject({ verificationStatus: 'rejected', isRetryable: true });
    expect(first?.body).toEqual(rejected);
    expect(first?.callback).toMatchObject({ status: 'rejected', isRetryable: true, rejectionSummary: 'Blurred document' });
    expect(second?.body).toEqual(verified);
    expect(verified.data.attributes).not.toHaveProperty('isRetryable');
    await expect(client.request('GET', sxPath`/kyc/customer_profiles/${profile.data.id}`)).resolves.toEqual(verified);
    expect(await failure(put({ verificationStatus: 'pending' }))).toEqual([400, 'STXE-3000']);
    expect(
      await failure(
        client.request('PUT', '/sandbox/kyc/customer_profiles/customer_profile_unknown', {
          body: { data: { attributes: { verificationStatus: 'verified' } } },
        }),
      ),
    ).toEqual([404, 'STXE-5000']);
  });
});

describe('StraitsX sandbox callback retries end', () => {
  it('after the last attempt, and at stop() for a retry still waiting', async () => {
    const receiver = await startReceiver();
    receiver.script.set('cpVerificationStatusUpdated', Array(10).fill(503));
    const limited = await startStraitsxSandbox({
      apiKey: API_KEY,
      ratePerSecond: 0,
      callbackRetryMs: 5,
      callbackMaxAttempts: 3,
      callbackSecret: 's',
    });
    const slow = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, callbackRetryMs: 60_000 });
    try {
      for (const sandbox of [limited, slow]) {
        const c = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
        await c.request('PATCH', '/webhooks', {
          body: { data: { attributes: { cpVerificationStatusUpdated: receiver.urlFor('cpVerificationStatusUpdated') } } },
        });
        const profile = await c.request<Doc>('POST', '/kyc/customer_profiles', {
          body: { registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' },
        });
        sandbox.setProfileStatus(profile.data.id, 'rejected');
      }
      expect(limited.callbackSecret).toBe('s');
      await limited.callbacksSettled();
      expect(limited.callbackDeliveries().map((d) => [d.attempt, d.status])).toEqual([
        [1, 503],
        [2, 503],
        [3, 503],
      ]);

      // The slow sandbox's first attempt failed and a retry is a minute away: stopping must not wait for it.
      await expect.poll(() => slow.callbackDeliveries().length).toBe(1);
      const started = Date.now();
      await slow.stop();
      await slow.callbacksSettled();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(slow.callbackDeliveries()).toHaveLength(1);
    } finally {
      await limited.stop();
      await slow.stop();
      await receiver.stop();
    }
  });
});
