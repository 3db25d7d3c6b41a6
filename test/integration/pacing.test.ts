import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { api, historyOf, personalRequest, settled } from './harness';

/**
 * A burst of StraitsX onboardings against the sandbox's documented 5 requests a second, with the
 * shared budget at its default 4 a second: the budget spaces the requests, the executions wait for their
 * slots in the workflow, and the sandbox never has to refuse one. The stack runs four workflow task
 * invocations at once, so the burst's first steps take turns for the process instead of sharing it out.
 */
const TASKS_AT_ONCE = 4;
let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({
    retryScale: 0.001,
    logFile: false,
    providerTimeoutMs: 2_000,
    lambdaConcurrency: TASKS_AT_ONCE,
  });
}, 30_000);
afterAll(async () => {
  await runtime?.stop();
});

const BURST = 30;

describe('a burst of onboardings paced by the shared rate budget', () => {
  it('completes every onboarding with no 429 at the provider, the waits taken in the workflow', async () => {
    runtime.resetLambdaMeter();
    const requests = Array.from({ length: BURST }, () => personalRequest());
    const accepted = await Promise.all(requests.map((r) => api(runtime, 'POST', '/onboardings', r)));
    expect(accepted.map((a) => a.status)).toEqual(requests.map(() => 202));
    const done = await Promise.all(accepted.map((a) => settled(runtime, a.body.onboardingId, 90_000)));

    expect(done.map((d) => d.status)).toEqual(requests.map(() => 'COMPLETED'));
    expect(runtime.straitsx.requests().filter((r) => r.status === 429)).toEqual([]);

    const { executions = [] } = await new SFNClient({}).send(
      new ListExecutionsCommand({ stateMachineArn: runtime.stateMachineArn, maxResults: 1000 }),
    );
    const mine = new Set(accepted.map((a) => a.body.onboardingId as string));
    const waited = [];
    for (const execution of executions.filter((e) => mine.has(e.name!))) {
      const entered = (await historyOf(execution.executionArn!))
        .map((e) => e.stateEnteredEventDetails?.name)
        .filter((name): name is string => name?.endsWith('AwaitsBudget') ?? false);
      if (entered.length > 0) waited.push(entered);
    }
    // Three requests an onboarding at four a second: most of the burst has to wait for its slot.
    expect(waited.length).toBeGreaterThan(BURST / 2);

    // All thirty executions reached their first step together; it ran at most four at a time, while the
    // API's intake, which a task never waits for, took the thirty requests as they came.
    const { peakConcurrency } = runtime.lambdaMeter();
    expect(peakConcurrency['onboarding-create-profile']).toBeLessThanOrEqual(TASKS_AT_ONCE);
    expect(peakConcurrency['onboarding-create-profile']).toBeGreaterThan(1);
    expect(peakConcurrency['onboarding-intake']).toBeGreaterThan(TASKS_AT_ONCE);
  }, 120_000);
});
