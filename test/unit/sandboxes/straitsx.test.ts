import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StraitsxClient, sxPath } from '../../../functions/providers/straitsx/client';
import {
  isStraitsxAlreadyExists,
  isStraitsxNotFound,
  type StraitsxInvalidRequest,
} from '../../../functions/providers/straitsx/errors';
import { straitsxCustomerSchema } from '../../../functions/providers/straitsx/schema';
import {
  ProviderAuthFailed,
  ProviderConflict,
  type ProviderError,
  ProviderInvalidRequest,
  ProviderRateLimited,
  ProviderRejected,
  ProviderTimeout,
  ProviderUnavailable,
} from '../../../functions/shared/errors';
import { type StraitsxSandbox, startStraitsxSandbox } from '../../../local/sandboxes/straitsx';
import { failureOf } from '../provider-http';

const API_KEY = 'sandbox-app-key';

interface ProfileDoc {
  data: { id: string; type: string; attributes: Record<string, unknown> & { verificationStatus: string; createdAt: string } };
}
interface AccountDoc {
  data: {
    id: string;
    type: string;
    attributes: { referenceId: string; currency?: string; status?: string; instructions?: Record<string, string> };
  };
}

const personal = (registrationId = 'S1234567A') => ({
  registrationType: 'personal',
  customerName: 'Jane Tan',
  registrationId,
  registrationIdType: 'identity_card',
  registrationIdCountry: 'SG',
  dateOfBirth: '1990-01-21',
  nationality: 'SG',
  address: { street: '100 Orchard Road', city: 'Singapore', country: 'SG' },
});

const accountBody = (referenceId: string, profileId: string, currency?: 'SGD' | 'USD') => ({
  data: {
    attributes: { referenceId, ...(currency ? { currency } : {}) },
    relationships: { customerProfile: { data: { id: profileId } } },
  },
});

