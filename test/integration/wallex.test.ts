import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { customer } from '../unit/wallex/fixtures';
import { api, eventsAbout, settled, until, view, waitingFor } from './harness';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000, screeningDelayMs: 50 });
});
afterAll(async () => {
  await runtime?.stop();
});

// The polls in this file allow 15 s, more than the harness's default.
const WAIT_MS = 15_000;
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(256, 3)]);
let counter = 0;
function wallexRequest(lastName: string, documents = ['passport']) {
  counter += 1;
  return {
    provider: 'wallex',
    merchantRef: `wx-${process.pid}-${counter}`,
    customer: customer({ lastName, email: `wx.${process.pid}.${counter}@example.com`, documents }),
  };
}
async function uploadAll(id: string, bytes: Buffer = PDF) {
  const waiting = await until(async () => {
    const v = await view(runtime, id);
    return v.waitingFor === 'documents' ? v : undefined;
  }, WAIT_MS);
  for (const { slot, status } of waiting.documents as Array<{ slot: string; status: string }>) {
    if (status === 'received') continue;
    const grant = await api(runtime, 'POST', `/onboardings/${id}/documents`, {
      slot,
      contentType: 'application/pdf',
      size: bytes.length,
    });
    await fetch(grant.body.uploadUrl, { method: 'PUT', headers: grant.body.headers, body: bytes });
  }
}
const usersFor = (email: string) => runtime.wallex.users().filter((u) => (u as { email?: string }).email === email);

