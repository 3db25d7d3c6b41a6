import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wxPath } from '../../../functions/providers/wallex/client';
import { getItem } from '../../../functions/shared/dynamo';
import { ProviderAuthFailed, ProviderInvalidRequest, ProviderUnavailable } from '../../../functions/shared/errors';
import { budgetDay } from '../../../functions/store/daily-budget';
import { memoryTokenStore } from '../../../functions/store/token-cache';
import { failureOf } from '../provider-http';
import { PDF } from '../wallex/fixtures';
import { API_KEY, type Harness, memoryDocuments, startHarness } from '../wallex/sandbox-harness';
import { onboardUser } from '../wallex/steps';

const dailyCount = async () => {
  const key = { pk: `RATE#wallex#${budgetDay(new Date())}`, sk: 'DAY' };
  const { Item } = await getItem({ TableName: process.env.TABLE_NAME, Key: key, ConsistentRead: true });
  return (Item?.count as number | undefined) ?? 0;
};

describe('Wallex sandbox through the adapter and client', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.sandbox.reset();
    h.clock.offsetMs = 0;
  });

  it('refuses a missing or wrong X-Api-Key with 403, and bad keys or no token with 401', async () => {
    const noKey = await fetch(`${h.sandbox.url}/v2/users`);
    expect([noKey.status, await noKey.json()]).toEqual([403, { message: 'Forbidden' }]);
    const wrongKey = await failureOf(h.client({ apiKey: 'nope', tokens: memoryTokenStore() }).request('GET', '/v2/users'));
    expect([wrongKey.name, wrongKey.httpStatus]).toEqual(['ProviderAuthFailed', 403]);

    const badSecret = await failureOf(
      h.client({ secretAccessKey: 'wrong', tokens: memoryTokenStore() }).request('GET', '/v2/users'),
    );
    expect(badSecret).toBeInstanceOf(ProviderAuthFailed);
    expect([badSecret.httpStatus, badSecret.code]).toEqual([401, 'authentication_failed']);

    const noToken = await fetch(`${h.sandbox.url}/v2/users`, { headers: { 'X-Api-Key': API_KEY } });
    expect([noToken.status, await noToken.json()]).toEqual([401, { message: 'authentication_failed' }]);
    const bearer = await failureOf(h.client({ authScheme: 'bearer', tokens: memoryTokenStore() }).request('GET', '/v2/users'));
    expect([bearer.httpStatus, bearer.code]).toEqual([401, 'authentication_failed']);
  });

  it('logs in again once when the shared token has expired, and shares the new one', async () => {
    const client = h.client();
    await client.request('GET', '/v2/users');
    const issued = h.sandbox.tokensIssued();
    const refused = () => h.sandbox.requests().filter((r) => r.status === 401).length;
    const refusedBefore = refused();
    h.clock.offsetMs = 8 * 3600 * 1000 + 1000;

    await expect(client.request('GET', '/v2/users')).resolves.toEqual({ value: [] });
    await expect(h.client().request('GET', '/v2/users')).resolves.toEqual({ value: [] });
    expect(h.sandbox.tokensIssued()).toBe(issued + 1);
    expect(refused() - refusedBefore).toBe(1);
  });

  it('onboards a user: sign-up, details, document bytes in Wallex, screening pending', async () => {
    const { onboardingId, request } = h.onboarding();
    const before = await dailyCount();

    const result = await onboardUser(h.adapter(), { onboardingId, request, documents: memoryDocuments() });

    expect(result).toMatchObject({ status: 'pending', created: true, providerStatus: 'pending_approval' });
    const [user] = h.sandbox.users();
    expect(user).toMatchObject({ id: result.profileId, status: 'pending_approval', screenings: 1 });
    expect(user?.detail).toMatchObject({
      mobileNumber: '91234567',
      employmentIndustry: 'Banking/Finance/Insurance',
      expiryDate: '2030-02-19',
    });
    const [doc] = h.sandbox.documents();
    expect(doc).toMatchObject({ userId: result.profileId, documentType: 'passport', documentName: 'passport.pdf', uploads: 1 });
    expect(doc?.storageClass).toBe('STANDARD');
    expect([...(doc?.body ?? [])]).toEqual([...PDF]);
    // Every API request (the login included) was counted against the day's budget; uploads are not API requests.
    expect((await dailyCount()) - before).toBe(h.sandbox.requests().length);
  });

  it('after a sign-up whose answer was lost, the retry finds the user: still one user', async () => {
    const { onboardingId, request } = h.onboarding();
    const adapter = h.adapter();
    // A live token first, so the dropped answer is the sign-up's and not a 401's.
    await h.client().request('GET', '/v2/users');
    h.sandbox.failNext(1, 'drop', { phase: 'after', match: { method: 'POST', path: '/v2/signup' } });

    await expect(onboardUser(adapter, { onboardingId, request, documents: memoryDocuments() })).rejects.toBeInstanceOf(
      ProviderUnavailable,
    );
    expect(h.sandbox.users()).toHaveLength(1);
    const result = await onboardUser(adapter, { onboardingId, request, documents: memoryDocuments() });

    expect(result).toMatchObject({ status: 'pending', created: false });
    expect(h.sandbox.users()).toHaveLength(1);
    expect(h.sandbox.users()[0]?.id).toBe(result.profileId);
    expect(h.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/v2/signup')).toHaveLength(1);
  });

  it('a retry after everything landed re-sends nothing and screens once', async () => {
    const { onboardingId, request } = h.onboarding({ lastName: 'Pending' });
    const adapter = h.adapter();
    const first = await onboardUser(adapter, { onboardingId, request, documents: memoryDocuments() });
    const again = await onboardUser(adapter, {
      onboardingId,
      request,
      documents: memoryDocuments(),
      profileId: first.profileId,
    });

    expect(again).toMatchObject({ profileId: first.profileId, status: 'pending', created: false });
    expect(h.sandbox.users()[0]?.screenings).toBe(1);
    expect(h.sandbox.documents()).toHaveLength(1);
    expect(h.sandbox.documents()[0]?.uploads).toBe(1);
  });

  it('stops with ProviderInvalidRequest missing_fields when Wallex still lacks a field, naming only the field', async () => {
    const { onboardingId, request } = h.onboarding();
    const { mobileNumber: _dropped, ...customer } = (request as unknown as { customer: Record<string, unknown> }).customer;
    const incomplete = { ...request, customer } as typeof request;

    const error = await failureOf(onboardUser(h.adapter(), { onboardingId, request: incomplete, documents: memoryDocuments() }));
    expect(error).toBeInstanceOf(ProviderInvalidRequest);
    expect(error.code).toBe('missing_fields');
    expect(error.message).toBe('wallex: invalid request: HTTP 200: missing_fields: mobileNumber');
    expect(h.sandbox.users()[0]?.screenings).toBe(0);
    expect(h.sandbox.documents()).toHaveLength(0);
  });

  it('refuses an upload without the signed x-amz-storage-class header, or after the URL expired', async () => {
    const client = h.client();
    const { userId } = await client.request<{ userId: string }>('POST', '/v2/signup', {
      body: { firstName: 'A', lastName: 'B', email: `u${Date.now()}@example.com`, countryCode: 'SG', accountType: 'individual' },
    });
    const doc = await client.request<{ id: string; uploadUrl: string }>('POST', wxPath`/v2/users/${userId}/documents`, {
      body: { documentType: 'passport', documentName: 'passport.pdf' },
    });
    expect(new URL(doc.uploadUrl).searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-storage-class');
    expect(doc.uploadUrl.startsWith(h.sandbox.filesOrigin)).toBe(true);

    const bare = await fetch(doc.uploadUrl, { method: 'PUT', body: PDF });
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const other = await fetch(doc.uploadUrl, { method: 'PUT', body: PDF, headers: { 'x-amz-storage-class': 'GLACIER' } });
    expect(other.status).toBe(403);
    expect(h.sandbox.documents()[0]?.uploads).toBe(0);

    await client.upload(doc.uploadUrl, PDF, 'application/pdf');
    expect(h.sandbox.documents()[0]?.uploads).toBe(1);

    h.clock.offsetMs = 301_000;
    const expired = await failureOf(client.upload(doc.uploadUrl, PDF, 'application/pdf'));
    expect([expired.name, expired.code]).toEqual(['ProviderUnavailable', 'upload_url_expired']);
  });

  it('serves the uploaded bytes back through the download URL', async () => {
    const { onboardingId, request } = h.onboarding();
    const { profileId } = await onboardUser(h.adapter(), { onboardingId, request, documents: memoryDocuments() });
    const list = await h.client().request<{ value: { downloadURL: string }[] }>('GET', wxPath`/v2/users/${profileId}/documents`);
    const download = await fetch(list.value[0]!.downloadURL);
    expect(download.status).toBe(200);
    expect([...new Uint8Array(await download.arrayBuffer())]).toEqual([...PDF]);
  });
});
