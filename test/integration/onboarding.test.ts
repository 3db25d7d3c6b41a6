import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_BUS_NAME, MERCHANT_EVENT_SOURCE, type Runtime, startRuntime } from '../../local/runtime';
import { api, bucketKeys, eventsAbout, executionsOf, historyOf, personalRequest, settled, tableItems, until } from './harness';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 2_000 });
});
afterAll(async () => {
  await runtime?.stop();
});
beforeEach(() => {
  runtime.straitsx.clearFaults();
});

const profilesFor = (registrationId: string) =>
  runtime.straitsx.profiles().filter((p) => String(p.attributes.registrationId).toUpperCase() === registrationId.toUpperCase());
const accountsFor = (profileId: string) => runtime.straitsx.virtualAccounts().filter((a) => a.customerProfileId === profileId);

describe('onboarding through the embedded stack (StraitsX)', () => {
  it('onboards a personal customer: profile, SGD virtual account, Onboarding Completed', async () => {
    const request = personalRequest();
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    expect(accepted.status).toBe(202);
    expect(accepted.body.onboardingId).toMatch(/^onb_[a-z2-7]{26}$/);

    const done = await settled(runtime, accepted.body.onboardingId);
    const [profile] = profilesFor(request.customer.registrationId);
    const [account] = accountsFor(profile!.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.providerIds.profileId).toBe(profile!.id);
    expect(done.virtualAccount).toMatchObject({
      id: account!.id,
      accountNo: account!.accountNo,
      currency: 'SGD',
      status: 'enabled',
    });
    expect(done.timeline.map((t: { step: string }) => t.step)).toEqual([
      'accepted',
      'workflow',
      'create-profile',
      'create-virtual-account',
      'finish',
    ]);
    const completed = eventsAbout(runtime, done.onboardingId).filter((e) => e['detail-type'] === 'Onboarding Completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.source).toBe('onboarding.orchestrator');
  });

  it('onboards a business customer', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', {
      provider: 'straitsx',
      merchantRef: 'biz-1',
      customer: { registrationType: 'business', customerName: 'Kopi Kaki Trading', registrationId: '202301234N' },
    });
    const done = await settled(runtime, accepted.body.onboardingId);
    expect(done).toMatchObject({ status: 'COMPLETED', registrationType: 'business' });
    expect(done.virtualAccount.accountNo).toMatch(/^\d+$/);
  });

  it('answers a repeat with the same onboarding and starts nothing new', async () => {
    const request = personalRequest();
    const first = await api(runtime, 'POST', '/onboardings', request);
    await settled(runtime, first.body.onboardingId);
    const executions = (await executionsOf(runtime, first.body.onboardingId)).length;

    const again = await api(runtime, 'POST', '/onboardings', request);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ onboardingId: first.body.onboardingId, status: 'COMPLETED' });
    expect(await executionsOf(runtime, first.body.onboardingId)).toHaveLength(executions);
    expect(profilesFor(request.customer.registrationId)).toHaveLength(1);
  });

  it('refuses a different customer under the same business key with 409 and changes nothing', async () => {
    const request = personalRequest();
    const first = await api(runtime, 'POST', '/onboardings', request);
    const before = await settled(runtime, first.body.onboardingId);
    const other = { ...request, customer: { ...request.customer, customerName: 'Someone Else Entirely' } };
    const conflict = await api(runtime, 'POST', '/onboardings', other);
    expect(conflict.status).toBe(409);
    expect(conflict.body.onboardingId).toBe(first.body.onboardingId);
    expect((await api(runtime, 'GET', `/onboardings/${first.body.onboardingId}`)).body.updatedAt).toBe(before.updatedAt);
  });

  it('refuses an invalid request with every failing field, storing and starting nothing', async () => {
    const [items, keys] = [(await tableItems()).length, (await bucketKeys()).length];
    const invalid = personalRequest({
      customerName: 'Tan #1',
      dateOfBirth: '2001-13-01',
      address: { street: 'x', city: 'Singapore', country: 'sg' },
    });
    const res = await api(runtime, 'POST', '/onboardings', invalid);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['customer.address.country', 'customer.customerName', 'customer.dateOfBirth'].sort(),
    );
    expect((await tableItems()).length).toBe(items);
    expect((await bucketKeys()).length).toBe(keys);
    expect((await api(runtime, 'POST', '/onboardings', '{not json')).status).toBe(400);
  });

  it('answers 404 for an unknown onboarding and 400 for a malformed id', async () => {
    expect((await api(runtime, 'GET', '/onboardings/onb_aaaaaaaaaaaaaaaaaaaaaaaaaa')).status).toBe(404);
    expect((await api(runtime, 'GET', '/onboardings/not-an-id')).status).toBe(400);
  });

  it('starts an onboarding from the merchant bus through the same handler and rules', async () => {
    const request = personalRequest();
    await new EventBridgeClient({}).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: EVENT_BUS_NAME,
            Source: MERCHANT_EVENT_SOURCE,
            DetailType: 'Customer Onboarding Requested',
            Detail: JSON.stringify(request),
          },
          {
            EventBusName: EVENT_BUS_NAME,
            Source: MERCHANT_EVENT_SOURCE,
            DetailType: 'Customer Onboarding Requested',
            Detail: JSON.stringify({ ...request, customer: { ...request.customer, email: 'bad' }, merchantRef: 'bad-1' }),
          },
        ],
      }),
    );
    const deadline = Date.now() + 10_000;
    let completed;
    let invalid;
    while ((!completed || !invalid) && Date.now() < deadline) {
      const published = runtime.cloud.events.published();
      completed = published.find(
        (e) =>
          e['detail-type'] === 'Onboarding Completed' &&
          (e.detail as { merchantRef?: string }).merchantRef === request.merchantRef,
      );
      invalid = published.find(
        (e) =>
          e['detail-type'] === 'Onboarding Request Invalid' && (e.detail as { merchantRef?: string }).merchantRef === 'bad-1',
      );
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(completed).toBeDefined();
    expect((invalid?.detail as { errors: unknown }).errors).toEqual([
      { path: 'customer.email', message: expect.stringMatching(/e-mail/) },
    ]);
  });
});

