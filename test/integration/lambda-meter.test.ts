import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTransitions } from '../../local/cloud/sfn/store';
import { lambdaTotals, usageBetween } from '../../local/lambda-meter';
import { type Runtime, startRuntime } from '../../local/runtime';
import { FUNCTION_MEMORY_MB } from '../../manifest/function-settings';
import { api, historyOf, personalRequest, settled } from './harness';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 2_000, sweepIntervalMs: 0 });
});
afterAll(async () => {
  await runtime?.stop();
});

/** Lambda invocations the history shows, by function name: one per scheduled attempt of each task. */
function invocationsInHistory(events: Awaited<ReturnType<typeof historyOf>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) {
    const scheduled = event.taskScheduledEventDetails;
    if (!scheduled || scheduled.resourceType !== 'lambda') continue;
    const arn = String(JSON.parse(scheduled.parameters ?? '{}').FunctionName);
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe('the Lambda meter of the embedded stack', () => {
  it('counts each function an onboarding invokes, as often as its workflow path and API calls do', async () => {
    const before = runtime.lambdaMeter();
    const accepted = await api(runtime, 'POST', '/onboardings', personalRequest());
    expect(accepted.status).toBe(202);
    const done = await settled(runtime, accepted.body.onboardingId);
    expect(done.status).toBe('COMPLETED');
    const used = usageBetween(before, runtime.lambdaMeter());

    const executionArn = `${runtime.stateMachineArn.replace(':stateMachine:', ':execution:')}:${accepted.body.onboardingId}`;
    const fromHistory = invocationsInHistory(await historyOf(executionArn));
    // The basic StraitsX path: a profile, an SGD account and the finish, each a Lambda task of the workflow.
    expect(Object.keys(fromHistory)).toEqual(
      expect.arrayContaining(['onboarding-create-profile', 'onboarding-create-virtual-account', 'onboarding-finish']),
    );
    for (const [name, invocations] of Object.entries(fromHistory)) {
      expect(used.functions[name]?.invocations, name).toBe(invocations);
    }
    // The API's functions run once per request their route received: one intake, the polls of the record.
    expect(used.apiRequests['POST /onboardings']).toBe(1);
    expect(used.functions['onboarding-intake']?.invocations).toBe(1);
    expect(used.functions['onboarding-get-onboarding']?.invocations).toBe(used.apiRequests['GET /onboardings/{id}']);
    // Lambda bills each invocation at least one millisecond.
    for (const usage of Object.values(used.functions)) expect(usage.billedMs).toBeGreaterThanOrEqual(usage.invocations);

    const totals = lambdaTotals(used);
    expect(used.memoryMb).toBe(FUNCTION_MEMORY_MB);
    expect(totals.invocations).toBe(Object.values(used.functions).reduce((sum, u) => sum + u.invocations, 0));
    expect(totals.gbSeconds).toBeCloseTo(totals.seconds * (FUNCTION_MEMORY_MB / 1024), 9);
  });

  it("counts the onboarding's state transitions as its history shows them", async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', personalRequest());
    await settled(runtime, accepted.body.onboardingId);
    const executionArn = `${runtime.stateMachineArn.replace(':stateMachine:', ':execution:')}:${accepted.body.onboardingId}`;
    const history = await historyOf(executionArn);
    const entered = history.filter((e) => e.type!.endsWith('StateEntered')).length;

    expect(runtime.cloud.sfn.stateTransitions(executionArn)).toBe(countTransitions(history as never));
    expect(runtime.cloud.sfn.stateTransitions(executionArn)).toBeGreaterThanOrEqual(entered);
    expect(runtime.cloud.sfn.totalStateTransitions()).toBeGreaterThanOrEqual(runtime.cloud.sfn.stateTransitions(executionArn));
  });

  it('starts again from zero after a reset', async () => {
    runtime.resetLambdaMeter();
    expect(runtime.lambdaMeter().functions).toEqual({});
    await api(runtime, 'GET', '/onboardings/onb_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(runtime.lambdaMeter().functions['onboarding-get-onboarding']?.invocations).toBe(1);
  });
});
