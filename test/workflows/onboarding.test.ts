import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  ASL_PATH,
  account,
  DEFAULT_TIMEOUTS,
  ID,
  profile,
  providerError,
  runOnboarding,
  SUBSTITUTIONS,
  scheduledPayloads,
  statesEntered,
  TIMEOUTS,
  taskErrors,
} from './onboarding-harness';

/** The onboarding workflow without waits: creation, outcomes, retries and failures. Waits: onboarding-waits.test.ts. */

const RETRYABLE = ['ProviderUnavailable', 'ProviderRateLimited', 'ProviderTimeout'] as const;
const TERMINAL = ['ProviderInvalidRequest', 'ProviderAuthFailed', 'ProviderConflict'] as const;
const PROVIDER_STEPS = ['CreateProfile', 'CreateVirtualAccount', 'CheckProfile', 'CheckAccount'];

type AslState = { Type: string; Retry?: Array<Record<string, unknown> & { ErrorEquals: string[] }> };
const definition = () => JSON.parse(readFileSync(ASL_PATH, 'utf8')) as { States: Record<string, AslState> };

describe('onboarding workflow', () => {
  it('is valid ASL with exactly the five function placeholders', () => {
    const text = readFileSync(ASL_PATH, 'utf8');
    const { isValid, errorsText } = aslValidator(JSON.parse(text), { checkPaths: true, checkArn: true });
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
    const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(SUBSTITUTIONS).sort());
  });

  it('checks for missing timeouts with Not IsPresent, the form both Step Functions and the local interpreter evaluate alike', () => {
    // aws-local-stepfunctions never matches `"IsPresent": false`; `Not` of `IsPresent: true` means the same on AWS.
    const written = JSON.parse(readFileSync(ASL_PATH, 'utf8')) as { States: Record<string, { Choices?: unknown }> };
    expect(written.States.HasTimeouts!.Choices).toEqual([
      { Not: { Variable: '$.timeouts', IsPresent: true }, Next: 'DefaultTimeouts' },
    ]);
  });

  it('declares exponential backoff with full jitter on every retry, and retries provider errors on every provider step', () => {
    const { States } = definition();
    const retries = Object.values(States).flatMap((s) => s.Retry ?? []);
    for (const retry of retries)
      expect(retry).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
    for (const step of PROVIDER_STEPS) {
      const names = States[step]!.Retry!.flatMap((r) => r.ErrorEquals);
      expect(names).toEqual(expect.arrayContaining([...RETRYABLE]));
      for (const terminal of [...TERMINAL, 'ProviderRejected']) expect(names).not.toContain(terminal);
    }
  });

  it('completes a verified profile once its account is enabled, in seven state transitions', async () => {
    const { execution, output, calls, history, transitions } = await runOnboarding({
      createProfile: [profile('verified')],
      createVirtualAccount: [account('enabled')],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(calls.createProfile).toEqual([{ onboardingId: ID, execution: ID }]);
    expect(calls.createVirtualAccount).toEqual([{ onboardingId: ID, execution: ID }]);
    expect(calls.waitFor).toEqual([]);
    expect(calls.finish).toEqual([
      {
        onboardingId: ID,
        execution: ID,
        outcome: 'COMPLETED',
        state: { onboardingId: ID, timeouts: TIMEOUTS, profile: profile('verified'), account: account('enabled') },
      },
    ]);
    expect(statesEntered(history)).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'CreateVirtualAccount',
      'AccountDecision',
      'RecordCompleted',
      'Completed',
    ]);
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
    expect(statesEntered(history)).toEqual([
      'HasTimeouts',
      'DefaultTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'CreateVirtualAccount',
      'AccountDecision',
      'RecordCompleted',
      'Completed',
    ]);
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

  it.each(RETRYABLE)('retries %s on CreateProfile and CreateVirtualAccount, each retry in the history', async (name) => {
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
    expect(statesEntered(history)).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'CreateVirtualAccount',
      'AccountDecision',
      'RecordCompleted',
      'Completed',
    ]);
    expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(2 + 3 + 1);
    expect(transitions).toBe(7 + 3);
  });

  it.each(
    TERMINAL.flatMap(
      (name) =>
        [
          [name, 'CreateProfile', { createProfile: [providerError(name)] }],
          [name, 'CreateVirtualAccount', { createProfile: [profile('verified')], createVirtualAccount: [providerError(name)] }],
        ] as const,
    ),
  )('fails on %s from %s without retrying, after recording the failure', async (name, step, script) => {
    const { execution, calls, history } = await runOnboarding(script);

    expect(taskErrors(history)).toEqual([name]);
    expect(statesEntered(history).slice(-2)).toEqual(['RecordFailure', 'Failed']);
    expect(statesEntered(history)).toContain(step);
    expect(calls.finish.map((c) => c.outcome)).toEqual(['FAILED']);
    expect(calls.finish[0]!.state.error!.Error).toBe(name);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(name);
    expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: name });
  });

  it.each([
    ['ProviderUnavailable', 5],
    ['ProviderTimeout', 5],
    ['ProviderRateLimited', 6],
  ] as const)('fails with %s once its %i retries are exhausted', async (name, retries) => {
    const { execution, calls, history } = await runOnboarding({ createProfile: [providerError(name)] });

    expect(calls.createProfile).toHaveLength(1 + retries);
    expect(taskErrors(history)).toEqual(Array(1 + retries).fill(name));
    expect(calls.finish.map((c) => c.outcome)).toEqual(['FAILED']);
    expect(execution).toMatchObject({ status: 'FAILED', error: name });
  });

  it('sends the step functions ids and statuses only', async () => {
    const { history } = await runOnboarding({ createProfile: [profile('verified')], createVirtualAccount: [account('enabled')] });
    const started = history.find((e) => e.type === 'ExecutionStarted')!.executionStartedEventDetails as { input: string };

    expect(JSON.parse(started.input)).toEqual({ onboardingId: ID, timeouts: TIMEOUTS });
    expect(scheduledPayloads(history).map((p) => Object.keys(p).sort())).toEqual([
      ['execution', 'onboardingId'],
      ['execution', 'onboardingId'],
      ['execution', 'onboardingId', 'outcome', 'state'],
    ]);
  });
});
