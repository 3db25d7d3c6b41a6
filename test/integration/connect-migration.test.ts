import { randomBytes, randomInt } from 'node:crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { api, bucketKeys, historyOf, personalRequest, tableItems } from './harness';

let runtime: Runtime;

beforeAll(async () => {
  // Info lines too, so the token check below reads every line the functions write.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 2_000 });
});
afterAll(async () => {
  await runtime?.stop();
});
beforeEach(() => {
  runtime.straitsx.clearFaults();
});

/** A legacy Connect user seeded at the sandbox, and the migration request that moves them. */
function connectUser(options: { breakMigration?: boolean; seed?: boolean } = {}) {
  const { customer, merchantRef } = personalRequest();
  const userApiToken = `tok_${randomBytes(24).toString('base64url')}`;
  const phoneNo = `+65 9${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  const seeded =
    options.seed === false
      ? undefined
      : runtime.straitsx.addConnectUser({ userApiToken, merchantRef, phoneNo, breakMigration: options.breakMigration });
  return { request: { merchantRef, userApiToken, customer }, oldAccountNo: seeded?.accountNo, phoneNo };
}

const recordOf = async (id: string) => (await tableItems()).find((item) => item.pk === `ONB#${id}` && item.sk === 'RECORD')!;
const migrationEvents = (id: string) =>
  runtime.cloud.events.published().filter((e) => (e.detail as { migrationId?: string } | undefined)?.migrationId === id);
const profilesFor = (registrationId: string) =>
  runtime.straitsx.profiles().filter((p) => String(p.attributes.registrationId).toUpperCase() === registrationId.toUpperCase());
const accountsFor = (profileId: string) => runtime.straitsx.virtualAccounts().filter((a) => a.customerProfileId === profileId);
const stateMachineOf = (executionArn: string) => executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');

type Answer = Awaited<ReturnType<typeof api>>['body'];

const SETTLED = new Set(['COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED']);

/** Polls until the migration settles and its execution has closed; answers GET /onboardings/{id}. */
async function settled(id: string, timeoutMs = 20_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api(runtime, 'GET', `/onboardings/${id}`);
    if (status === 200 && SETTLED.has(body.status)) {
      await runtime.cloud.sfn.waitForExecution((await recordOf(id)).executionArn as string);
      return (await api(runtime, 'GET', `/onboardings/${id}`)).body;
    }
    if (Date.now() > deadline) throw new Error(`migration ${id} did not settle: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts the migration's state machine again for the same id, as an operator does from the console. */
async function rerun(id: string, name: string) {
  const { executionArn } = await recordOf(id);
  const started = await new SFNClient({}).send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineOf(executionArn as string),
      name,
      input: JSON.stringify({ onboardingId: id }),
    }),
  );
  return runtime.cloud.sfn.waitForExecution(started.executionArn!);
}

describe('Connect user migration through the embedded stack (StraitsX)', () => {
  it('migrates a Connect user: profile, the old account number carried over, one Connect Migration Completed', async () => {
    const { request, oldAccountNo } = connectUser();
    const accepted = await api(runtime, 'POST', '/migrations/connect', request);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ kind: 'connect-migration', status: 'ACCEPTED', merchantRef: request.merchantRef });
    expect(accepted.body.migrationId).toMatch(/^onb_[a-z2-7]{26}$/);
    const id = accepted.body.migrationId as string;

    const done = await settled(id);
    const [profile] = profilesFor(request.customer.registrationId);
    const accounts = accountsFor(profile!.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.providerIds.profileId).toBe(profile!.id);
    expect(done.virtualAccount).toMatchObject({
      id: accounts[0]!.id,
      accountNo: oldAccountNo,
      currency: 'SGD',
      status: 'enabled',
    });
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ referenceId: request.merchantRef, accountNo: oldAccountNo, migrated: true });
    expect(done.timeline.map((t: { step: string }) => t.step)).toEqual([
      'accepted',
      'workflow',
      'create-profile',
      'migrate-account',
      'finish',
    ]);

    const record = await recordOf(id);
    expect(record).toMatchObject({ kind: 'connect-migration', migration: { status: 'MIGRATED', expectedAccountMatched: true } });
    const events = migrationEvents(id);
    expect(events.map((e) => e['detail-type'])).toEqual(['Connect Migration Completed']);
    expect(events[0]!.source).toBe('onboarding.orchestrator');
    expect(events[0]!.detail).toMatchObject({
      migrationId: id,
      status: 'COMPLETED',
      migrationStatus: 'MIGRATED',
      expectedAccountMatched: true,
    });
  });

  it('answers a repeat with the same migration, and a second run changes nothing', async () => {
    const { request } = connectUser();
    const first = await api(runtime, 'POST', '/migrations/connect', request);
    const id = first.body.migrationId as string;
    const before = await settled(id);
    const executionArn = (await recordOf(id)).executionArn;

    const again = await api(runtime, 'POST', '/migrations/connect', request);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ migrationId: id, status: 'COMPLETED' });
    expect((await recordOf(id)).executionArn).toBe(executionArn);

    expect((await rerun(id, `${id}-rerun`)).status).toBe('SUCCEEDED');
    const after = (await api(runtime, 'GET', `/onboardings/${id}`)).body;
    expect(after.updatedAt).toBe(before.updatedAt);
    const profiles = profilesFor(request.customer.registrationId);
    expect(profiles).toHaveLength(1);
    expect(accountsFor(profiles[0]!.id)).toHaveLength(1);
    expect(migrationEvents(id).map((e) => e['detail-type'])).toEqual(['Connect Migration Completed']);
  });

  it('refuses a different request under the same customer with 409 and changes nothing', async () => {
    const { request } = connectUser();
    const first = await api(runtime, 'POST', '/migrations/connect', request);
    const before = await settled(first.body.migrationId);
    const conflict = await api(runtime, 'POST', '/migrations/connect', { ...request, userApiToken: `${request.userApiToken}x` });
    expect(conflict.status).toBe(409);
    expect(conflict.body.migrationId).toBe(first.body.migrationId);
    expect(JSON.stringify(conflict.body)).not.toContain(request.userApiToken);
    expect((await api(runtime, 'GET', `/onboardings/${first.body.migrationId}`)).body.updatedAt).toBe(before.updatedAt);
  });

  it('reports a number that did not carry over: needs attention, one Connect Migration Mismatch, also after a re-run', async () => {
    const { request, oldAccountNo } = connectUser({ breakMigration: true });
    const accepted = await api(runtime, 'POST', '/migrations/connect', request);
    const id = accepted.body.migrationId as string;
    const done = await settled(id);

    expect(done.status).toBe('NEEDS_ATTENTION');
    expect(done.virtualAccount.accountNo).toMatch(/^\d+$/);
    expect(done.virtualAccount.accountNo).not.toBe(oldAccountNo);
    expect(done.outcome).toEqual({ reason: 'account number did not carry over' });
    expect(await recordOf(id)).toMatchObject({ migration: { status: 'MISMATCH', expectedAccountMatched: false } });
    const mismatch = migrationEvents(id);
    expect(mismatch.map((e) => e['detail-type'])).toEqual(['Connect Migration Mismatch']);
    expect(mismatch[0]!.detail).toMatchObject({
      status: 'NEEDS_ATTENTION',
      migrationStatus: 'MISMATCH',
      expectedAccountMatched: false,
    });

    expect((await rerun(id, `${id}-again`)).status).toBe('SUCCEEDED');
    const profiles = profilesFor(request.customer.registrationId);
    expect(accountsFor(profiles[0]!.id)).toHaveLength(1);
    expect(migrationEvents(id)).toHaveLength(1);
    expect((await api(runtime, 'GET', `/onboardings/${id}`)).body.status).toBe('NEEDS_ATTENTION');
  });

  it('ends a rejected profile as REJECTED with one Connect Migration Rejected, creating no account', async () => {
    const { request } = connectUser();
    runtime.straitsx.setVerificationMode('rejected');
    try {
      const accepted = await api(runtime, 'POST', '/migrations/connect', request);
      const id = accepted.body.migrationId as string;
      const done = await settled(id);
      expect(done.status).toBe('REJECTED');
      expect((await runtime.cloud.sfn.waitForExecution((await recordOf(id)).executionArn as string)).status).toBe('SUCCEEDED');
      const [profile] = profilesFor(request.customer.registrationId);
      expect(accountsFor(profile!.id)).toHaveLength(0);
      expect(migrationEvents(id).map((e) => e['detail-type'])).toEqual(['Connect Migration Rejected']);
    } finally {
      runtime.straitsx.setVerificationMode('verified');
    }
  });

  it('ends an unknown token as NEEDS_ATTENTION with one Connect Migration Needs Attention, creating no account', async () => {
    const { request } = connectUser({ seed: false });
    const accepted = await api(runtime, 'POST', '/migrations/connect', request);
    const id = accepted.body.migrationId as string;
    const ended = await settled(id);

    expect(ended).toMatchObject({
      status: 'NEEDS_ATTENTION',
      outcome: { reason: 'Connect user_api_token refused (invalid or revoked)' },
    });
    const execution = await runtime.cloud.sfn.waitForExecution((await recordOf(id)).executionArn as string);
    expect(execution.status).toBe('SUCCEEDED');
    const [profile] = profilesFor(request.customer.registrationId);
    expect(accountsFor(profile!.id)).toHaveLength(0);
    expect(migrationEvents(id).map((e) => e['detail-type'])).toEqual(['Connect Migration Needs Attention']);
  });

  it('ends a token the user revoked as NEEDS_ATTENTION, not a failed execution', async () => {
    const { request } = connectUser();
    expect(runtime.straitsx.revokeConnectUser(request.userApiToken)).toBe(true);
    const accepted = await api(runtime, 'POST', '/migrations/connect', request);
    const id = accepted.body.migrationId as string;
    const ended = await settled(id);

    expect(ended.status).toBe('NEEDS_ATTENTION');
    const execution = await runtime.cloud.sfn.waitForExecution((await recordOf(id)).executionArn as string);
    expect(execution.status).toBe('SUCCEEDED');
    const [profile] = profilesFor(request.customer.registrationId);
    expect(accountsFor(profile!.id)).toHaveLength(0);
    const events = migrationEvents(id);
    expect(events.map((e) => e['detail-type'])).toEqual(['Connect Migration Needs Attention']);
    expect(JSON.stringify(events)).not.toContain(request.userApiToken);
  });

  it('retries answers lost after the provider committed, without a second account', async () => {
    const { request, oldAccountNo } = connectUser();
    runtime.straitsx.failNext(2, 'error5xx', { match: { method: 'GET', path: '/api/v3/user/transfer_info' } });
    runtime.straitsx.failNext(1, 'drop', {
      phase: 'after',
      match: { method: 'POST', path: '/v1/payment_methods/virtual_bank_accounts' },
    });
    const accepted = await api(runtime, 'POST', '/migrations/connect', request);
    const done = await settled(accepted.body.migrationId);

    expect(done.status).toBe('COMPLETED');
    expect(done.virtualAccount.accountNo).toBe(oldAccountNo);
    const profiles = profilesFor(request.customer.registrationId);
    expect(accountsFor(profiles[0]!.id)).toHaveLength(1);
    const history = await historyOf((await recordOf(accepted.body.migrationId)).executionArn as string);
    expect(history.filter((e) => e.type === 'TaskFailed' || e.type === 'LambdaFunctionFailed').length).toBeGreaterThanOrEqual(3);
  });

  it('refuses an invalid request with every failing field, never echoing the token, storing and starting nothing', async () => {
    const [items, keys] = [(await tableItems()).length, (await bucketKeys()).length];
    const { request } = connectUser({ seed: false });
    const token = `${request.userApiToken} with spaces`;
    const res = await api(runtime, 'POST', '/migrations/connect', {
      ...request,
      userApiToken: token,
      merchantRef: 'not valid!',
      customer: { ...request.customer, customerName: 'Tan #1' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'customer.customerName',
      'merchantRef',
      'userApiToken',
    ]);
    expect(JSON.stringify(res.body)).not.toContain(request.userApiToken);
    expect((await tableItems()).length).toBe(items);
    expect((await bucketKeys()).length).toBe(keys);
    expect((await api(runtime, 'POST', '/migrations/connect', '{not json')).status).toBe(400);
  });
});

describe('the Connect token stays in the vault', () => {
  it('appears in no execution history, event, log line, table item or API answer', async () => {
    runtime.logs.clear();
    const migrated = connectUser();
    const mismatched = connectUser({ breakMigration: true });
    const refused = connectUser({ seed: false });
    const ids: string[] = [];
    for (const user of [migrated, mismatched, refused]) {
      const accepted = await api(runtime, 'POST', '/migrations/connect', user.request);
      ids.push(accepted.body.migrationId);
      await settled(accepted.body.migrationId);
    }
    const answers = await Promise.all(ids.map((id) => api(runtime, 'GET', `/onboardings/${id}`)));
    const histories = await Promise.all(ids.map(async (id) => historyOf((await recordOf(id)).executionArn as string)));
    const places = {
      history: JSON.stringify(histories),
      events: JSON.stringify(runtime.cloud.events.published()),
      logs: runtime.logs.lines().join('\n'),
      table: JSON.stringify(await tableItems()),
      api: JSON.stringify(answers),
      sandbox: JSON.stringify([runtime.straitsx.requests(), runtime.straitsx.virtualAccounts()]),
    };
    expect(places.logs.length).toBeGreaterThan(0);
    for (const id of ids) {
      expect(places.history).toContain(id);
      expect(places.logs).toContain(id);
    }
    for (const user of [migrated, mismatched, refused]) {
      // The legacy API answers the phone number (unique_id) too: it must not travel either.
      const secrets = [
        user.request.userApiToken,
        user.request.userApiToken.slice(4, 20),
        user.phoneNo.replace(/\D/g, '').slice(2),
      ];
      for (const [place, text] of Object.entries(places)) {
        for (const value of secrets) expect(text, `${place} holds the token or the phone number`).not.toContain(value);
      }
    }
    // The token did reach the provider, so the check above is not vacuous.
    expect(runtime.straitsx.virtualAccounts().some((a) => a.migrated && a.referenceId === migrated.request.merchantRef)).toBe(
      true,
    );
  });
});
