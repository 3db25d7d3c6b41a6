import { describe, expect, it } from 'vitest';
import { StraddleClient } from '../../../functions/providers/straddle/client';
import { StraddleInvalidRequest } from '../../../functions/providers/straddle/errors';
import { straddleIdempotencyKey } from '../../../functions/providers/straddle/idempotency';
import {
  ProviderAuthFailed,
  ProviderConflict,
  ProviderInvalidRequest,
  ProviderRateLimited,
  ProviderUnavailable,
} from '../../../functions/shared/errors';
import { failureOf } from '../provider-http';
import { API_KEY, customerFor, requestFor, straddleFixture } from '../straddle/sandbox-fixture';

interface Customer {
  id: string;
  status: string;
  external_id: string | null;
  compliance_profile: Record<string, unknown> | null;
}

describe('Straddle sandbox through the client and adapter', () => {
  const fx = straddleFixture();
  const create = (body: object, key: string) =>
    fx.client().request<Customer>('POST', '/v1/customers', { body, idempotencyKey: key });
  const onboard = (onboardingId: string, customer: Record<string, unknown>) =>
    fx.adapter().createProfile({ onboardingId, request: requestFor(customer) });

  it('refuses a missing or wrong API key with 401 in the error envelope', async () => {
    const wrong = new StraddleClient({ baseUrl: fx.sandbox().url, apiKey: 'sk_wrong', timeoutMs: 2000 });
    const error = await failureOf(wrong.request('GET', '/v1/customers'));
    expect(error).toBeInstanceOf(ProviderAuthFailed);
    expect(error.httpStatus).toBe(401);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const bare = await fetch(`${fx.sandbox().url}/v1/customers`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ response_type: 'error', error: { status: 401, type: '/unauthorized' } });
  });

  it('answers invalid fields with 400 and items, stores nothing, and spends the key', async () => {
    const key = 'test-key-400-0001';
    const error = await failureOf(create({ ...customerFor('a'), phone: '317-555-0123', device: {} }, key));
    expect(error).toBeInstanceOf(StraddleInvalidRequest);
    expect([error.httpStatus, error.code]).toEqual([400, 'field_validation']);
    expect((error as StraddleInvalidRequest).fields).toEqual(['phone', 'device.ip_address']);
    expect(fx.sandbox().customers()).toEqual([]);

    const reused = await failureOf(create(customerFor('a'), key));
    expect(reused).toBeInstanceOf(ProviderConflict);
    expect(reused.code).toBe('idempotency_key_reused');
    await expect(create(customerFor('a'), 'test-key-400-0002')).resolves.toMatchObject({ httpStatus: 201 });
  });

  it('refuses an Idempotency-Key outside 10 to 40 characters', async () => {
    const answer = await fetch(`${fx.sandbox().url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': 'short' },
      body: JSON.stringify(customerFor('k')),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { items: [{ reference: 'Idempotency-Key' }] } });
  });

  it('replays a repeated request with Idempotent-Replayed and creates no second customer', async () => {
    const key = straddleIdempotencyKey('onb_replay', 'createCustomer');
    const first = await create(customerFor('r'), key);
    const again = await create(customerFor('r'), key);

    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.data).toEqual(first.data);
    expect(again.requestId).toBe(first.requestId);
    expect(fx.sandbox().customers()).toHaveLength(1);
  });

  it('answers the same key with a different body with 409, and a key still in flight with a retryable 409', async () => {
    await create(customerFor('c'), 'test-key-conflict-01');
    const different = await failureOf(create(customerFor('d'), 'test-key-conflict-01'));
    expect(different).toBeInstanceOf(ProviderConflict);
    expect(different.httpStatus).toBe(409);

    fx.sandbox().setProcessingDelay(150);
    const slow = create(customerFor('e'), 'test-key-inflight-01');
    await new Promise((resolve) => setTimeout(resolve, 40));
    const inFlight = await failureOf(create(customerFor('e'), 'test-key-inflight-01'));
    expect(inFlight).toBeInstanceOf(ProviderUnavailable);
    expect([inFlight.httpStatus, inFlight.code]).toEqual([409, 'idempotency_in_progress']);
    await expect(slow).resolves.toMatchObject({ httpStatus: 201 });
    expect(fx.sandbox().customers()).toHaveLength(2);
  });

  it('finds the customer again after an answer lost in transit, and keeps one', async () => {
    fx.sandbox().failNext(1, 'drop', { phase: 'after', match: { method: 'POST', path: '/v1/customers' } });
    const lost = await failureOf(onboard('onb_lost', customerFor('lost', { config: { sandbox_outcome: 'verified' } })));
    expect(lost).toBeInstanceOf(ProviderUnavailable);
    expect(fx.sandbox().customers()).toHaveLength(1);

    const retry = await onboard('onb_lost', customerFor('lost', { config: { sandbox_outcome: 'verified' } }));
    expect(retry).toMatchObject({ status: 'verified', created: false, profileId: fx.sandbox().customers()[0]!.id });
    expect(fx.sandbox().customers()).toHaveLength(1);
    expect(fx.sandbox().customers()[0]!.external_id).toBe('onb_lost');
  });

  it('runs a create again after a server error before it was stored', async () => {
    fx.sandbox().failNext(1, 'error5xx', { status: 500, match: { method: 'POST' } });
    expect(await failureOf(onboard('onb_500', customerFor('five')))).toBeInstanceOf(ProviderUnavailable);
    expect(await onboard('onb_500', customerFor('five'))).toMatchObject({ created: true });
    expect(fx.sandbox().customers()).toHaveLength(1);
  });

  it.each([
    ['verified', 'verified'],
    ['review', 'review'],
    ['rejected', 'rejected'],
    ['standard', 'review'],
  ])('decides sandbox_outcome %s as %s at create', async (outcome, status) => {
    const result = await onboard(`onb_${outcome}`, customerFor(outcome, { config: { sandbox_outcome: outcome } }));
    expect(result).toMatchObject({ status, providerStatus: status, created: true });
    if (status === 'rejected') expect(result.rejection).toBeDefined();
  });

  it('records a review decision with PATCH …/review, and refuses one on a verified customer with 422', async () => {
    const inReview = await onboard('onb_rev', customerFor('rev', { config: { sandbox_outcome: 'review' } }));
    const decided = await fx.adapter().decideReview({
      onboardingId: 'onb_rev',
      request: requestFor(customerFor('rev')),
      profileId: inReview.profileId,
      decision: 'verified',
    });
    expect(decided).toMatchObject({ profileId: inReview.profileId, status: 'verified' });
    const review = await fx
      .client()
      .request<{ identity_details: { decision: string } }>('GET', `/v1/customers/${inReview.profileId}/review`);
    expect(review.data.identity_details.decision).toBe('accept');

    const verified = await onboard('onb_ver', customerFor('ver', { config: { sandbox_outcome: 'verified' } }));
    const error = await failureOf(
      fx.adapter().decideReview({
        onboardingId: 'onb_ver',
        request: requestFor(customerFor('ver')),
        profileId: verified.profileId,
        decision: 'rejected',
      }),
    );
    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect([error.httpStatus, error.code]).toEqual([422, 'not_in_review']);
    expect(error.providerMessage).toContain('Customers with status Verified cannot be changed');
  });

  it('refuses a second customer with the same email with 422 /validation_error', async () => {
    await onboard('onb_first', customerFor('dup'));
    const error = await failureOf(onboard('onb_second', customerFor('dup', { name: 'Someone Else' })));
    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect([error.httpStatus, error.code]).toEqual([422, 'validation_error']);
    expect(error.message).not.toContain('@');
  });

  it('masks the compliance profile in answers and shows it on the unmasked endpoint', async () => {
    const { profileId } = await onboard('onb_mask', customerFor('mask'));
    const customer = await fx.operations().getCustomer(profileId);
    expect(customer.compliance_profile).toEqual({ dob: '****-**-**', ssn: '***-**-****' });
    const unmasked = await fx.operations().getUnmaskedCustomer(profileId);
    expect(unmasked.compliance_profile).toEqual({ dob: '1975-01-18', ssn: '123-45-6789' });

    const business = await onboard('onb_biz', {
      ...customerFor('biz', { type: 'business', name: 'Sweetums Inc' }),
      compliance_profile: { ein: '12-3456789', legal_business_name: 'Sweetums Incorporated' },
    });
    expect((await fx.operations().getCustomer(business.profileId)).compliance_profile).toMatchObject({
      ein: '**-*******',
      legal_business_name: 'Sweetums Incorporated',
    });
  });

  it('lists customers with the documented filters and paging meta', async () => {
    for (const [i, outcome] of ['verified', 'review', 'verified', 'rejected', 'verified'].entries()) {
      await onboard(`onb_list_${i}`, customerFor(`list${i}`, { config: { sandbox_outcome: outcome }, name: `Ann Perkins ${i}` }));
    }
    const ops = fx.operations();
    const verified = await ops.listCustomers({ status: ['verified'], page_size: 2, page_number: 2 });
    expect(verified.customers.map((c) => c.external_id)).toEqual(['onb_list_4']);
    expect(verified.meta).toMatchObject({
      page_number: 2,
      page_size: 2,
      total_items: 3,
      total_pages: 2,
      sort_by: 'created_at',
      sort_order: 'asc',
    });

    const twoStatuses = await ops.listCustomers({ status: ['review', 'rejected'], sort_by: 'name', sort_order: 'desc' });
    expect(twoStatuses.customers.map((c) => c.name)).toEqual(['Ann Perkins 3', 'Ann Perkins 1']);
    expect((await ops.listCustomers({ external_id: 'onb_list_2' })).customers).toHaveLength(1);
    expect((await ops.listCustomers({ name: 'perkins 0' })).customers).toHaveLength(1);
    expect((await ops.listCustomers({ types: ['business'] })).customers).toEqual([]);
    expect((await ops.listCustomers({ created_to: '2000-01-01' })).customers).toEqual([]);
    expect(Object.keys(verified.customers[0]!).sort()).toEqual(
      ['created_at', 'email', 'external_id', 'id', 'name', 'phone', 'status', 'type', 'updated_at'].sort(),
    );

    const error = await failureOf(ops.listCustomers({ page_size: 0 }));
    expect(error).toBeInstanceOf(StraddleInvalidRequest);
    expect((error as StraddleInvalidRequest).fields).toEqual(['page_size']);
  });

  it('replaces a customer with PUT, which needs the required fields', async () => {
    const { profileId } = await onboard('onb_put', customerFor('put', { config: { sandbox_outcome: 'review' } }));
    const replaced = await fx.operations().replaceCustomer(profileId, {
      name: 'Leslie Knope',
      email: 'leslie.knope@pawnee.example',
      phone: '+13175550199',
      device: { ip_address: '10.0.0.1' },
      status: 'inactive',
      external_id: 'onb_put',
    });
    expect(replaced).toMatchObject({
      id: profileId,
      name: 'Leslie Knope',
      status: 'inactive',
      address: null,
      compliance_profile: null,
    });
    expect(
      await fx.adapter().getProfileStatus({ onboardingId: 'onb_put', request: requestFor(customerFor('put')), profileId }),
    ).toMatchObject({
      status: 'rejected',
      rejection: { reason: 'inactive' },
    });
  });

  it('answers 429 over the rate limit, mapped as retryable', async () => {
    fx.sandbox().setRatePerSecond(2);
    try {
      await fx.client().request('GET', '/v1/customers');
      await fx.client().request('GET', '/v1/customers');
      const error = await failureOf(fx.client().request('GET', '/v1/customers'));
      expect(error).toBeInstanceOf(ProviderRateLimited);
      expect(error.httpStatus).toBe(429);
    } finally {
      fx.sandbox().setRatePerSecond(0);
    }
  });

  it('deletes a customer with DELETE /v1/customers/{id}, answering it as it was; it is gone afterwards', async () => {
    const created = await create(customerFor('del'), 'test-key-del-0001');
    const id = created.data.id;
    const deleted = await fx.client().request<Customer>('DELETE', `/v1/customers/${id}`, { idempotencyKey: 'test-key-del-0002' });
    expect([deleted.httpStatus, deleted.data.id]).toEqual([200, id]);
    expect(fx.sandbox().customers()).toEqual([]);
    const gone = await failureOf(fx.client().request('GET', `/v1/customers/${id}`));
    expect([gone.httpStatus, gone.code]).toEqual([404, 'not_found']);
  });

  it('leaves kyc out of a business review (the SDK types it an object or absent) and gives it for an individual', async () => {
    const business = customerFor('biz', {
      type: 'business',
      compliance_profile: { ein: '12-3456789', legal_business_name: 'Paunch Burger LLC' },
      config: { sandbox_outcome: 'review' },
    });
    const biz = await create(business, 'test-key-kyc-0001');
    const person = await create(customerFor('ind', { config: { sandbox_outcome: 'review' } }), 'test-key-kyc-0002');
    const reviewOf = (id: string) =>
      fx.client().request<{ identity_details: Record<string, unknown> }>('GET', `/v1/customers/${id}/review`);
    expect((await reviewOf(biz.data.id)).data.identity_details).not.toHaveProperty('kyc');
    expect((await reviewOf(person.data.id)).data.identity_details.kyc).toMatchObject({ decision: 'review' });
  });

  it('answers 404 for an unknown customer', async () => {
    const error = await failureOf(fx.client().request('GET', '/v1/customers/00000000-0000-0000-0000-000000000000'));
    expect([error.name, error.httpStatus, error.code]).toEqual(['ProviderInvalidRequest', 404, 'not_found']);
  });
});
