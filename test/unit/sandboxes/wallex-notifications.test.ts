import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WallexClient } from '../../../functions/providers/wallex/client';
import { getFunding, parseWallexNotification, verifyWallexHeader } from '../../../functions/providers/wallex/webhook';
import { deleteItem } from '../../../functions/shared/dynamo';
import { ProviderRateLimited } from '../../../functions/shared/errors';
import { memoryTokenStore } from '../../../functions/store/token-cache';
import {
  ACCESS_KEY_ID,
  API_KEY,
  eventually,
  type Harness,
  HEADER_NAME,
  HEADER_VALUE,
  memoryDocuments,
  SECRET_ACCESS_KEY,
  startHarness,
} from '../wallex/sandbox-harness';
import { onboardUser } from '../wallex/steps';

describe('Wallex sandbox notifications, fundings and limits', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.sandbox.reset();
    h.sandbox.setRatePerSecond(0);
    h.receiver.received.length = 0;
  });

  it('sends the screening verdict to the subscription with its custom header; the status check agrees', async () => {
    const { onboardingId, request } = h.onboarding();
    const adapter = h.adapter();
    const { profileId } = await onboardUser(adapter, { onboardingId, request, documents: memoryDocuments() });

    await eventually(() => h.receiver.received.some((r) => (r.body as { status?: string }).status === 'approved'));
    const bodies = h.receiver.received.map((r) => r.body);
    expect(bodies).toEqual([
      { resource: 'user', resourceId: profileId, status: 'pending_approval' },
      { resource: 'user', resourceId: profileId, status: 'approved' },
    ]);
    const verdict = h.receiver.received[1]!;
    expect(verifyWallexHeader(verdict.headers as Record<string, string>, HEADER_NAME, HEADER_VALUE)).toBe(true);
    expect(verifyWallexHeader(verdict.headers as Record<string, string>, HEADER_NAME, 'another-value-0000')).toBe(false);
    const parsed = parseWallexNotification(verdict.body);
    expect(parsed).toMatchObject({ success: true, notification: { kind: 'user', userId: profileId, profileStatus: 'verified' } });
    // The payload proves nothing by itself: the status is re-read from the API.
    expect(await adapter.getProfileStatus({ onboardingId, request, profileId })).toMatchObject({
      status: 'verified',
      providerStatus: 'approved',
    });
  });

  it('decides by the configured rule: a rejection and a resubmission request', async () => {
    const adapter = h.adapter();
    const rejected = h.onboarding({ lastName: 'Rejected' });
    const resubmit = h.onboarding({ lastName: 'Resubmit' });
    const a = await onboardUser(adapter, { ...rejected, documents: memoryDocuments() });
    const b = await onboardUser(adapter, { ...resubmit, documents: memoryDocuments() });
    await eventually(() => h.sandbox.users().every((u) => u.status !== 'pending_approval'));

    expect(await adapter.getProfileStatus({ ...rejected, profileId: a.profileId })).toMatchObject({
      status: 'rejected',
      providerStatus: 'rejected',
    });
    expect(await adapter.getProfileStatus({ ...resubmit, profileId: b.profileId })).toMatchObject({ status: 'needs_documents' });
  });

  it('retries a failed delivery up to 3 times', async () => {
    h.receiver.failNext(500, 503, 500);
    const funding = h.sandbox.createFunding({ currency: 'IDR', amount: 100_000 });
    await h.sandbox.notificationsSettled();
    expect(h.sandbox.deliveries().map((d) => [d.attempt, d.httpStatus])).toEqual([
      [1, 500],
      [2, 503],
      [3, 500],
      [4, 200],
    ]);
    expect(h.sandbox.deliveries()[0]).toMatchObject({
      resource: 'funding',
      id: funding.id,
      status: 'pending',
      headerName: HEADER_NAME,
    });

    h.sandbox.reset();
    h.receiver.failNext(500, 500, 500, 500, 500);
    h.sandbox.createFunding();
    await h.sandbox.notificationsSettled();
    expect(h.sandbox.deliveries()).toHaveLength(4);
  });

  it('confirms a funding notification by reading the funding back', async () => {
    const funding = h.sandbox.createFunding({ currency: 'IDR', amount: 100_000 });
    h.sandbox.setFundingStatus(funding.id, 'completed');
    await h.sandbox.notificationsSettled();

    // Two notifications in flight may arrive in either order: one more reason to read the funding back.
    const parsed = h.receiver.received.map((r) => parseWallexNotification(r.body));
    expect(parsed).toContainEqual(
      expect.objectContaining({
        success: true,
        notification: expect.objectContaining({ kind: 'funding', fundingId: funding.id, status: 'completed' }),
      }),
    );
    await expect(getFunding(h.client(), funding.id)).resolves.toMatchObject({
      id: funding.id,
      status: 'completed',
      currency: 'IDR',
    });
  });

  it('answers 429 beyond 5 requests a second, mapped to ProviderRateLimited', async () => {
    h.sandbox.setRatePerSecond(5);
    // A bare client: the shared DynamoDB budget would pace the burst and hide the sandbox's own limit.
    const client = new WallexClient({ ...h.config(), tokens: memoryTokenStore() });
    await client.request('GET', '/v2/fundings');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.request('GET', '/v2/fundings')));
    const limited = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    // 5 tokens, two spent on the login and the first call; one comes back every 200 ms.
    expect(limited.length).toBeGreaterThanOrEqual(2);
    for (const error of limited) expect(error).toBeInstanceOf(ProviderRateLimited);
  });

  it('lets a burst of cold functions share one login through the table', async () => {
    await deleteItem({ TableName: process.env.TABLE_NAME, Key: { pk: 'TOKEN#wallex', sk: 'CURRENT' } });
    // Separate clients, as separate Lambdas would have, sharing only the table.
    const clients = Array.from({ length: 8 }, () => h.client());
    await Promise.all(clients.map((c) => c.request('GET', '/v2/fundings')));
    expect(h.sandbox.tokensIssued()).toBe(1);

    // The token revoked under everyone: each is refused once, one of them logs in for all.
    h.sandbox.revokeTokens();
    await Promise.all(clients.map((c) => c.request('GET', '/v2/fundings')));
    expect(h.sandbox.tokensIssued()).toBe(2);
  });

  it('keeps the sandbox strict about the raw Authorization form by default', async () => {
    const bearer = new WallexClient({
      baseUrl: h.sandbox.url,
      apiKey: API_KEY,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      timeoutMs: 2000,
      authScheme: 'bearer',
    });
    await expect(bearer.request('GET', '/v2/fundings')).rejects.toMatchObject({ name: 'ProviderAuthFailed', httpStatus: 401 });
  });
});
