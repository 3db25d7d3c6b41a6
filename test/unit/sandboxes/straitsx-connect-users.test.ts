import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StraitsxTransport } from '../../../functions/providers/straitsx/adapter';
import { StraitsxClient } from '../../../functions/providers/straitsx/client';
import { isConnectTokenRefused, StraitsxConnectMigration } from '../../../functions/providers/straitsx/migration';
import { createConnectUser, revokeConnectUser, straitsxSandboxOf } from '../../../local/sandbox-commands';
import { type StraitsxSandbox, startStraitsxSandbox } from '../../../local/sandboxes/straitsx';

const API_KEY = 'sandbox-app-key';

let sandbox: StraitsxSandbox;
let dataDir: string;
let api: StraitsxClient;

const migration = () =>
  new StraitsxConnectMigration({
    api: async () => api as StraitsxTransport,
    legacy: async (token) =>
      new StraitsxClient({
        baseUrl: sandbox.connectUrl,
        apiKey: API_KEY,
        timeoutMs: 2000,
        extraHeaders: () => ({ 'X-XFERS-USER-API-KEY': token }),
      }) as StraitsxTransport,
  });

const verifiedProfile = async (registrationId: string) =>
  (
    await api.request<{ data: { id: string } }>('POST', '/kyc/customer_profiles', {
      body: { registrationType: 'personal', customerName: 'Lim Wei Jie', registrationId },
    })
  ).data.id;

beforeAll(async () => {
  // A data folder laid out as `npm start` leaves it: secrets, runtime.json and the sandbox's own state.
  dataDir = mkdtempSync(join(tmpdir(), 'onboard-data-'));
  sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, dataDir: join(dataDir, 'sandboxes', 'straitsx') });
  writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify({ straitsx: { apiKey: API_KEY } }));
  writeFileSync(join(dataDir, 'runtime.json'), JSON.stringify({ STRAITSX_BASE_URL: sandbox.url }));
  api = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('StraitsX sandbox: Connect users for trying a migration', () => {
  it('creates a Connect user whose old account number a migration carries over', async () => {
    const user = await createConnectUser(straitsxSandboxOf(dataDir, 1), { merchantRef: 'legacy-ref-1' });
    expect(user).toMatchObject({ merchantRef: 'legacy-ref-1', accountNo: expect.stringMatching(/^\d{11}$/) });
    expect(user.userApiToken).toMatch(/^[0-9a-f]{48}$/);

    const result = await migration().migrate({
      profileId: await verifiedProfile('S8811001A'),
      merchantRef: user.merchantRef,
      userApiToken: user.userApiToken,
    });
    expect(result).toMatchObject({ matched: true, legacyAccountNo: user.accountNo, account: { accountNo: user.accountNo } });
  });

  it('revokes a token: a migration with it is refused with XFE5 and creates nothing', async () => {
    const target = straitsxSandboxOf(dataDir, 1);
    const user = await createConnectUser(target);
    expect(user.merchantRef).toMatch(/^connect-[0-9a-f]{12}$/);
    await revokeConnectUser(target, user.userApiToken);
    const before = sandbox.virtualAccounts().length;

    const refused = await migration()
      .migrate({ profileId: await verifiedProfile('S8811002B'), merchantRef: user.merchantRef, userApiToken: user.userApiToken })
      .catch((error: unknown) => error);
    expect(isConnectTokenRefused(refused)).toBe(true);
    expect(sandbox.virtualAccounts()).toHaveLength(before);
  });

  it('needs the app API key and names a bad field; keeps no token in its log or its data folder', async () => {
    const target = straitsxSandboxOf(dataDir, 1);
    await expect(createConnectUser({ ...target, apiKey: 'wrong' })).rejects.toThrow('HTTP 401');
    await expect(createConnectUser(target, { merchantRef: 'has spaces' })).rejects.toThrow('merchantRef must be');
    await expect(revokeConnectUser(target, 'never-issued')).rejects.toThrow('HTTP 404');
    const user = await createConnectUser(target);
    expect(JSON.stringify(sandbox.requests())).not.toContain(user.userApiToken);
    expect(readFileSync(join(dataDir, 'sandboxes', 'straitsx', 'state.json'), 'utf8')).not.toContain(user.userApiToken);
  });

  it('is what `onboard sandbox connect-user` prints, for the stack in --data', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'local/cli.ts', 'sandbox', 'connect-user', '--data', dataDir, '--merchant-ref', 'legacy-cli-1'],
      { timeout: 60_000 },
    );
    const printed = JSON.parse(stdout) as { userApiToken: string; merchantRef: string; accountNo: string };
    expect(printed).toMatchObject({ merchantRef: 'legacy-cli-1', userApiToken: expect.any(String) });
    const legacy = await fetch(`${sandbox.connectUrl}/user/transfer_info`, {
      headers: { 'x-xfers-user-api-key': printed.userApiToken },
    });
    expect(await legacy.json()).toMatchObject({ bank_account_no: printed.accountNo });
  }, 60_000);
});
