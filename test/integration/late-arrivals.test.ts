import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { personalPlus } from '../unit/straitsx/plus-fixtures';
import { api, eventsAbout, executionsOf, sandboxFetch, settled, until, view, waitingFor } from './harness';

const straddleExample = JSON.parse(readFileSync(new URL('../../examples/straddle-individual.json', import.meta.url), 'utf8'));

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000, callbackRetryMs: 20 });
});
afterAll(async () => {
  await runtime?.stop();
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64, 2)]);
let counter = 0;

function plusRequest() {
  counter += 1;
  return {
    provider: 'straitsx',
    profileType: 'CP+',
    merchantRef: `late-${process.pid}-${counter}`,
    customer: personalPlus({
      registrationId: `T${String(process.pid).slice(-3)}${String(counter).padStart(4, '0')}L`,
      email: `late${counter}@example.net`,
    }),
  };
}

async function uploadAll(onboardingId: string) {
  const slots = (await view(runtime, onboardingId)).documents.map((d: { slot: string }) => d.slot) as string[];
  for (const slot of slots) {
    const pdf = slot.endsWith('proofOfAddress');
    const bytes = pdf ? PDF : PNG;
    const grant = await api(runtime, 'POST', `/onboardings/${onboardingId}/documents`, {
      slot,
      contentType: pdf ? 'application/pdf' : 'image/png',
      size: bytes.length,
    });
    expect(grant.status).toBe(201);
    const put = await fetch(grant.body.uploadUrl, { method: 'PUT', headers: grant.body.headers, body: bytes });
    expect(put.status).toBe(200);
  }
  return slots;
}

const sign = (body: string) => createHmac('sha256', runtime.secrets.straitsx.callbackSigningKey).update(body).digest('hex');
const callback = (event: string, body: string) =>
  fetch(`${runtime.apiUrl}/webhooks/straitsx/${event}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Xfers-Signature': sign(body) },
    body,
  });

describe('late arrivals', () => {
  it('a late webhook never changes an ended onboarding: seen, answered 200, nothing changed or published', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', plusRequest());
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'documents');
    await uploadAll(id);
    await waitingFor(runtime, id, 'verification');
    const profileId = (await view(runtime, id)).providerIds.profileId as string;
    const rejected = await sandboxFetch(`${runtime.straitsx.url}/sandbox/kyc/customer_profiles/${profileId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey },
      body: JSON.stringify({ data: { attributes: { verificationStatus: 'rejected', isRetryable: false } } }),
    });
    expect(rejected.status).toBe(200);
    const done = await settled(runtime, id);
    expect(done).toMatchObject({ status: 'REJECTED', profileStatus: 'rejected' });
    const events = eventsAbout(runtime, id).length;

    for (const status of ['verified', 'rejected', 'pending']) {
      const body = JSON.stringify({
        data: { id: profileId, type: 'customer_profile', attributes: { verificationStatus: status, isRetryable: true } },
      });
      const res = await callback('cpVerificationStatusUpdated', body);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ received: true, result: 'final' });
    }
    const after = await view(runtime, id);
    expect(after).toMatchObject({ status: 'REJECTED', profileStatus: 'rejected', outcome: done.outcome });
    expect(after.timeline).toEqual(done.timeline);
    expect(after.updatedAt).toBe(done.updatedAt);
    expect(eventsAbout(runtime, id)).toHaveLength(events);
  });

  it('uploads for an onboarding whose execution is not waiting are kept, never shown IN_PROGRESS, and picked up by the next wait', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', plusRequest());
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'documents');
    const [execution] = await executionsOf(runtime, id);
    // The execution ends while it waits (stopped here): its task token resumes nothing, the record says FAILED.
    await runtime.cloud.sfn.stopExecution({ executionArn: execution!.executionArn! });
    await until(async () => ((await view(runtime, id)).status === 'FAILED' ? true : undefined));

    const slots = await uploadAll(id);
    const kept = await until(async () => {
      const current = await view(runtime, id);
      return current.documents.every((d: { status: string }) => d.status === 'received') ? current : undefined;
    });
    expect(kept.status).toBe('FAILED');
    expect(kept.documents.map((d: { slot: string }) => d.slot)).toEqual(slots);

    // An operator's retry redrives the wait for documents: it finds them in and goes straight on.
    const retried = await api(runtime, 'POST', `/onboardings/${id}/retry`, {});
    expect(retried.status).toBe(202);
    await waitingFor(runtime, id, 'verification');
    expect((await view(runtime, id)).status).toBe('AWAITING_PROVIDER');
  });

  it('a webhook for an onboarding whose execution is not waiting is kept and picked up by the next wait', async () => {
    counter += 1;
    const request = {
      ...straddleExample,
      merchantRef: `late-st-${process.pid}-${counter}`,
      customer: {
        ...straddleExample.customer,
        email: `late.${process.pid}.${counter}@example.com`,
        config: { sandbox_outcome: 'review' },
      },
    };
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'verification');
    const customerId = (await view(runtime, id)).providerIds.profileId as string;
    const [execution] = await executionsOf(runtime, id);
    await runtime.cloud.sfn.stopExecution({ executionArn: execution!.executionArn! });
    await until(async () => ((await view(runtime, id)).status === 'FAILED' ? true : undefined));

    // Straddle verifies the customer on its side and sends its event, while nothing waits for it.
    expect(runtime.straddle.setCustomerStatus(customerId, 'verified')).toBe(true);
    await runtime.straddle.webhooksSettled();
    await until(async () => ((await view(runtime, id)).profileStatus === 'verified' ? true : undefined));
    const kept = await view(runtime, id);
    expect(kept).toMatchObject({ status: 'FAILED', profileStatus: 'verified' });

    expect((await api(runtime, 'POST', `/onboardings/${id}/retry`, {})).status).toBe(202);
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
    expect(runtime.straddle.customers().filter((c) => c.external_id === id)).toHaveLength(1);
  });
});
