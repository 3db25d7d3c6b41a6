import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOnboardingRequest } from '../../../functions/onboarding/request';
import { StraitsxAdapter } from '../../../functions/providers/straitsx/adapter';
import { StraitsxClient } from '../../../functions/providers/straitsx/client';
import { type StraitsxSandbox, startStraitsxSandbox } from '../../../local/sandboxes/straitsx';

const API_KEY = 'sandbox-app-key';
let sandbox: StraitsxSandbox;
let adapter: StraitsxAdapter;

beforeAll(async () => {
  sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, verification: 'pending', verificationLagMs: 300 });
  const client = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
  adapter = new StraitsxAdapter(async () => client);
});
afterAll(async () => {
  await sandbox.stop();
});

const request = await parseOnboardingRequest({
  provider: 'straitsx',
  merchantRef: 'u-lag',
  customer: { registrationType: 'personal', customerName: 'Tan Mei Ling', registrationId: 'S8512399D' },
});
const noDocuments = { uploaded: () => [], url: async () => '', read: async () => ({ body: new Uint8Array(), contentType: '' }) };

describe('StraitsX client against the sandbox: verified before the API shows it', () => {
  it('is not ready while the API lags behind the callback, then gets one account', async () => {
    const ctx = { onboardingId: 'onb_bbbbbbbbbbbbbbbbbbbbbbbbbb', request, documents: noDocuments };
    const { profileId } = await adapter.createProfile(ctx);
    sandbox.setProfileStatus(profileId, 'verified');

    await expect(adapter.createVirtualAccount({ ...ctx, profileId })).rejects.toMatchObject({
      name: 'ProviderNotReady',
      code: 'STXE-4000',
    });
    expect((await adapter.getProfileStatus({ ...ctx, profileId })).status).toBe('pending');

    await new Promise((resolve) => setTimeout(resolve, 400));
    const account = await adapter.createVirtualAccount({ ...ctx, profileId });
    expect(account).toMatchObject({ status: 'enabled', currency: 'SGD' });
    expect(sandbox.virtualAccounts()).toHaveLength(1);
  });
});