describe('personal data stays in the vault', () => {
  it('appears in no execution history, event, log line or table attribute', async () => {
    runtime.logs.clear();
    const request = personalRequest({ customerName: 'Wilhelmina Quokka Xu', phoneNo: '+65 81112222', dateOfBirth: '1966-06-16' });
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    const done = await settled(runtime, accepted.body.onboardingId);
    expect(done.status).toBe('COMPLETED');

    const c = request.customer as Record<string, any>;
    const secrets = [c.customerName, c.registrationId, c.dateOfBirth, c.email, c.phoneNo, c.address.street, c.address.postalCode];
    const [execution] = await executionsOf(runtime, done.onboardingId);
    const places = {
      history: JSON.stringify(await historyOf(execution!.executionArn!)),
      events: JSON.stringify(eventsAbout(runtime, done.onboardingId)),
      logs: runtime.logs.lines().join('\n'),
      table: JSON.stringify(await tableItems()),
      api: JSON.stringify(done),
    };
    expect(places.logs.length).toBeGreaterThan(0);
    expect(places.history).toContain(done.onboardingId);
    for (const [place, text] of Object.entries(places)) {
      for (const value of secrets)
        expect(text.toUpperCase(), `${place} holds a personal value`).not.toContain(String(value).toUpperCase());
    }
    // The values did reach the provider, so the check above is not vacuous.
    expect(profilesFor(c.registrationId)[0]!.attributes.customerName).toBe(c.customerName);
  });
});

