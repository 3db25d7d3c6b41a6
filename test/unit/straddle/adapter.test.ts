import { describe, expect, it } from 'vitest';
import type { OnboardingRequest } from '../../../functions/onboarding/request';
import { StraddleAdapter, type StraddleTransport } from '../../../functions/providers/straddle/adapter';
import type { StraddleRequestOptions, StraddleResponse } from '../../../functions/providers/straddle/client';
import { toProfileResult, toProfileStatus } from '../../../functions/providers/straddle/mappers';
import { straddleRequestSchema } from '../../../functions/providers/straddle/request';
import { ProviderConflict, ProviderInvalidRequest, ProviderUnavailable } from '../../../functions/shared/errors';

interface Call {
  method: string;
  path: string;
  options: StraddleRequestOptions;
}

const answer = (data: unknown, replayed = false): StraddleResponse<unknown> => ({
  data,
  meta: { api_request_id: 'req' },
  responseType: Array.isArray(data) ? 'array' : 'object',
  httpStatus: 200,
  replayed,
  requestId: 'req',
});

/** A scripted transport: answers each call with the next scripted reply and records what went out. */
function scripted(replies: Array<StraddleResponse<unknown> | Error>) {
  const calls: Call[] = [];
  const transport: StraddleTransport = {
    request: async <T>(method: string, path: string, options: StraddleRequestOptions = {}) => {
      calls.push({ method, path, options });
      const reply = replies.shift();
      if (!reply || reply instanceof Error) throw reply ?? new Error('no scripted reply');
      return reply as StraddleResponse<T>;
    },
  };
  return { calls, adapter: new StraddleAdapter(async () => transport) };
}

const request = straddleRequestSchema.parse({
  provider: 'straddle',
  merchantRef: 'u-1',
  customer: {
    type: 'individual',
    name: 'Ron Swanson',
    email: 'ron@pawnee.example',
    phone: '+12128675309',
    device: { ip_address: '192.168.1.1' },
    config: { sandbox_outcome: 'review' },
  },
}) as unknown as OnboardingRequest;
const ONB = 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa';
const ctx = { onboardingId: ONB, request };
const customer = (status: string, id = 'c-1') => ({ id, status, updated_at: '2025-01-01T00:00:00Z', email: 'x' });

describe('Straddle status mapping', () => {
  it.each([
    ['pending', 'pending'],
    ['review', 'review'],
    ['verified', 'verified'],
    ['rejected', 'rejected'],
    ['inactive', 'rejected'],
    ['something_new', 'pending'],
  ])('maps %s to %s', (provider, port) => {
    expect(toProfileStatus(provider)).toBe(port);
  });

  it('gives inactive the reason inactive, and a rejection its machine-readable reason only', () => {
    expect(toProfileResult({ id: 'c', status: 'inactive' }, false)).toEqual({
      profileId: 'c',
      status: 'rejected',
      created: false,
      providerStatus: 'inactive',
      rejection: { reason: 'inactive' },
    });
    expect(
      toProfileResult({ id: 'c', status: 'rejected', status_details: { reason: 'failed_verification' } }, true).rejection,
    ).toEqual({
      reason: 'failed_verification',
    });
    expect(
      toProfileResult({ id: 'c', status: 'rejected', status_details: { reason: 'Free text, with a name' } }, true).rejection,
    ).toEqual({
      reason: 'rejected',
    });
  });
});

