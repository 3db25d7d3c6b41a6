import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { personalPlus } from '../unit/straitsx/plus-fixtures';
import { customer as wallexCustomer } from '../unit/wallex/fixtures';
import { PROFILE_THEN_ACCOUNT } from '../workflows/onboarding-harness';
import { api, executionsOf, historyOf, personalRequest, settled, view, waitingFor } from './harness';

/**
 * The onboarding workflow's steps as the execution history shows them, for each provider path, against
 * the sandboxes. Transitions are counted as Step Functions bills them: one per state entered, the states
 * inside a Map iteration included.
 */

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000, screeningDelayMs: 50 });
  process.env.VERIFICATION_TIMEOUT_SECONDS = '600';
  process.env.ACCOUNT_TIMEOUT_SECONDS = '600';
});
afterAll(async () => {
  await runtime?.stop();
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(256, 3)]);
const WAIT_MS = 15_000;
let counter = 0;
const unique = () => `${process.pid}-${++counter}`;

async function uploadAll(id: string) {
  await waitingFor(runtime, id, 'documents', WAIT_MS);
  for (const { slot } of (await view(runtime, id)).documents as Array<{ slot: string }>) {
    const pdf = slot.endsWith('proofOfAddress') || slot.endsWith('Proof') || !slot.includes('.');
    const bytes = pdf ? PDF : PNG;
    const contentType = pdf ? 'application/pdf' : 'image/png';
    const grant = await api(runtime, 'POST', `/onboardings/${id}/documents`, { slot, contentType, size: bytes.length });
    expect(grant.status).toBe(201);
    await fetch(grant.body.uploadUrl, { method: 'PUT', headers: grant.body.headers, body: bytes });
  }
}

/** The states entered by the onboarding's (one) execution, in order. */
async function statesOf(id: string): Promise<string[]> {
  const [execution] = await executionsOf(runtime, id);
  const events = await historyOf(execution!.executionArn!);
  return events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails!.name!);
}

/**
 * The states with each wait for the rate budget taken out (`<Task>Paced`, `<Task>AwaitsBudget` and the
 * Task entered again), and how many there were. An onboarding that sends more than the budget's window
 * allows (five requests in 1,250 ms at 4 a second) waits for its slot even when alone.
 */
function withoutBudgetWaits(entered: string[]): { states: string[]; waits: number } {
  const states: string[] = [];
  let waits = 0;
  for (let i = 0; i < entered.length; i++) {
    const name = entered[i]!;
    if (name.endsWith('Paced')) {
      const task = name.slice(0, -'Paced'.length);
      expect(entered.slice(i, i + 3)).toEqual([name, `${task}AwaitsBudget`, task]);
      waits += 1;
      i += 2;
      continue;
    }
    states.push(name);
  }
  return { states, waits };
}

const start = async (request: unknown) => {
  const accepted = await api(runtime, 'POST', '/onboardings', request);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  return accepted.body.onboardingId as string;
};