describe('Wallex onboarding', () => {
  it('signs up, sends details and documents, screens, and completes on the approval notification', async () => {
    const request = wallexRequest('Tan');
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    expect(accepted.status).toBe(202);
    const id = accepted.body.onboardingId as string;
    await uploadAll(id);
    const done = await settled(runtime, id);
    expect(done).toMatchObject({ status: 'COMPLETED', provider: 'wallex', profileStatus: 'verified' });
    expect(usersFor(request.customer.email)).toHaveLength(1);
    expect(
      runtime.wallex.documents().filter((d) => (d as { userId?: string }).userId === done.providerIds.profileId),
    ).toHaveLength(1);
    expect(eventsAbout(runtime, id).map((e) => e['detail-type'])).toEqual(['Onboarding Completed']);
  });

  it('ends REJECTED when screening rejects', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', wallexRequest('Rejectson'));
    await uploadAll(accepted.body.onboardingId);
    expect(await settled(runtime, accepted.body.onboardingId)).toMatchObject({
      status: 'REJECTED',
      outcome: { retryable: false },
    });
  });

  it('waits for new documents when Wallex asks for a resubmission, uploads them and screens again', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', wallexRequest('Pendingworth'));
    const id = accepted.body.onboardingId as string;
    await uploadAll(id);
    await waitingFor(runtime, id, 'verification', WAIT_MS);
    const userId = (await view(runtime, id)).providerIds.profileId as string;
    const screened = runtime.wallex.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/screen')).length;

    // Wallex asks again: the documents sent no longer count, and new ones are awaited.
    runtime.wallex.setUserStatus(userId, 'document_needs_resubmission');
    await until(async () => {
      const v = await view(runtime, id);
      return v.waitingFor === 'documents' && v.documents.every((d: { status: string }) => d.status === 'superseded')
        ? true
        : undefined;
    }, WAIT_MS);
    await uploadAll(id, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(512, 9)]));
    await waitingFor(runtime, id, 'verification', WAIT_MS);
    expect(runtime.wallex.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/screen')).length).toBe(screened + 1);

    runtime.wallex.setUserStatus(userId, 'approved');
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
  });

  it('asks Wallex itself, in the workflow, what a notification claims, and waits on while Wallex still says pending', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', wallexRequest('Pendingworth'));
    const id = accepted.body.onboardingId as string;
    await uploadAll(id);
    await waitingFor(runtime, id, 'verification', WAIT_MS);
    const userId = (await view(runtime, id)).providerIds.profileId as string;
    const reads = () => runtime.wallex.requests().filter((r) => r.method === 'GET' && r.path === `/v2/users/${userId}`).length;
    const before = reads();

    // A signed notification claiming approval while Wallex still has the user pending.
    const res = await fetch(`${runtime.apiUrl}/webhooks/wallex`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [runtime.secrets.wallex.webhookHeaderName]: runtime.secrets.wallex.webhookHeaderValue,
      },
      body: JSON.stringify({ resource: 'user', resourceId: userId, status: 'approved' }),
    });
    expect(res.status).toBe(200);
    const checked = await until(async () => {
      const v = await view(runtime, id);
      return v.timeline.some((t: { step: string; detail?: string }) => t.step === 'check-profile') &&
        v.waitingFor === 'verification'
        ? v
        : undefined;
    }, WAIT_MS);
    // Read once, by the workflow's paced check; the onboarding waits on instead of needing attention.
    expect(reads()).toBe(before + 1);
    expect(checked).toMatchObject({ status: 'AWAITING_PROVIDER', profileStatus: 'pending' });
    expect(checked.timeline.find((t: { step: string }) => t.step === 'check-profile')).toMatchObject({
      status: 'pending',
      detail: 'asked the provider after its notification',
    });

    runtime.wallex.setUserStatus(userId, 'approved');
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
  });

  it('needs attention for a status Wallex never documented, never approving it', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', wallexRequest('Pendingham'));
    const id = accepted.body.onboardingId as string;
    await uploadAll(id);
    await waitingFor(runtime, id, 'verification', WAIT_MS);
    runtime.wallex.setUserStatus((await view(runtime, id)).providerIds.profileId, 'frozen_for_review' as never);
    const done = await settled(runtime, id);
    expect(done).toMatchObject({ status: 'NEEDS_ATTENTION', profileStatus: 'unknown' });
  });

  it('publishes funding and refund notifications once, with the status read back from Wallex', async () => {
    const funding = runtime.wallex.createFunding({ status: 'pending' });
    runtime.wallex.setFundingStatus(funding.id, 'completed');
    const refund = runtime.wallex.createRefund();
    const published = () => runtime.cloud.events.published().filter((e) => e.source === 'onboarding.orchestrator');
    const find = (type: string, key: string, id: string, status?: string) =>
      published().filter(
        (e) =>
          e['detail-type'] === type &&
          (e.detail as Record<string, unknown>)[key] === id &&
          (!status || (e.detail as Record<string, unknown>).notifiedStatus === status),
      );
    // A notice the rate budget has no room to read back now is kept, and the sweeper publishes it.
    await runtime.wallex.notificationsSettled();
    await until(async () => {
      if (
        find('Funding Status Confirmed', 'fundingId', funding.id, 'completed').length > 0 &&
        find('Funding Status Confirmed', 'fundingId', funding.id, 'pending').length > 0 &&
        find('Refund Status Confirmed', 'refundId', refund.id).length > 0
      )
        return true;
      await runtime.sweep();
      return undefined;
    }, WAIT_MS);
    expect(find('Funding Status Confirmed', 'fundingId', funding.id, 'pending')).toHaveLength(1);
    expect(find('Funding Status Confirmed', 'fundingId', funding.id, 'completed')).toHaveLength(1);
    // The status in the event is the one read back with GET /v2/fundings/:id.
    expect((find('Funding Status Confirmed', 'fundingId', funding.id, 'completed')[0]!.detail as { status: string }).status).toBe(
      'completed',
    );
  });

  it('refuses a notification without the subscription header', async () => {
    const res = await fetch(`${runtime.apiUrl}/webhooks/wallex`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [runtime.secrets.wallex.webhookHeaderName]: 'wrong' },
      body: JSON.stringify({ resource: 'user', resourceId: 'u-1', status: 'approved' }),
    });
    expect(res.status).toBe(401);
  });

  it('logs in once for a burst of onboardings and meets the rate limit without a 429', async () => {
    const before = runtime.wallex.tokensIssued();
    const accepted = await Promise.all(
      Array.from({ length: 6 }, () => api(runtime, 'POST', '/onboardings', wallexRequest('Burst'))),
    );
    await Promise.all(accepted.map((a) => uploadAll(a.body.onboardingId)));
    const done = await Promise.all(accepted.map((a) => settled(runtime, a.body.onboardingId, 60_000)));
    expect(done.map((d) => d.status)).toEqual(done.map(() => 'COMPLETED'));
    expect(runtime.wallex.tokensIssued() - before).toBeLessThanOrEqual(1);
    expect(runtime.wallex.requests().filter((r) => r.status === 429)).toHaveLength(0);
  });
});