describe('Straddle adapter', () => {
  it('needs no documents and no virtual account', () => {
    const { adapter } = scripted([]);
    expect(adapter.requiredDocuments()).toEqual([]);
    expect(adapter.needsVirtualAccount()).toBe(false);
  });

  it('looks the customer up by external_id, then creates it with the onboarding id and an Idempotency-Key', async () => {
    const { calls, adapter } = scripted([answer([]), answer(customer('review'))]);
    const result = await adapter.createProfile(ctx);

    expect(result).toEqual({ profileId: 'c-1', status: 'review', created: true, providerStatus: 'review' });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v1/customers', 'POST /v1/customers']);
    expect(calls[0]!.options.query).toMatchObject({ external_id: ONB });
    expect(calls[1]!.options.body).toMatchObject({ external_id: ONB, type: 'individual', config: { sandbox_outcome: 'review' } });
    expect(calls[1]!.options.idempotencyKey).toMatch(/^cc0-[0-9a-f]{32}$/);
  });

  it('sends the same key on every retry, and a new one once the attempt is bumped after a 400', async () => {
    const keyOf = async (attempt?: number) => {
      const { calls, adapter } = scripted([answer([]), answer(customer('verified'))]);
      await adapter.createProfile({ ...ctx, ...(attempt === undefined ? {} : { idempotencyAttempt: attempt }) });
      return calls[1]!.options.idempotencyKey;
    };
    const first = await keyOf();
    expect(await keyOf()).toBe(first);
    expect(await keyOf(0)).toBe(first);
    const bumped = await keyOf(1);
    expect(bumped).not.toBe(first);
    expect(bumped).toMatch(/^cc1-/);
  });

  it('reports a replayed create as found again, not created', async () => {
    const { adapter } = scripted([answer([]), answer(customer('verified'), true)]);
    expect(await adapter.createProfile(ctx)).toMatchObject({ profileId: 'c-1', created: false });
  });

  it('reuses a customer found by external_id and creates nothing', async () => {
    const { calls, adapter } = scripted([answer([customer('verified', 'c-9')])]);
    expect(await adapter.createProfile(ctx)).toMatchObject({ profileId: 'c-9', status: 'verified', created: false });
    expect(calls).toHaveLength(1);
  });

  it('reads the recorded profile id directly when the step already knows it', async () => {
    const { calls, adapter } = scripted([answer(customer('pending', 'c-5'))]);
    expect(await adapter.createProfile({ ...ctx, profileId: 'c-5' })).toMatchObject({
      profileId: 'c-5',
      status: 'pending',
      created: false,
    });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v1/customers/c-5']);
  });

  it('answers a duplicate email by finding its own earlier customer, or lets the error through', async () => {
    const duplicate = new ProviderInvalidRequest({ provider: 'straddle', httpStatus: 422, code: 'validation_error' });
    const found = scripted([answer([]), duplicate, answer([customer('review', 'c-7')])]);
    expect(await found.adapter.createProfile(ctx)).toMatchObject({ profileId: 'c-7', created: false });

    const someoneElse = scripted([answer([]), duplicate, answer([])]);
    await expect(someoneElse.adapter.createProfile(ctx)).rejects.toBe(duplicate);
  });

  it('lets a reused-key conflict through when nothing is found, and retryable errors as they are', async () => {
    const reused = new ProviderConflict({ provider: 'straddle', httpStatus: 409, code: 'idempotency_key_reused' });
    await expect(scripted([answer([]), reused, answer([])]).adapter.createProfile(ctx)).rejects.toBe(reused);
    const down = new ProviderUnavailable({ provider: 'straddle', httpStatus: 503 });
    await expect(scripted([down]).adapter.createProfile(ctx)).rejects.toBe(down);
  });

  it('refuses a request for another provider', async () => {
    const other = { provider: 'straitsx', customer: {} } as unknown as OnboardingRequest;
    await expect(scripted([]).adapter.createProfile({ onboardingId: ONB, request: other })).rejects.toThrow(/straitsx/);
  });

  it('reads the status of a known customer', async () => {
    const { calls, adapter } = scripted([answer(customer('inactive', 'c-3'))]);
    expect(await adapter.getProfileStatus({ ...ctx, profileId: 'c-3' })).toMatchObject({
      status: 'rejected',
      rejection: { reason: 'inactive' },
    });
    expect(calls[0]!.path).toBe('/v1/customers/c-3');
  });

  it('decides a review with PATCH …/review and its own key', async () => {
    const { calls, adapter } = scripted([answer(customer('verified', 'c-2'))]);
    const result = await adapter.decideReview({ ...ctx, profileId: 'c-2', decision: 'verified', reason: 'documents checked' });

    expect(result).toMatchObject({ profileId: 'c-2', status: 'verified' });
    expect(calls[0]).toMatchObject({
      method: 'PATCH',
      path: '/v1/customers/c-2/review',
      options: { body: { status: 'verified' } },
    });
    expect(calls[0]!.options.idempotencyKey).toMatch(/^rd0-[0-9a-f]{32}$/);
  });

  it('maps a 422 on a decision to not_in_review', async () => {
    const semantic = new ProviderInvalidRequest({
      provider: 'straddle',
      httpStatus: 422,
      code: 'validation_error',
      requestId: 'r-1',
    });
    const { adapter } = scripted([semantic]);
    const error = await adapter.decideReview({ ...ctx, profileId: 'c-2', decision: 'rejected' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect(error).toMatchObject({ code: 'not_in_review', httpStatus: 422, requestId: 'r-1' });
  });
});