describe('StraitsX sandbox through the client', () => {
  let sandbox: StraitsxSandbox;
  let client: StraitsxClient;

  const createProfile = (body: object = personal()) => client.request<ProfileDoc>('POST', '/kyc/customer_profiles', { body });
  const createAccount = (referenceId: string, profileId: string, currency?: 'SGD' | 'USD') =>
    client.request<AccountDoc>('POST', '/payment_methods/virtual_bank_accounts', {
      body: accountBody(referenceId, profileId, currency),
    });

  beforeAll(async () => {
    // The documented 5 TPS limit has its own test; here it would only slow the suite down.
    sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0 });
    client = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => sandbox.reset());

  it('answers the connectivity probe', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    await expect(client.request('GET', '/authorize/hello')).resolves.toEqual({ msg: 'Hello world' });
  });

  it('refuses a wrong or missing API key with 401 STXE-1000', async () => {
    const wrong = new StraitsxClient({ baseUrl: sandbox.url, apiKey: 'nope', timeoutMs: 2000 });
    const error = await failureOf(wrong.request('GET', '/authorize/hello'));
    expect(error).toBeInstanceOf(ProviderAuthFailed);
    expect([error.httpStatus, error.code]).toEqual([401, 'STXE-1000']);

    const bare = await fetch(`${sandbox.url}/authorize/hello`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ error_code: 'STXE-1000', error: 'Missing API Key in Header' });
  });

  it("rejects an invalid profile with the endpoint's flat XFE12 or XFE15, naming every failing field, and stores nothing", async () => {
    const badName = await failureOf(createProfile({ ...personal(), customerName: 'J@ne' }));
    const badCity = await failureOf(
      createProfile({ ...personal(), address: { street: 'x', city: 'C'.repeat(30), country: 'SG' } }),
    );
    const missing = await failureOf(createProfile({ registrationType: 'business', customerName: 'ABC Pte Ltd' }));

    const both = await failureOf(createProfile({ registrationType: 'personal', customerName: 'J@ne' }));

    expect(badName).toBeInstanceOf(ProviderInvalidRequest);
    expect([badName.httpStatus, badName.code]).toEqual([400, 'XFE12']);
    expect(badName.providerMessage).toMatch(/^customerName must be/);
    expect(badCity.providerMessage).toBe('address.city must be at most 20 characters');
    expect([missing.code, missing.providerMessage]).toEqual(['XFE15', 'registrationId is missing']);
    // One answer names the invalid and the missing field alike; the client keeps the names, not the values.
    expect([both.code, (both as StraitsxInvalidRequest).fields]).toEqual(['XFE15', ['customerName', 'registrationId']]);
    expect(both.message).not.toContain('J@ne');
    expect(sandbox.profiles()).toEqual([]);
  });

  it('takes a business registrationId with / and a tradingName, and refuses a placeOfBiz with #, on both sides', async () => {
    const business = { registrationType: 'business', customerName: 'ABC Pte Ltd', registrationId: '2019/12345K' };
    const withTrading = { ...business, tradingName: 'ABC Coffee' };
    const hashPlace = { ...business, registrationId: '201912345K', placeOfBiz: '#12-01 Tower One' };

    expect(straitsxCustomerSchema.safeParse(withTrading).success).toBe(true);
    expect(straitsxCustomerSchema.safeParse(hashPlace).success).toBe(false);
    await expect(createProfile(withTrading)).resolves.toMatchObject({ data: { attributes: { registrationId: '2019/12345K' } } });
    const refused = await failureOf(createProfile(hashPlace));
    expect([refused.httpStatus, refused.providerMessage]).toEqual([400, expect.stringMatching(/^placeOfBiz must be/)]);
    expect(sandbox.profiles()).toHaveLength(1);
  });

  it('creates a basic profile that is verified at once', async () => {
    const doc = await createProfile();

    expect(doc.data.id).toMatch(/^customer_profile_[0-9a-f-]{36}$/);
    expect(doc.data.type).toBe('customer_profile');
    expect(doc.data.attributes).toMatchObject({ ...personal(), verificationStatus: 'verified' });
    expect(doc.data.attributes.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await expect(client.request('GET', sxPath`/kyc/customer_profiles/${doc.data.id}`)).resolves.toEqual(doc);
  });

  it('answers a duplicate registration with XFE16 and keeps one profile', async () => {
    await createProfile();
    const error = await failureOf(createProfile(personal(' s1234567a ')));

    expect(error).toBeInstanceOf(ProviderConflict);
    expect([error.httpStatus, error.code, error.providerMessage]).toEqual([400, 'XFE16', 'Customer profile already exists']);
    expect(isStraitsxAlreadyExists(error)).toBe(true);
    expect(sandbox.profiles()).toHaveLength(1);
  });

  it('lets the same registrationId exist once per registration type', async () => {
    await createProfile(personal('T0123456X'));
    await createProfile({ registrationType: 'business', customerName: 'ABC Pte Ltd', registrationId: 'T0123456X' });
    expect(sandbox.profiles()).toHaveLength(2);
  });

  it('lists profiles by filter[registration_id] as an array of documents, paged and sorted', async () => {
    const first = await createProfile(personal('S0000001A'));
    const second = await createProfile(personal('S0000002B'));
    const third = await createProfile(personal('S0000003C'));

    const found = await client.request<ProfileDoc[]>('GET', '/kyc/customer_profiles', {
      query: { 'filter[registration_id]': 'S0000002B' },
    });
    expect(found).toEqual([second]);

    const page = await client.request<ProfileDoc[]>('GET', '/kyc/customer_profiles', {
      query: { 'page[size]': 2, 'page[number]': 1, sort: '-created_at' },
    });
    expect(page.map((d) => d.data.id)).toEqual([third.data.id, second.data.id]);
    const last = await client.request<ProfileDoc[]>('GET', '/kyc/customer_profiles', {
      query: { 'page[size]': 2, 'page[number]': 2 },
    });
    expect(last.map((d) => d.data.id)).toEqual([third.data.id]);
    expect(first.data.id).not.toBe(third.data.id);

    const badPage = await failureOf(client.request('GET', '/kyc/customer_profiles', { query: { 'page[size]': 0 } }));
    expect([badPage.httpStatus, badPage.code]).toEqual([400, 'STXE-3000']);
  });

  it('answers an unknown profile with the endpoint\'s 404 XFE13 "Customer profile not found"', async () => {
    const error = await failureOf(client.request('GET', '/kyc/customer_profiles/customer_profile_unknown'));
    expect([error.httpStatus, error.code, error.providerMessage]).toEqual([404, 'XFE13', 'Customer profile not found']);
    expect(isStraitsxNotFound(error)).toBe(true);
  });

  it('creates an SGD virtual account with transfer instructions at once', async () => {
    const profile = await createProfile();
    const doc = await createAccount('onb-1-sgd', profile.data.id);

    expect(doc.data.id).toMatch(/^payment_method_[0-9a-f-]{36}$/);
    expect(doc.data.type).toBe('virtual_bank_account');
    expect(doc.data.attributes.referenceId).toBe('onb-1-sgd');
    expect(doc.data.attributes.instructions).toMatchObject({ bankShortCode: 'FAZZ', recipient_name: 'Xfers Pte Ltd' });
    expect(doc.data.attributes.instructions?.accountNo).toMatch(/^\d{10}$/);
    await expect(client.request('GET', sxPath`/payment_methods/virtual_bank_accounts/${doc.data.id}`)).resolves.toEqual(doc);
  });

  it('answers a repeated referenceId with the original account and stores no second one', async () => {
    const profile = await createProfile();
    const first = await createAccount('onb-2-sgd', profile.data.id);
    const again = await createAccount('onb-2-sgd', profile.data.id, 'SGD');

    expect(again).toEqual(first);
    expect(sandbox.virtualAccounts()).toHaveLength(1);
  });

  it('answers the same referenceId with a different request with 409 STXE-7000', async () => {
    const profile = await createProfile();
    await createAccount('onb-3', profile.data.id);
    const error = await failureOf(createAccount('onb-3', profile.data.id, 'USD'));

    expect(error).toBeInstanceOf(ProviderConflict);
    expect([error.httpStatus, error.code]).toEqual([409, 'STXE-7000']);
    expect(sandbox.virtualAccounts()).toHaveLength(1);
  });

  it('checks the account request: referenceId, an existing profile, a verified profile', async () => {
    const missingRef = await failureOf(createAccount('', 'customer_profile_x'));
    const unknown = await failureOf(createAccount('onb-4', 'customer_profile_unknown'));
    sandbox.setVerificationMode('pending');
    const pending = await createProfile();
    const unverified = await failureOf(createAccount('onb-5', pending.data.id));

    expect([missingRef.httpStatus, missingRef.code, missingRef.providerMessage]).toEqual([
      400,
      'STXE-3000',
      'referenceId is missing',
    ]);
    expect(isStraitsxNotFound(unknown)).toBe(true);
    expect(pending.data.attributes.verificationStatus).toBe('pending');
    expect(unverified).toBeInstanceOf(ProviderRejected);
    expect([unverified.httpStatus, unverified.code]).toEqual([422, 'STXE-4000']);
    expect(sandbox.virtualAccounts()).toEqual([]);
  });

  it('creates a USD account pending, with instructions once enabled', async () => {
    const profile = await createProfile();
    const doc = await createAccount('onb-6-usd', profile.data.id, 'USD');
    expect(doc.data.attributes).toEqual({ referenceId: 'onb-6-usd', currency: 'USD', status: 'pending' });

    expect(sandbox.setVirtualAccountStatus(doc.data.id, 'enabled')).toBe(true);
    const enabled = await client.request<AccountDoc>('GET', sxPath`/payment_methods/virtual_bank_accounts/${doc.data.id}`);
    expect(enabled.data.attributes).toMatchObject({
      status: 'enabled',
      instructions: { recipientName: 'Jane Tan', swiftBic: 'DBSSSGSGXXX' },
    });
  });

  describe('fault injection', () => {
    it('a 503 before commit stores nothing, and the retry creates the profile once', async () => {
      sandbox.failNext(1, 'error5xx');
      const error = await failureOf(createProfile());
      expect(error).toBeInstanceOf(ProviderUnavailable);
      expect([error.httpStatus, error.code]).toEqual([503, undefined]);
      expect(sandbox.profiles()).toEqual([]);

      await createProfile();
      expect(sandbox.profiles()).toHaveLength(1);
    });

    it('a 500 answers the provider STXE-8000 body', async () => {
      sandbox.failNext(1, 'error5xx', { status: 500 });
      const error = await failureOf(client.request('GET', '/authorize/hello'));
      expect(error).toBeInstanceOf(ProviderUnavailable);
      expect(error.code).toBe('STXE-8000');
    });

    it('a dropped answer after commit stores the account, and the retry with the same referenceId adds none', async () => {
      const profile = await createProfile();
      sandbox.failNext(1, 'drop', {
        phase: 'after',
        match: { method: 'POST', path: '/v1/payment_methods/virtual_bank_accounts' },
      });

      const error = await failureOf(createAccount('onb-7-sgd', profile.data.id));
      expect(error).toBeInstanceOf(ProviderUnavailable);
      expect(sandbox.virtualAccounts()).toHaveLength(1);

      const retried = await createAccount('onb-7-sgd', profile.data.id);
      expect(retried.data.id).toBe(sandbox.virtualAccounts()[0]?.id);
      expect(sandbox.virtualAccounts()).toHaveLength(1);
    });

    it('a dropped answer after a profile commit leaves a profile the retry finds as XFE16', async () => {
      sandbox.failNext(1, 'drop', { phase: 'after' });
      await failureOf(createProfile());
      expect(sandbox.profiles()).toHaveLength(1);

      expect(isStraitsxAlreadyExists(await failureOf(createProfile()))).toBe(true);
      const found = await client.request<ProfileDoc[]>('GET', '/kyc/customer_profiles', {
        query: { 'filter[registration_id]': 'S1234567A' },
      });
      expect(found.map((d) => d.data.id)).toEqual([sandbox.profiles()[0]?.id]);
    });

    it('a slow answer beyond the client timeout is ProviderTimeout, and the commit still happens', async () => {
      const impatient = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 100 });
      sandbox.failNext(1, 'slow', { ms: 400, phase: 'after' });

      const error = await failureOf(impatient.request('POST', '/kyc/customer_profiles', { body: personal() }));
      expect(error).toBeInstanceOf(ProviderTimeout);
      expect(sandbox.profiles()).toHaveLength(1);
    });

    it('an injected throttle answers 429 STXE-9000', async () => {
      sandbox.failNext(1, 'rateLimit429');
      const error = await failureOf(client.request('GET', '/authorize/hello'));
      expect(error).toBeInstanceOf(ProviderRateLimited);
      expect([error.httpStatus, error.code]).toEqual([429, 'STXE-9000']);
    });

    it('repeats the same random faults for the same seed', async () => {
      const run = async () => {
        sandbox.setFaults({ error5xx: 0.4, seed: 42 });
        const outcomes: string[] = [];
        for (let i = 0; i < 12; i++) {
          outcomes.push(
            await client.request('GET', '/authorize/hello').then(
              () => 'ok',
              (e: ProviderError) => e.name,
            ),
          );
        }
        sandbox.clearFaults();
        return outcomes;
      };
      const first = await run();
      expect(await run()).toEqual(first);
      expect(first).toContain('ProviderUnavailable');
      expect(first).toContain('ok');
    });

    it('logs method, path and status of every request, without bodies or queries', async () => {
      sandbox.failNext(1, 'error5xx');
      await failureOf(createProfile());
      await client.request('GET', '/kyc/customer_profiles', { query: { 'filter[registration_id]': 'S1234567A' } });
      expect(sandbox.requests()).toEqual([
        { method: 'POST', path: '/v1/kyc/customer_profiles', status: 503, fault: 'error5xx' },
        { method: 'GET', path: '/v1/kyc/customer_profiles', status: 200 },
      ]);
    });
  });
});

