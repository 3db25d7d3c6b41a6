import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { type HistoryEvent, LocalStepFunctions } from '../../local/cloud/stepfunctions';

const ASL_PATH = resolve('workflows/onboarding.asl.json');
const functionArn = (name: string) => `arn:aws:lambda:ap-southeast-1:000000000000:function:onboarding-${name}`;
const SUBSTITUTIONS = {
  CreateProfileFunctionArn: functionArn('create-profile'),
  CreateVirtualAccountFunctionArn: functionArn('create-virtual-account'),
  FinishFunctionArn: functionArn('finish'),
};

/** What a fake function does on each call: return the value, or throw it when it is an Error. */
type Step = Record<string, unknown> | Error;

function providerError(name: string): Error {
  const error = new Error(`straitsx: ${name} (HTTP 503)`);
  error.name = name;
  return error;
}

interface FinishPayload {
  onboardingId: string;
  execution: string;
  outcome: string;
  state: { error?: { Error: string; Cause: string }; profile?: unknown; account?: unknown };
}

/** Runs the onboarding ASL with fake functions that play the given steps (the last one repeats). */
async function runOnboarding(script: { createProfile: Step[]; createVirtualAccount?: Step[] }) {
  const calls = { createProfile: [] as unknown[], createVirtualAccount: [] as unknown[], finish: [] as FinishPayload[] };
  const play = (name: 'createProfile' | 'createVirtualAccount', steps: Step[]) => async (payload: unknown) => {
    calls[name].push(payload);
    const step = steps[Math.min(calls[name].length, steps.length) - 1];
    if (step instanceof Error) throw step;
    return step;
  };
  const sfn = new LocalStepFunctions({ retryScale: 0.001 });
  const stateMachineArn = sfn.registerStateMachine({
    name: 'onboarding',
    aslPath: ASL_PATH,
    substitutions: SUBSTITUTIONS,
    taskHandlers: {
      [functionArn('create-profile')]: play('createProfile', script.createProfile),
      [functionArn('create-virtual-account')]: play('createVirtualAccount', script.createVirtualAccount ?? []),
      [functionArn('finish')]: async (payload) => {
        calls.finish.push(payload as FinishPayload);
        return { status: (payload as FinishPayload).outcome };
      },
    },
  });
  const { executionArn } = sfn.startExecution({
    stateMachineArn,
    name: 'onb_123',
    input: JSON.stringify({ onboardingId: 'onb_123' }),
  });
  const execution = await sfn.waitForExecution(executionArn, 10_000);
  const history = sfn.getExecutionHistory({ executionArn }).events;
  const transitions = sfn.stateTransitions(executionArn);
  await sfn.stop();
  return { execution, output: execution.output ? JSON.parse(execution.output) : undefined, calls, history, transitions };
}

const statesEntered = (history: HistoryEvent[]) =>
  history.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name);
const taskFailures = (history: HistoryEvent[]) =>
  history.filter((e) => e.type === 'TaskFailed').map((e) => (e.taskFailedEventDetails as { error: string }).error);

