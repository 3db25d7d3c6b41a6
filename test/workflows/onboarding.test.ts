import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { retryPlaceholders } from '../../functions/onboarding/retry-policy';
import {
  ASL_PATH,
  account,
  DEFAULT_TIMEOUTS,
  ID,
  PROFILE_THEN_ACCOUNT,
  profile,
  providerError,
  runnableDefinition,
  runOnboarding,
  SUBSTITUTIONS,
  scheduledPayloads,
  statesEntered,
  TEST_RETRY_POLICY,
  TIMEOUTS,
  taskErrors,
} from './onboarding-harness';

/** The onboarding workflow without waits: creation, outcomes, retries and failures. Waits: onboarding-waits.test.ts. */

const RETRYABLE = ['ProviderUnavailable', 'ProviderRateLimited', 'ProviderTimeout', 'ProviderNotReady'] as const;
/**
 * Lambda's own errors and the task's timeout: an outage of the function or a hung call is waited out too.
 * `TimeoutError` is what a function that reaches its time limit throws (middy ends it just before Lambda
 * would, so Lambda's own `Sandbox.Timedout` is rarely seen).
 */
const SERVICE_ERRORS = [
  'States.Timeout',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Sandbox.Timedout',
  'TimeoutError',
];
const TERMINAL = ['ProviderInvalidRequest', 'ProviderAuthFailed', 'ProviderConflict'] as const;
const PROVIDER_STEPS = [
  'CreateProfile',
  'SubmitDetails',
  'StartScreening',
  'CreateVirtualAccount',
  'CheckProfile',
  'CheckAccount',
];

type AslState = {
  Type: string;
  Retry?: Array<Record<string, unknown> & { ErrorEquals: string[] }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
};
const definition = () => runnableDefinition() as { States: Record<string, AslState> };