describe('onboarding workflow steps, per provider', () => {
  it('StraitsX SGD: the profile, then the virtual account, in seven transitions', async () => {
    const id = await start(personalRequest());
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
    const states = await statesOf(id);
    expect(states).toEqual(['HasTimeouts', ...PROFILE_THEN_ACCOUNT]);
  });

  it('StraitsX CP+ with documents: links go in the create call, no upload or screening step', async () => {
    const n = unique();
    const id = await start({
      provider: 'straitsx',
      profileType: 'CP+',
      merchantRef: `plus-${n}`,
      customer: personalPlus({
        registrationId: `S${String(counter).padStart(4, '0')}${String(process.pid).slice(-3)}Q`,
        email: `plus${n}@example.net`,
      }),
    });
    await uploadAll(id);
    await waitingFor(runtime, id, 'verification', WAIT_MS);
    runtime.straitsx.setProfileStatus((await view(runtime, id)).providerIds.profileId, 'verified');
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
    const { states, waits } = withoutBudgetWaits(await statesOf(id));
    expect(waits).toBeLessThanOrEqual(2);
    expect(states).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'WaitForDocuments',
      'CreateProfile',
      'ProfileDecision',
      'WaitForVerdict',
      'ProfileDecision',
      'CreateVirtualAccount',
      'AccountDecision',
      'RecordCompleted',
      'Completed',
    ]);
    expect(states).not.toContain('UploadDocuments');
    expect(states).not.toContain('StartScreening');
  });

  it('StraitsX USD with a bank account: the bank account and the virtual account, then the account wait', async () => {
    const n = unique();
    const base = personalRequest({ countryOfResidence: 'SG' });
    const id = await start({
      ...base,
      merchantRef: `usd-${n}`,
      bankAccount: { account_no: '0123456789', account_holder_name: base.customer.customerName, bank: 'DBS' },
      virtualAccount: { currency: 'USD' },
    });
    await uploadAll(id);
    await waitingFor(runtime, id, 'account', WAIT_MS);
    const pending = await view(runtime, id);
    runtime.straitsx.setVirtualAccountStatus(pending.virtualAccount.id, 'enabled');
    const done = await settled(runtime, id);
    expect(done).toMatchObject({ status: 'COMPLETED', virtualAccount: { currency: 'USD', status: 'enabled' } });
    expect(done.timeline.map((t: { step: string }) => t.step)).toEqual(
      expect.arrayContaining(['add-bank-account', 'create-virtual-account']),
    );
    const { states, waits } = withoutBudgetWaits(await statesOf(id));
    // Profile look-up and create, bank account, virtual account and its read: more than one window's five.
    expect(waits).toBeLessThanOrEqual(4);
    expect(runtime.straitsx.requests().filter((r) => r.status === 429)).toEqual([]);
    // The account is read again once its webhook resumed the wait: the instructions come with that read.
    expect(states).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'WaitForDocuments',
      'CreateProfile',
      'ProfileDecision',
      'CreateVirtualAccount',
      'AccountDecision',
      'WaitForAccount',
      'CheckAccount',
      'AfterAccountCheck',
      'ForgetAccountTimeout',
      'AccountSettled',
      'RecordCompleted',
      'Completed',
    ]);
  });

  it('Wallex: sign-up, details, each document and the screening are steps of their own; a failed upload is retried alone', async () => {
    const n = unique();
    const request = {
      provider: 'wallex',
      merchantRef: `wx-steps-${n}`,
      customer: wallexCustomer({
        lastName: 'Stepson',
        email: `wx.steps.${n}@example.com`,
        documents: ['passport', 'utility_bill'],
      }),
    };
    const id = await start(request);
    // The first document entry fails once at Wallex: only that upload is tried again.
    runtime.wallex.failNext(1, 'error5xx', { match: { method: 'POST', path: /^\/v2\/users\/[^/]+\/documents$/ } });
    await uploadAll(id);
    const done = await settled(runtime, id, WAIT_MS);
    expect(done).toMatchObject({ status: 'COMPLETED', profileStatus: 'verified' });

    const { states, waits } = withoutBudgetWaits(await statesOf(id));
    // Three on a quiet machine; on a loaded one an admission that took longer than the window's slack to
    // come back is made again (rate-budget.ts, STALE_ADMISSIONS), and the step may wait once more.
    expect(waits).toBeLessThanOrEqual(4);
    expect(runtime.wallex.requests().filter((r) => r.status === 429)).toEqual([]);
    expect(states).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'WaitForDocuments',
      'CreateProfile',
      'ProfileDecision',
      'SubmitDetails',
      'ProfileDecision',
      'UploadDocuments',
      'UploadDocument',
      'UploadDocument',
      'StartScreening',
      'ProfileDecision',
      'WaitForVerdict',
      // Wallex's notification proves nothing by itself: the workflow reads the verdict, paced by the budget.
      'ProfileDecision',
      'CheckProfile',
      'AfterProfileCheck',
      'UseCheckedStatus',
      'ForgetProfileTimeout',
      'ProfileDecision',
      'RecordCompleted',
      'Completed',
    ]);
    const calls = runtime.wallex.requests();
    const userId = done.providerIds.profileId as string;
    expect(calls.filter((r) => r.method === 'POST' && r.path === '/v2/signup')).toHaveLength(1);
    expect(calls.filter((r) => r.method === 'PATCH' && r.path === `/v2/users/${userId}/detail`)).toHaveLength(1);
    expect(calls.filter((r) => r.method === 'POST' && r.path === `/v2/users/${userId}/documents`)).toHaveLength(3);
    expect(calls.filter((r) => r.method === 'POST' && r.path === `/v2/users/${userId}/screen`)).toHaveLength(1);
    const entries = runtime.wallex.documents().filter((d) => (d as { userId?: string }).userId === userId);
    expect(entries).toHaveLength(2);
    expect(done.timeline.map((t: { step: string }) => t.step)).toEqual(
      expect.arrayContaining(['create-profile', 'submit-details', 'upload-document', 'start-screening']),
    );
    expect(done.timeline.filter((t: { step: string }) => t.step === 'upload-document')).toHaveLength(2);
  });

  it('Straddle: no documents, no screening call, no virtual account: the profile and the end', async () => {
    const n = unique();
    const id = await start({
      provider: 'straddle',
      merchantRef: `st-steps-${n}`,
      customer: {
        name: 'Ada Lovelace',
        type: 'individual',
        email: `ada.steps.${n}@example.com`,
        phone: '+12125550123',
        device: { ip_address: '203.0.113.7' },
        compliance_profile: { dob: '1985-12-10', ssn: '123-45-6789' },
        config: { sandbox_outcome: 'verified' },
      },
    });
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
    expect(await statesOf(id)).toEqual(['HasTimeouts', 'CreateProfile', 'ProfileDecision', 'RecordCompleted', 'Completed']);
  });
});