describe('replays and retries are safe', () => {
  it('a re-run from the console with the same input creates no second profile, account or event', async () => {
    const request = personalRequest();
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    const done = await settled(runtime, accepted.body.onboardingId);
    const sfn = new SFNClient({});
    const rerun = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: runtime.stateMachineArn,
        name: `${done.onboardingId}-rerun`,
        input: JSON.stringify({ onboardingId: done.onboardingId }),
      }),
    );
    const result = await runtime.cloud.sfn.waitForExecution(rerun.executionArn!);
    expect(result.status).toBe('SUCCEEDED');
    const profiles = profilesFor(request.customer.registrationId);
    expect(profiles).toHaveLength(1);
    expect(accountsFor(profiles[0]!.id)).toHaveLength(1);
    expect(eventsAbout(runtime, done.onboardingId).filter((e) => e['detail-type'] === 'Onboarding Completed')).toHaveLength(1);
  });

  it('retries answers lost after the provider committed, without duplicates', async () => {
    const request = personalRequest();
    runtime.straitsx.failNext(1, 'drop', { phase: 'after', match: { method: 'POST', path: '/v1/kyc/customer_profiles' } });
    runtime.straitsx.failNext(1, 'drop', {
      phase: 'after',
      match: { method: 'POST', path: '/v1/payment_methods/virtual_bank_accounts' },
    });
    runtime.straitsx.failNext(2, 'error5xx', { match: { method: 'POST', path: '/v1/payment_methods/virtual_bank_accounts' } });
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    const done = await settled(runtime, accepted.body.onboardingId);
    expect(done.status).toBe('COMPLETED');
    const profiles = profilesFor(request.customer.registrationId);
    expect(profiles).toHaveLength(1);
    expect(accountsFor(profiles[0]!.id)).toHaveLength(1);
    const [execution] = await executionsOf(runtime, done.onboardingId);
    const retried = (await historyOf(execution!.executionArn!)).filter(
      (e) => e.type === 'TaskFailed' || e.type === 'LambdaFunctionFailed',
    );
    expect(retried.length).toBeGreaterThanOrEqual(4);
  });

  it('waits out a long run of provider errors and completes, showing the retry while it lasts', async () => {
    const request = personalRequest();
    runtime.straitsx.failNext(25, 'error5xx', { match: { method: 'POST', path: '/v1/payment_methods/virtual_bank_accounts' } });
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    const retrying = await until(async () => {
      const body = (await api(runtime, 'GET', `/onboardings/${accepted.body.onboardingId}`)).body;
      return body.retry ? body : undefined;
    });
    expect(retrying).toMatchObject({
      waitingFor: 'provider',
      retry: { step: 'create-virtual-account', error: 'ProviderUnavailable', nextAttemptBy: expect.any(String) },
    });
    const done = await settled(runtime, accepted.body.onboardingId, 60_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.retry).toBeUndefined();
    const profiles = profilesFor(request.customer.registrationId);
    expect(profiles).toHaveLength(1);
    expect(accountsFor(profiles[0]!.id)).toHaveLength(1);
  });

  it('fails at the step on an error no retry helps, is reported FAILED once, and a new execution finishes it', async () => {
    const request = personalRequest();
    runtime.straitsx.failNext(1, 'error5xx', {
      status: 400,
      match: { method: 'POST', path: '/v1/payment_methods/virtual_bank_accounts' },
    });
    const accepted = await api(runtime, 'POST', '/onboardings', request);
    const id = accepted.body.onboardingId as string;
    const [execution] = await until(async () => {
      const found = await executionsOf(runtime, id);
      return found.length > 0 ? found : undefined;
    });
    const ended = await runtime.cloud.sfn.waitForExecution(execution!.executionArn!);
    expect(ended).toMatchObject({ status: 'FAILED', error: 'ProviderInvalidRequest' });
    const history = await historyOf(execution!.executionArn!);
    const entered = history.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name);
    expect(entered.at(-1)).toBe('CreateVirtualAccount');

    // Step Functions' status change marks it FAILED; the sweeper does it too when that event is missed.
    await runtime.sweep();
    await runtime.sweep();
    const failed = (await api(runtime, 'GET', `/onboardings/${id}`)).body;
    expect(failed).toMatchObject({ status: 'FAILED', outcome: { reason: 'ProviderInvalidRequest' } });
    expect(eventsAbout(runtime, id).map((e) => e['detail-type'])).toEqual(['Onboarding Failed']);

    const sfn = new SFNClient({});
    const rerun = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: runtime.stateMachineArn,
        name: `${id}-2`,
        input: JSON.stringify({ onboardingId: id }),
      }),
    );
    expect((await runtime.cloud.sfn.waitForExecution(rerun.executionArn!)).status).toBe('SUCCEEDED');
    const done = (await api(runtime, 'GET', `/onboardings/${id}`)).body;
    expect(done.status).toBe('COMPLETED');
    const profiles = profilesFor(request.customer.registrationId);
    expect(profiles).toHaveLength(1);
    expect(accountsFor(profiles[0]!.id)).toHaveLength(1);
    await runtime.sweep();
    expect(eventsAbout(runtime, id).map((e) => e['detail-type'])).toEqual(['Onboarding Failed', 'Onboarding Completed']);
  });

  it('refuses an operator retry of a running or finished onboarding with 409, naming why', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', personalRequest());
    const done = await settled(runtime, accepted.body.onboardingId);
    expect(done.status).toBe('COMPLETED');
    const retry = await api(runtime, 'POST', `/onboardings/${done.onboardingId}/retry`);
    expect(retry).toMatchObject({ status: 409, body: { message: expect.stringContaining('finished (COMPLETED)') } });
    expect((await api(runtime, 'POST', '/onboardings/onb_aaaaaaaaaaaaaaaaaaaaaaaaaa/retry')).status).toBe(404);
  });

  it('keeps every onboarding right when many run at once against the 5 requests/second limit', async () => {
    const requests = Array.from({ length: 8 }, () => personalRequest());
    const accepted = await Promise.all(requests.map((r) => api(runtime, 'POST', '/onboardings', r)));
    const done = await Promise.all(accepted.map((a) => settled(runtime, a.body.onboardingId, 60_000)));
    expect(done.map((d) => d.status)).toEqual(requests.map(() => 'COMPLETED'));
    for (const r of requests) expect(profilesFor(r.customer.registrationId)).toHaveLength(1);
  });
});
