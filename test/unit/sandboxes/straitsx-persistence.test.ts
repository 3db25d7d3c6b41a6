import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type StraitsxSandbox, startStraitsxSandbox } from '../../../local/sandboxes/straitsx';
import { eventually, startReceiver } from '../wallex/sandbox-harness';

const API_KEY = 'sandbox-app-key';
const SECRET = 'a'.repeat(64);

const personal = (registrationId: string) => ({
  registrationType: 'personal',
  customerName: 'Jane Tan',
  registrationId,
  registrationIdType: 'identity_card',
  registrationIdCountry: 'SG',
  dateOfBirth: '1990-01-21',
  nationality: 'SG',
  address: { street: '100 Orchard Road', city: 'Singapore', country: 'SG' },
});
const accountBody = (referenceId: string, profileId: string) => ({
  data: { attributes: { referenceId }, relationships: { customerProfile: { data: { id: profileId } } } },
});

async function call(sandbox: StraitsxSandbox, method: string, path: string, body?: unknown, headers = {}): Promise<any> {
  const res = await fetch(`${sandbox.origin}${path}`, {
    method,
    headers: { 'x-xfers-app-api-key': API_KEY, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
const running: StraitsxSandbox[] = [];
const dirs: string[] = [];

const start = async (dataDir: string) => {
  const sandbox = await startStraitsxSandbox({
    apiKey: API_KEY,
    ratePerSecond: 0,
    fetchDocuments: false,
    callbackSecret: SECRET,
    callbackRetryMs: 600,
    dataDir,
  });
  running.push(sandbox);
  return sandbox;
};
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'straitsx-data-'));
  dirs.push(dir);
  return join(dir, 'sandboxes', 'straitsx');
};

beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await receiver.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Profile, account, Connect user and callback URL made through the API, and a callback left to retry. */
async function populate(sandbox: StraitsxSandbox) {
  await call(sandbox, 'PATCH', '/v1/webhooks', { data: { attributes: { cpVerificationStatusUpdated: receiver.url } } });
  sandbox.setVerificationMode('pending');
  const profile = (await call(sandbox, 'POST', '/v1/kyc/customer_profiles', personal(`S${Date.now() % 10_000_000}A`))).body;
  const profileId = profile.data.id as string;
  const user = (await call(sandbox, 'POST', '/v1/sandbox/connect/users', { data: { attributes: { merchantRef: 'legacy-7' } } }))
    .body.data.attributes;
  // The receiver is down for the first attempt: the callback waits for its retry.
  const before = receiver.received.length;
  receiver.failNext(503);
  await call(sandbox, 'PUT', `/v1/sandbox/kyc/customer_profiles/${profileId}`, {
    data: { attributes: { verificationStatus: 'verified' } },
  });
  await eventually(() => receiver.received.length === before + 1);
  const account = (await call(sandbox, 'POST', '/v1/payment_methods/virtual_bank_accounts', accountBody('ref-1', profileId)))
    .body;
  return { profileId, accountId: account.data.id as string, user, before };
}

/** What a restarted sandbox must still show. */
async function expectKept(sandbox: StraitsxSandbox, kept: Awaited<ReturnType<typeof populate>>) {
  expect(sandbox.restored).toBe(true);
  const profile = await call(sandbox, 'GET', `/v1/kyc/customer_profiles/${kept.profileId}`);
  expect(profile).toMatchObject({ status: 200, body: { data: { attributes: { verificationStatus: 'verified' } } } });
  // The referenceId still names the same account: a repeat gets it back, not a second one.
  const again = await call(sandbox, 'POST', '/v1/payment_methods/virtual_bank_accounts', accountBody('ref-1', kept.profileId));
  expect(again.body.data.id).toBe(kept.accountId);
  expect(sandbox.virtualAccounts()).toHaveLength(1);
  const legacy = await fetch(`${sandbox.connectUrl}/user/transfer_info`, {
    headers: { 'x-xfers-user-api-key': kept.user.userApiToken },
  });
  expect(await legacy.json()).toMatchObject({ bank_account_no: kept.user.accountNo });
  expect((await call(sandbox, 'GET', '/v1/webhooks')).body.data.attributes.cpVerificationStatusUpdated).toBe(receiver.url);
  // The callback that was waiting for its retry is delivered by the new process, with the same bytes.
  await eventually(() => receiver.received.length === kept.before + 2, 3000);
  const [first, second] = receiver.received.slice(kept.before);
  expect(second!.body).toEqual(first!.body);
  expect(second!.headers['xfers-signature']).toBe(first!.headers['xfers-signature']);
}

describe('StraitsX sandbox data across restarts', () => {
  it('keeps profiles, accounts, Connect users, the callback URL and a callback to retry after stop and start', async () => {
    const dir = freshDir();
    const kept = await populate(await start(dir));
    await running.pop()!.stop();

    await expectKept(await start(dir), kept);
  });

  it('keeps them when the process dies without stopping (kill -9): each answer was on disk before it was sent', async () => {
    const dir = freshDir();
    const first = await start(dir);
    const kept = await populate(first);
    // The folder as a kill -9 leaves it: copied while the sandbox runs, before any stop() could write.
    const copy = `${dir}-killed`;
    cpSync(dir, copy, { recursive: true });
    await first.stop();

    await expectKept(await start(copy), kept);
  });

  it('starts over when the folder is deleted', async () => {
    const dir = freshDir();
    await populate(await start(dir));
    await running.pop()!.stop();
    rmSync(dir, { recursive: true, force: true });

    const fresh = await start(dir);
    expect(fresh.restored).toBe(false);
    expect(fresh.profiles()).toEqual([]);
  });

  it('keeps a verdict whose API view was still lagging, and shows it when due', async () => {
    const dir = freshDir();
    const sandbox = await start(dir);
    sandbox.setVerificationMode('pending');
    sandbox.setVerificationLag(400);
    const profile = (await call(sandbox, 'POST', '/v1/kyc/customer_profiles', personal('S7654321B'))).body;
    sandbox.setProfileStatus(profile.data.id, 'verified');
    expect(sandbox.profiles()[0]!.verificationStatus).toBe('pending');
    await running.pop()!.stop();

    const restarted = await start(dir);
    expect(restarted.profiles()[0]!.verificationStatus).toBe('pending');
    await eventually(() => restarted.profiles()[0]!.verificationStatus === 'verified', 2000);
  });
});