describe('onboarding workflow', () => {
  it('is valid ASL', () => {
    const definition = JSON.parse(readFileSync(ASL_PATH, 'utf8'));
    const { isValid, errorsText } = aslValidator(definition, { checkPaths: true, checkArn: true });
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  it('completes a verified profile that needs an account once the account is enabled', async () => {
    const { execution, output, calls, history, transitions } = await runOnboarding({
      createProfile: [{ profileStatus: 'verified', needsVirtualAccount: true }],
      createVirtualAccount: [{ accountStatus: 'enabled' }],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(calls.createProfile).toEqual([{ onboardingId: 'onb_123', execution: 'onb_123' }]);
    expect(calls.createVirtualAccount).toHaveLength(1);
    expect(calls.finish).toHaveLength(1);
    expect(calls.finish[0]).toMatchObject({
      onboardingId: 'onb_123',
      outcome: 'COMPLETED',
      state: { account: { accountStatus: 'enabled' } },
    });
    expect(statesEntered(history)).toEqual([
      'CreateProfile',
      'ProfileDecision',
      'CreateVirtualAccount',
      'AccountDecision',
      'RecordCompleted',
      'Completed',
    ]);
    expect(transitions).toBe(6);
  });

  it('completes a verified profile without an account', async () => {
    const { execution, output, calls } = await runOnboarding({
      createProfile: [{ profileStatus: 'verified', needsVirtualAccount: false }],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('COMPLETED');
    expect(calls.createVirtualAccount).toHaveLength(0);
    expect(calls.finish.map((c) => c.outcome)).toEqual(['COMPLETED']);
  });

  it('records a rejected profile as a successful execution with status REJECTED', async () => {
    const { execution, output, calls } = await runOnboarding({
      createProfile: [{ profileStatus: 'rejected', needsVirtualAccount: true }],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('REJECTED');
    expect(calls.createVirtualAccount).toHaveLength(0);
  });

  it('records a ProviderRejected error as REJECTED without retrying', async () => {
    const { execution, output, calls } = await runOnboarding({ createProfile: [providerError('ProviderRejected')] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('REJECTED');
    expect(calls.createProfile).toHaveLength(1);
    const error = calls.finish[0]!.state.error!;
    expect(error.Error).toBe('ProviderRejected');
    // The cause is the Lambda runtime's error document, as on AWS.
    expect(JSON.parse(error.Cause)).toMatchObject({
      errorType: 'ProviderRejected',
      errorMessage: 'straitsx: ProviderRejected (HTTP 503)',
    });
  });

  it.each(['pending', 'review'])('needs attention when the profile is %s', async (profileStatus) => {
    const { execution, output, calls } = await runOnboarding({ createProfile: [{ profileStatus, needsVirtualAccount: true }] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('NEEDS_ATTENTION');
    expect(calls.createVirtualAccount).toHaveLength(0);
  });

  it('needs attention when the account is pending', async () => {
    const { output, calls } = await runOnboarding({
      createProfile: [{ profileStatus: 'verified', needsVirtualAccount: true }],
      createVirtualAccount: [{ accountStatus: 'pending' }],
    });

    expect(output.result.status).toBe('NEEDS_ATTENTION');
    expect(calls.finish.map((c) => c.outcome)).toEqual(['NEEDS_ATTENTION']);
  });

  it('retries ProviderUnavailable and completes', async () => {
    const { execution, output, calls, history, transitions } = await runOnboarding({
      createProfile: [
        providerError('ProviderUnavailable'),
        providerError('ProviderUnavailable'),
        { profileStatus: 'verified', needsVirtualAccount: false },
      ],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('COMPLETED');
    expect(calls.createProfile).toHaveLength(3);
    expect(taskFailures(history)).toEqual(['ProviderUnavailable', 'ProviderUnavailable']);
    expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(3 + 1);
    expect(statesEntered(history).filter((name) => name === 'CreateProfile')).toHaveLength(1);
    // Four states entered and two retries: AWS bills retries as transitions too.
    expect(transitions).toBe(4 + 2);
  });

  it('retries ProviderRateLimited', async () => {
    const { output, calls, history } = await runOnboarding({
      createProfile: [providerError('ProviderRateLimited'), { profileStatus: 'verified', needsVirtualAccount: false }],
    });

    expect(output.result.status).toBe('COMPLETED');
    expect(calls.createProfile).toHaveLength(2);
    expect(taskFailures(history)).toEqual(['ProviderRateLimited']);
  });

  it('retries the account step too', async () => {
    const { output, calls } = await runOnboarding({
      createProfile: [{ profileStatus: 'verified', needsVirtualAccount: true }],
      createVirtualAccount: [providerError('ProviderTimeout'), { accountStatus: 'enabled' }],
    });

    expect(output.result.status).toBe('COMPLETED');
    expect(calls.createVirtualAccount).toHaveLength(2);
  });

  it('fails on a terminal error without retrying, after recording the failure', async () => {
    const { execution, calls } = await runOnboarding({ createProfile: [providerError('ProviderInvalidRequest')] });

    expect(calls.createProfile).toHaveLength(1);
    expect(calls.finish.map((c) => c.outcome)).toEqual(['FAILED']);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ProviderInvalidRequest');
    expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: 'ProviderInvalidRequest' });
  });

  it('fails once retries are exhausted', async () => {
    const unavailable = await runOnboarding({ createProfile: [providerError('ProviderUnavailable')] });
    expect(unavailable.calls.createProfile).toHaveLength(1 + 5);
    expect(unavailable.calls.finish.map((c) => c.outcome)).toEqual(['FAILED']);
    expect(unavailable.execution).toMatchObject({ status: 'FAILED', error: 'ProviderUnavailable' });

    const rateLimited = await runOnboarding({ createProfile: [providerError('ProviderRateLimited')] });
    expect(rateLimited.calls.createProfile).toHaveLength(1 + 6);
    expect(rateLimited.execution).toMatchObject({ status: 'FAILED', error: 'ProviderRateLimited' });
  });
});
