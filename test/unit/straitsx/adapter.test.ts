import { describe, expect, it } from 'vitest';
import { parseOnboardingRequest } from '../../../functions/onboarding/request';
import { StraitsxAdapter } from '../../../functions/providers/straitsx/adapter';
import type { StraitsxClient } from '../../../functions/providers/straitsx/client';
import { ProviderConflict, ProviderUnavailable } from '../../../functions/shared/errors';

interface Call {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

/** A scripted client: answers each call with the next scripted reply and records what went out. */
function scripted(replies: Array<unknown | Error>) {
  const calls: Call[] = [];
  const client = {
    async request(method: string, path: string, options: { query?: Record<string, string>; body?: unknown } = {}) {
      calls.push({ method, path, ...options });
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
const profile = (id: string, registrationId: string, verificationStatus = 'verified', registrationType = 'personal') => ({
  data: { id, type: 'customer_profile', attributes: { registrationId, registrationType, verificationStatus } },
});
const noDocuments = {
  uploaded: () => [],
  url: async () => {
    throw new Error('no documents');
  },
  read: async () => {
    throw new Error('no documents');
  },
};
const ctx = { onboardingId: 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa', request, documents: noDocuments };

describe('StraitsX adapter', () => {
  it('creates the profile with one request, looking nothing up first', async () => {
    const { calls, adapter } = scripted([profile('customer_profile_1', 'S8512345D')]);
    const result = await adapter.createProfile(ctx);
    expect(result).toEqual({ profileId: 'customer_profile_1', status: 'verified', created: true });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /kyc/customer_profiles']);
    expect(calls[0]!.body).toMatchObject({
      registrationType: 'personal',
      customerName: 'Tan Mei Ling',
      registrationId: 'S8512345D',
    });
  });

  it('reuses an existing profile of the same type when StraitsX answers the create with a duplicate (XFE16)', async () => {
    const duplicate = new ProviderConflict({ provider: 'straitsx', code: 'XFE16', httpStatus: 400 });
    const { calls, adapter } = scripted([
      duplicate,
      [profile('customer_profile_b', 'S8512345D', 'verified', 'business'), profile('customer_profile_p', 's8512345d')],
    ]);
    const result = await adapter.createProfile(ctx);
    expect(result).toMatchObject({ profileId: 'customer_profile_p', created: false });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /kyc/customer_profiles', 'GET /kyc/customer_profiles']);
    expect(calls[1]!.query).toMatchObject({ 'filter[registration_id]': 'S8512345D' });
  });

  it('answers a duplicate (XFE16) by finding the profile and carrying on', async () => {
    const duplicate = new ProviderConflict({ provider: 'straitsx', code: 'XFE16', httpStatus: 400 });
    const { adapter } = scripted([duplicate, [profile('customer_profile_9', 'S8512345D')]]);
    expect(await adapter.createProfile(ctx)).toMatchObject({ profileId: 'customer_profile_9', created: false });
  });

  it('gives up with a conflict when a duplicate cannot be found again', async () => {
    const duplicate = new ProviderConflict({ provider: 'straitsx', code: 'XFE16', httpStatus: 400 });
    const { adapter } = scripted([duplicate, []]);
    await expect(adapter.createProfile(ctx)).rejects.toMatchObject({ name: 'ProviderConflict', code: 'XFE16' });
  });

  it('lets retryable errors through for the workflow to retry', async () => {
    const { adapter } = scripted([new ProviderUnavailable({ provider: 'straitsx', httpStatus: 503 })]);
    await expect(adapter.createProfile(ctx)).rejects.toMatchObject({ name: 'ProviderUnavailable' });
  });

  it('carries a rejection and its retryability', async () => {
    const rejected = {
      data: {
        id: 'customer_profile_r',
        type: 'customer_profile',
        attributes: {
          registrationId: 'S8512345D',
          registrationType: 'personal',
          verificationStatus: 'rejected',
          isRetryable: false,
        },
      },
    };
    const { adapter } = scripted([new ProviderConflict({ provider: 'straitsx', code: 'XFE16', httpStatus: 400 }), [rejected]]);
    expect(await adapter.createProfile(ctx)).toMatchObject({ status: 'rejected', rejection: { retryable: false } });
  });

  it('creates the virtual account with a referenceId that is the same on every attempt', async () => {
    const account = {
      data: {
        id: 'payment_method_1',
        type: 'virtual_bank_account',
        attributes: { referenceId: 'r', instructions: { bankShortCode: 'FAZZ', accountNo: '8881234567' } },
      },
    };
    const first = scripted([account]);
    const second = scripted([account]);
    const result = await first.adapter.createVirtualAccount({ ...ctx, profileId: 'customer_profile_1' });
    await second.adapter.createVirtualAccount({ ...ctx, profileId: 'customer_profile_1' });
    expect(result).toMatchObject({ id: 'payment_method_1', status: 'enabled', accountNo: '8881234567', currency: 'SGD' });
    const body = first.calls[0]!.body as { data: { attributes: { referenceId: string }; relationships: unknown } };
    expect(body.data.attributes.referenceId).toBe((second.calls[0]!.body as typeof body).data.attributes.referenceId);
    expect(body.data.attributes.referenceId.length).toBeLessThanOrEqual(191);
    expect(body.data.relationships).toEqual({ customerProfile: { data: { id: 'customer_profile_1' } } });
  });
});
