import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StraitsxTransport } from '../../../functions/providers/straitsx/adapter';
import { StraitsxClient } from '../../../functions/providers/straitsx/client';
import { StraitsxConnectMigration, toMigrationAccountBody } from '../../../functions/providers/straitsx/migration';
import { ProviderAuthFailed, ProviderConflict } from '../../../functions/shared/errors';
import { type StraitsxSandbox, startStraitsxSandbox } from '../../../local/sandboxes/straitsx';

const API_KEY = 'sandbox-app-key';
const TOKEN = '2zsujd47H3-UmsxDL784beVnYbxCYCzL4psSbwZ_Ngk';

interface AccountDoc {
  data: { id: string; attributes: { referenceId: string; instructions?: { accountNo?: string } } };
}

describe('StraitsX sandbox: legacy Connect API and migration', () => {
  let sandbox: StraitsxSandbox;
  let api: StraitsxClient;
  const legacy = (token: string, appKey = API_KEY) =>
    new StraitsxClient({
      baseUrl: sandbox.connectUrl,
      apiKey: appKey,
      timeoutMs: 2000,
      extraHeaders: () => ({ 'X-XFERS-USER-API-KEY': token }),
    });
  const migration = () =>
    new StraitsxConnectMigration({
      api: async () => api as StraitsxTransport,
      legacy: async (token) => legacy(token) as StraitsxTransport,
    });

  const verifiedProfile = async (registrationId = 'S8811223H') => {
    const doc = await api.request<{ data: { id: string } }>('POST', '/kyc/customer_profiles', {
      body: { registrationType: 'personal', customerName: 'Lim Wei Jie', registrationId },
    });
    return doc.data.id;
  };

  beforeAll(async () => {
    sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0 });
    api = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => sandbox.reset());

  it('serves the legacy API under /api/v3 of the same origin', () => {
    expect(sandbox.connectUrl).toBe(`${sandbox.origin}/api/v3`);
  });

  it("answers transfer_info with the user's old account number, authenticated by the user token", async () => {
    const { accountNo } = sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1', phoneNo: '+65 9728 8607' });
    const info = await legacy(TOKEN).request<Record<string, string>>('GET', '/user/transfer_info', {
      query: { merchant_ref: 'cu-1' },
    });
    expect(info).toEqual({
      bank_name_full: 'Oversea Chinese Banking Corporation',
      bank_abbrev: 'OCBC',
      bank_account_no: accountNo,
      bank_code: '7339',
      branch_code: '646',
      branch_area: 'Jurong East',
      unique_id: '97288607',
    });
    expect(accountNo).toMatch(/^\d{11}$/);
  });

  it('keeps a seeded account number as given', async () => {
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1', accountNo: '646004424001' });
    const info = await legacy(TOKEN).request<{ bank_account_no: string }>('GET', '/user/transfer_info');
    expect(info.bank_account_no).toBe('646004424001');
  });

  it('refuses an unknown, missing or revoked token with 401 XFE5 in the legacy shape', async () => {
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    const raw = await fetch(`${sandbox.connectUrl}/user/transfer_info`, { headers: { 'X-XFERS-USER-API-KEY': 'someone-else' } });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: 'Invalid user api token', error_code: 'XFE5' });

    const missing = await fetch(`${sandbox.connectUrl}/user/transfer_info`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error_code: 'XFE5' });

    expect(sandbox.revokeConnectUser(TOKEN)).toBe(true);
    await expect(legacy(TOKEN).request('GET', '/user/transfer_info')).rejects.toBeInstanceOf(ProviderAuthFailed);
    expect(sandbox.revokeConnectUser('unknown')).toBe(false);
  });

  it('needs no app key and no signature on the legacy host (it predates both)', async () => {
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    const res = await fetch(`${sandbox.connectUrl}/user/transfer_info`, { headers: { 'X-XFERS-USER-API-KEY': TOKEN } });
    expect(res.status).toBe(200);
  });

  it("carries the old number over when the token and the user's merchant_ref come with the account create", async () => {
    const { accountNo } = sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    const profileId = await verifiedProfile();
    const result = await migration().migrate({ profileId, merchantRef: 'cu-1', userApiToken: TOKEN });
    expect(result).toMatchObject({
      matched: true,
      legacyAccountNo: accountNo,
      account: { accountNo, referenceId: 'cu-1', status: 'enabled' },
    });
    const [stored] = sandbox.virtualAccounts();
    expect(stored).toMatchObject({ accountNo, migrated: true, referenceId: 'cu-1', customerProfileId: profileId });
    // Only a hash of the request is kept: the token is nowhere in the sandbox's state.
    expect(JSON.stringify(sandbox.virtualAccounts())).not.toContain(TOKEN);
  });

  it('answers a repeat with the same account and a different request under the referenceId with 409', async () => {
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    const profileId = await verifiedProfile();
    const first = await migration().migrate({ profileId, merchantRef: 'cu-1', userApiToken: TOKEN });
    const second = await migration().migrate({ profileId, merchantRef: 'cu-1', userApiToken: TOKEN });
    expect(second.account).toEqual(first.account);
    expect(sandbox.virtualAccounts()).toHaveLength(1);
    const otherProfile = await verifiedProfile('S7700112B');
    await expect(
      api.request('POST', '/payment_methods/virtual_bank_accounts', {
        body: toMigrationAccountBody('cu-1', otherProfile, TOKEN),
      }),
    ).rejects.toBeInstanceOf(ProviderConflict);
  });

  it('issues a fresh number once the migration is broken for the user (the mismatch path)', async () => {
    const { accountNo } = sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    expect(sandbox.breakMigrationFor(TOKEN)).toBe(true);
    const profileId = await verifiedProfile();
    const result = await migration().migrate({ profileId, merchantRef: 'cu-1', userApiToken: TOKEN });
    expect(result.matched).toBe(false);
    expect(result.legacyAccountNo).toBe(accountNo);
    expect(result.account.accountNo).not.toBe(accountNo);
    expect(sandbox.virtualAccounts()[0]).toMatchObject({ migrated: false });
    expect(sandbox.breakMigrationFor('unknown')).toBe(false);
  });

  it('can seed a user whose migration is broken from the start', async () => {
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1', breakMigration: true });
    const profileId = await verifiedProfile();
    expect((await migration().migrate({ profileId, merchantRef: 'cu-1', userApiToken: TOKEN })).matched).toBe(false);
  });

  it('issues a fresh number when the referenceId is not the user merchant_ref', async () => {
    const { accountNo } = sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    const profileId = await verifiedProfile();
    const doc = await api.request<AccountDoc>('POST', '/payment_methods/virtual_bank_accounts', {
      body: toMigrationAccountBody('cu-other', profileId, TOKEN),
    });
    expect(doc.data.attributes.instructions?.accountNo).not.toBe(accountNo);
  });

  it('refuses an account create with an unknown or revoked Connect token and creates nothing', async () => {
    const profileId = await verifiedProfile();
    await expect(
      api.request('POST', '/payment_methods/virtual_bank_accounts', {
        body: toMigrationAccountBody('cu-1', profileId, 'not-a-user'),
      }),
    ).rejects.toMatchObject({ name: 'ProviderAuthFailed', code: 'XFE5' });
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    sandbox.revokeConnectUser(TOKEN);
    await expect(
      api.request('POST', '/payment_methods/virtual_bank_accounts', { body: toMigrationAccountBody('cu-1', profileId, TOKEN) }),
    ).rejects.toBeInstanceOf(ProviderAuthFailed);
    expect(sandbox.virtualAccounts()).toHaveLength(0);
  });

  it('forgets Connect users on reset and logs no query or header', async () => {
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    await legacy(TOKEN).request('GET', '/user/transfer_info', { query: { merchant_ref: 'cu-1' } });
    expect(sandbox.requests()).toEqual([{ method: 'GET', path: '/api/v3/user/transfer_info', status: 200 }]);
    sandbox.reset();
    await expect(legacy(TOKEN).request('GET', '/user/transfer_info')).rejects.toBeInstanceOf(ProviderAuthFailed);
  });

  it('injects faults on the legacy host like anywhere else', async () => {
    sandbox.addConnectUser({ userApiToken: TOKEN, merchantRef: 'cu-1' });
    sandbox.failNext(1, 'error5xx', { match: { path: '/api/v3/user/transfer_info' } });
    await expect(legacy(TOKEN).request('GET', '/user/transfer_info')).rejects.toMatchObject({ name: 'ProviderUnavailable' });
    await expect(legacy(TOKEN).request('GET', '/user/transfer_info')).resolves.toMatchObject({ bank_abbrev: 'OCBC' });
  });
});