describe('StraitsX sandbox rate limit', () => {
  let sandbox: StraitsxSandbox;
  let now = 0;

  beforeAll(async () => {
    // The limiter's clock stands still unless the test moves it, so a slow machine cannot refill a token.
    sandbox = await startStraitsxSandbox({ apiKey: API_KEY, rateClock: () => now });
  });
  afterAll(() => sandbox.stop());

  it('allows 5 requests per second per key, then answers 429 STXE-9000', async () => {
    const client = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
    const outcomes: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await client.request('GET', '/authorize/hello').then(
          () => 'ok',
          (e: ProviderError) => e.code,
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'STXE-9000']);
    expect(sandbox.requests().at(-1)).toEqual({ method: 'GET', path: '/v1/authorize/hello', status: 429 });

    // "5 TPS" counts any one second: a sixth request waits until the first is a full second old.
    now += 999;
    expect((await failureOf(client.request('GET', '/authorize/hello'))).code).toBe('STXE-9000');
    now += 1;
    await expect(client.request('GET', '/authorize/hello')).resolves.toEqual({ msg: 'Hello world' });
    const other = new StraitsxClient({ baseUrl: sandbox.url, apiKey: 'another-key', timeoutMs: 2000 });
    expect((await failureOf(other.request('GET', '/authorize/hello'))).code).toBe('STXE-1000');
  });
});
