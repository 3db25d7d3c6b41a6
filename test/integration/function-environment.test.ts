import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { ENVIRONMENT } from '../../manifest/environment';
import { api, personalRequest } from './harness';

/**
 * The intake function's declaration without its state machine: as on AWS when its CDK definition lacks
 * STATE_MACHINE_ARN, the function fails on this machine, though the stack (and this process) has the value.
 */
let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({
    logFile: false,
    sweepIntervalMs: 0,
    environment: { Intake: ENVIRONMENT.Intake.filter((group) => group !== 'onboardingWorkflow') },
  });
});
afterAll(async () => {
  await runtime?.stop();
});

describe('a function whose declaration lacks a variable', () => {
  it('fails locally, naming the variable, though other code in the process sees it', async () => {
    expect(process.env.STATE_MACHINE_ARN).toBe(runtime.stateMachineArn);
    runtime.logs.clear();

    const res = await api(runtime, 'POST', '/onboardings', personalRequest());

    expect(res.status).toBe(500);
    const failures = runtime.logs
      .lines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.message === 'request failed');
    expect(failures).toEqual([
      expect.objectContaining({
        function_name: 'onboarding-intake',
        errorName: 'ConfigurationError',
        setting: 'STATE_MACHINE_ARN',
      }),
    ]);
  });

  it('leaves the other functions their own variables', async () => {
    // GetOnboarding reads TABLE_NAME: an unknown id is a 404 from the table, not a 500.
    const res = await api(runtime, 'GET', '/onboardings/onb_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(res.status).toBe(404);
  });
});