describe('onboarding workflow', () => {
  it('is valid ASL once the retry numbers are written in, with exactly the function placeholders of its steps', () => {
    const { isValid, errorsText } = aslValidator(definition(), { checkPaths: true, checkArn: true });
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
    const text = readFileSync(ASL_PATH, 'utf8');
    const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    const numbers = Object.keys(retryPlaceholders(TEST_RETRY_POLICY));
    expect([...placeholders].sort()).toEqual([...Object.keys(SUBSTITUTIONS), ...numbers].sort());
    // Numeric placeholders stand alone in quotes, so the loader can write a number in their place.
    for (const name of numbers) expect(text).not.toMatch(new RegExp(`[^"]\\$\\{${name}\\}|\\$\\{${name}\\}[^"]`));
  });

  it('has no catch-all: an unexpected error fails the execution at the state that failed, so a redrive resumes there', () => {
    const { States } = definition();
    const caught = Object.values(States).flatMap((s) => (s.Catch ?? []).flatMap((c) => c.ErrorEquals));
    expect(caught).not.toContain('States.ALL');
    expect(Object.values(States).filter((s) => s.Type === 'Fail')).toEqual([]);
  });

  it('checks for missing timeouts with Not IsPresent, the form both Step Functions and the local interpreter evaluate alike', () => {
    // aws-local-stepfunctions never matches `"IsPresent": false`; `Not` of `IsPresent: true` means the same on AWS.
    const written = JSON.parse(readFileSync(ASL_PATH, 'utf8')) as { States: Record<string, { Choices?: unknown }> };
    expect(written.States.HasTimeouts!.Choices).toEqual([
      { Not: { Variable: '$.timeouts', IsPresent: true }, Next: 'DefaultTimeouts' },
    ]);
  });

  it('declares exponential backoff with full jitter on every retry, and the configured policy on every provider step', () => {
    const { States } = definition();
    const retries = Object.values(States).flatMap((s) => s.Retry ?? []);
    for (const retry of retries)
      expect(retry).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
    for (const step of PROVIDER_STEPS) {
      const names = States[step]!.Retry!.flatMap((r) => r.ErrorEquals);
      expect(names).toEqual(expect.arrayContaining([...RETRYABLE, ...SERVICE_ERRORS]));
      for (const terminal of [...TERMINAL, 'ProviderRejected']) expect(names).not.toContain(terminal);
      expect(States[step]!.Retry).toEqual([
        expect.objectContaining({
          IntervalSeconds: TEST_RETRY_POLICY.intervalSeconds,
          MaxDelaySeconds: TEST_RETRY_POLICY.maxDelaySeconds,
          MaxAttempts: TEST_RETRY_POLICY.maxAttempts,
        }),
      ]);
    }
  });

  it('completes a verified profile once its account is enabled, in seven state transitions', async () => {
    const { execution, output, calls, history, transitions } = await runOnboarding({
      createProfile: [profile('verified')],
      createVirtualAccount: [account('enabled')],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(calls.createProfile).toEqual([{ onboardingId: ID, execution: ID, retryCount: 0 }]);
    expect(calls.createVirtualAccount).toEqual([{ onboardingId: ID, execution: ID, retryCount: 0 }]);
    expect(calls.waitFor).toEqual([]);
    expect(calls.finish).toEqual([
      {
        onboardingId: ID,
        execution: ID,
        outcome: 'COMPLETED',
        state: { onboardingId: ID, timeouts: TIMEOUTS, profile: profile('verified'), account: account('enabled') },
      },
    ]);
    expect(statesEntered(history)).toEqual(['HasTimeouts', ...PROFILE_THEN_ACCOUNT]);
    // A change that adds states to the common path shows here (and on the bill: Standard charges per transition).
    expect(transitions).toBe(7);
  });

  it('completes a verified profile that needs no account, without creating one', async () => {
    const { execution, output, calls, history } = await runOnboarding({ createProfile: [profile('verified', false)] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('COMPLETED');
    expect(calls.createVirtualAccount).toHaveLength(0);
    expect(calls.finish.map((c) => c.outcome)).toEqual(['COMPLETED']);
    expect(statesEntered(history)).toEqual(['HasTimeouts', 'CreateProfile', 'ProfileDecision', 'RecordCompleted', 'Completed']);
  });

  it('sets the default timeouts when started with the onboarding id alone, as a console re-run may be', async () => {
    const { execution, output, calls, history, transitions } = await runOnboarding(
      { createProfile: [profile('verified')], createVirtualAccount: [account('enabled')] },
      { onboardingId: ID },
    );

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(output.timeouts).toEqual(DEFAULT_TIMEOUTS);
    expect(calls.finish).toEqual([
      {
        onboardingId: ID,
        execution: ID,
        outcome: 'COMPLETED',
        state: { onboardingId: ID, timeouts: DEFAULT_TIMEOUTS, profile: profile('verified'), account: account('enabled') },
      },
    ]);
    expect(statesEntered(history)).toEqual(['HasTimeouts', 'DefaultTimeouts', ...PROFILE_THEN_ACCOUNT]);
    expect(transitions).toBe(7 + 1);
  });

  it('records a profile rejected at creation as REJECTED, in a successful execution', async () => {
    const { execution, output, calls } = await runOnboarding({ createProfile: [profile('rejected')] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('REJECTED');
    expect(calls.createVirtualAccount).toHaveLength(0);
    expect(calls.finish).toEqual([expect.objectContaining({ outcome: 'REJECTED' })]);
    expect(calls.finish[0]!.state.error).toBeUndefined();
  });

  it.each([
    ['CreateProfile', { createProfile: [providerError('ProviderRejected')] }],
    ['CreateVirtualAccount', { createProfile: [profile('verified')], createVirtualAccount: [providerError('ProviderRejected')] }],
  ])('records ProviderRejected thrown by %s as REJECTED without retrying', async (_step, script) => {
    const { execution, output, calls, history } = await runOnboarding(script);

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('REJECTED');
    expect(taskErrors(history)).toEqual(['ProviderRejected']);
    const error = calls.finish[0]!.state.error!;
    expect(error.Error).toBe('ProviderRejected');
    // The cause is the Lambda runtime's error document, as on AWS.
    expect(JSON.parse(error.Cause)).toMatchObject({
      errorType: 'ProviderRejected',
      errorMessage: 'straitsx: ProviderRejected (HTTP 503)',
    });
  });

  it('needs attention for a profile status it does not know', async () => {
    const { execution, output, calls } = await runOnboarding({ createProfile: [profile('unknown')] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('NEEDS_ATTENTION');
    expect(calls.createVirtualAccount).toHaveLength(0);
    expect(calls.finish[0]).toMatchObject({ outcome: 'NEEDS_ATTENTION', state: { profile: profile('unknown') } });
  });

  it('needs attention when the new account is disabled', async () => {
    const { output, calls } = await runOnboarding({
      createProfile: [profile('verified')],
      createVirtualAccount: [account('disabled')],
    });

    expect(output.result.status).toBe('NEEDS_ATTENTION');
    expect(calls.waitFor).toHaveLength(0);
    expect(calls.finish[0]).toMatchObject({ outcome: 'NEEDS_ATTENTION', state: { account: account('disabled') } });
  });

  it.each([...RETRYABLE, 'TimeoutError'])(
    'retries %s on CreateProfile and CreateVirtualAccount, each retry in the history',
    async (name) => {
      const { execution, output, calls, history, transitions } = await runOnboarding({
        createProfile: [providerError(name), profile('verified')],
        createVirtualAccount: [providerError(name), providerError(name), account('enabled')],
      });

      expect(execution.status).toBe('SUCCEEDED');
      expect(output.result.status).toBe('COMPLETED');
      expect(calls.createProfile).toHaveLength(2);
      expect(calls.createVirtualAccount).toHaveLength(3);
      expect(taskErrors(history)).toEqual([name, name, name]);
      // Retries stay inside their state: each is a new attempt (TaskScheduled), not a new state.
      expect(statesEntered(history)).toEqual(['HasTimeouts', ...PROFILE_THEN_ACCOUNT]);
      expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(2 + 3 + 1);
      expect(transitions).toBe(7 + 3);
    },
  );

  it.each(
    TERMINAL.flatMap(
      (name) =>
        [
          [name, 'CreateProfile', { createProfile: [providerError(name)] }],
          [name, 'CreateVirtualAccount', { createProfile: [profile('verified')], createVirtualAccount: [providerError(name)] }],
        ] as const,
    ),
  )('fails on %s at %s without retrying, with nothing run after it', async (name, step, script) => {
    const { execution, calls, history } = await runOnboarding(script);

    expect(taskErrors(history)).toEqual([name]);
    expect(statesEntered(history).at(-1)).toBe(step);
    // The record is marked FAILED from Step Functions' status change, not by a step of the workflow.
    expect(calls.finish).toEqual([]);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(name);
    expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: name });
  });

  it.each([...RETRYABLE, 'Lambda.TooManyRequestsException'])(
    'retries %s as often as the policy says, then fails at the step',
    async (name) => {
      const { execution, calls, history } = await runOnboarding({ createProfile: [providerError(name)] });

      expect(calls.createProfile).toHaveLength(1 + TEST_RETRY_POLICY.maxAttempts);
      expect(taskErrors(history)).toEqual(Array(1 + TEST_RETRY_POLICY.maxAttempts).fill(name));
      expect(statesEntered(history).at(-1)).toBe('CreateProfile');
      expect(calls.finish).toEqual([]);
      expect(execution).toMatchObject({ status: 'FAILED', error: name });
    },
  );

  it('sends the step functions ids and statuses only', async () => {
    const { history } = await runOnboarding({ createProfile: [profile('verified')], createVirtualAccount: [account('enabled')] });
    const started = history.find((e) => e.type === 'ExecutionStarted')!.executionStartedEventDetails as { input: string };

    expect(JSON.parse(started.input)).toEqual({ onboardingId: ID, timeouts: TIMEOUTS });
    expect(scheduledPayloads(history).map((p) => Object.keys(p).sort())).toEqual([
      ['execution', 'onboardingId', 'retryCount'],
      ['execution', 'onboardingId', 'retryCount'],
      ['execution', 'onboardingId', 'outcome', 'state'],
    ]);
    // The provider steps learn which retry they are ($$.State.RetryCount), to tell the record.
    for (const payload of scheduledPayloads(history).slice(0, 2)) expect(payload.retryCount).toEqual(expect.any(Number));
  });
});
