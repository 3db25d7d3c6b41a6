import { describe, expect, it } from 'vitest';
import { parseOnboardingRequest } from '../../../functions/onboarding/request';
import { StraitsxAdapter } from '../../../functions/providers/straitsx/adapter';
import type { StraitsxClient } from '../../../functions/providers/straitsx/client';
import { ProviderRejected, RETRYABLE_ERRORS } from '../../../functions/shared/errors';

/** A scripted client: answers each call with the next reply and records what went out. */
function scripted(replies: Array<unknown | Error>) {
  const calls: string[] = [];
  const client = {
    async request(method: string, path: string) {
      calls.push(`${method} ${path}`);
      const reply = replies.shift();
      if (reply instanceof Error) throw reply;
      return reply;
    },
  };
  return { calls, adapter: new StraitsxAdapter(async () => client as unknown as StraitsxClient) };
}

const request = await parseOnboardingRequest({
  provider: 'straitsx',
  merchantRef: 'u-1',
  customer: { registrationType: 'personal', customerName: 'Tan Mei Ling', registrationId: 'S8512345D' },
});
const ctx = { onboardingId: 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa', request, profileId: 'customer_profile_1' };
const profile = (verificationStatus: string) => ({
  data: { id: 'customer_profile_1', type: 'customer_profile', attributes: { verificationStatus } },
});
const stxe4000 = (providerMessage: string) =>
  new ProviderRejected({ provider: 'straitsx', httpStatus: 422, code: 'STXE-4000', providerMessage });

describe('StraitsX adapter: a verified profile StraitsX does not show yet', () => {
  it('raises ProviderNotReady, a retryable error, when the profile still reads pending', async () => {
    const { calls, adapter } = scripted([stxe4000('Customer Profile Is Not Verified'), profile('pending')]);
    const failure = await adapter.createVirtualAccount(ctx).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'ProviderNotReady', retryable: true, code: 'STXE-4000', httpStatus: 422 });
    expect(RETRYABLE_ERRORS).toContain((failure as Error).name);
    expect(calls).toEqual(['POST /payment_methods/virtual_bank_accounts', 'GET /kyc/customer_profiles/customer_profile_1']);
  });

  it('raises ProviderNotReady when the profile reads verified but the account endpoint has not caught up', async () => {
    const { adapter } = scripted([stxe4000('Customer Profile Is Not Verified'), profile('verified')]);
    await expect(adapter.createVirtualAccount(ctx)).rejects.toMatchObject({ name: 'ProviderNotReady' });
  });

  it('keeps the rejection when the profile was rejected', async () => {
    const { adapter } = scripted([stxe4000('Customer Profile Is Not Verified'), profile('rejected')]);
    await expect(adapter.createVirtualAccount(ctx)).rejects.toMatchObject({ name: 'ProviderRejected' });
  });

  it('keeps the rejection for another STXE-4000 reason on a verified profile', async () => {
    const { adapter } = scripted([stxe4000('Customer Profile Has Insufficient Info'), profile('verified')]);
    await expect(adapter.createVirtualAccount(ctx)).rejects.toMatchObject({ name: 'ProviderRejected' });
  });

  it('does not re-read the profile for other refusals', async () => {
    const conflict = new ProviderRejected({ provider: 'straitsx', httpStatus: 422, code: 'XFE21' });
    const { calls, adapter } = scripted([conflict]);
    await expect(adapter.createVirtualAccount(ctx)).rejects.toBe(conflict);
    expect(calls).toHaveLength(1);
  });
});
