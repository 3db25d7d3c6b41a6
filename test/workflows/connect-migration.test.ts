import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { retryPlaceholders } from '../../functions/onboarding/retry-policy';
import { type HistoryEvent, LocalStepFunctions } from '../../local/cloud/stepfunctions';
import { definitionOf, TEST_RETRY_POLICY } from './onboarding-harness';

const ASL_PATH = resolve('workflows/connect-migration.asl.json');
const functionArn = (name: string) => `arn:aws:lambda:ap-southeast-1:000000000000:function:onboarding-${name}`;
const SUBSTITUTIONS = {
  CreateProfileFunctionArn: functionArn('create-profile'),
  MigrateAccountFunctionArn: functionArn('migrate-account'),
  FinishMigrationFunctionArn: functionArn('finish-migration'),
};
const ID = 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa';

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
  state: { error?: { Error: string; Cause: string }; profile?: unknown; migration?: unknown };
}

const verified = { profileStatus: 'verified', needsVirtualAccount: true };
const migrated = { migrationStatus: 'MIGRATED' };

/** Runs the migration ASL with fake functions that play the given steps (the last one repeats). */
async function runMigration(script: { createProfile: Step[]; migrateAccount?: Step[] }) {
  const calls = { createProfile: [] as unknown[], migrateAccount: [] as unknown[], finish: [] as FinishPayload[] };
  const play = (name: 'createProfile' | 'migrateAccount', steps: Step[]) => async (payload: unknown) => {
    calls[name].push(payload);
    const step = steps[Math.min(calls[name].length, steps.length) - 1];
    if (step instanceof Error) throw step;
    return step;
  };
  const sfn = new LocalStepFunctions({ retryScale: 0.001 });
  const stateMachineArn = sfn.registerStateMachine({
    name: 'connect-migration',
    definition: definitionOf(ASL_PATH),
    substitutions: SUBSTITUTIONS,
    taskHandlers: {
      [functionArn('create-profile')]: play('createProfile', script.createProfile),
      [functionArn('migrate-account')]: play('migrateAccount', script.migrateAccount ?? []),
      [functionArn('finish-migration')]: async (payload) => {
        calls.finish.push(payload as FinishPayload);
        return { status: (payload as FinishPayload).outcome };
      },
    },
  });
  const { executionArn } = sfn.startExecution({ stateMachineArn, name: ID, input: JSON.stringify({ onboardingId: ID }) });
  const execution = await sfn.waitForExecution(executionArn, 10_000);
  const history = sfn.getExecutionHistory({ executionArn }).events;
  await sfn.stop();
  return { execution, output: execution.output ? JSON.parse(execution.output) : undefined, calls, history };
}

const statesEntered = (history: HistoryEvent[]) =>
  history.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name);
const taskFailures = (history: HistoryEvent[]) =>
  history.filter((e) => e.type === 'TaskFailed').map((e) => (e.taskFailedEventDetails as { error: string }).error);

describe('Connect migration workflow', () => {
  it('is valid ASL once the retry numbers are written in, with exactly the three function placeholders', () => {
    const { isValid, errorsText } = aslValidator(definitionOf(ASL_PATH), { checkPaths: true, checkArn: true });
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
    const text = readFileSync(ASL_PATH, 'utf8');
    const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));
    const numbers = Object.keys(retryPlaceholders(TEST_RETRY_POLICY));
    expect([...placeholders].sort()).toEqual([...Object.keys(SUBSTITUTIONS), ...numbers].sort());
  });

  it('has no catch-all and gives the retries time to outlast a provider outage', () => {
    const definition = definitionOf(ASL_PATH) as {
      TimeoutSeconds: number;
      States: Record<string, { Type: string; Catch?: Array<{ ErrorEquals: string[] }> }>;
    };
    const caught = Object.values(definition.States).flatMap((s) => (s.Catch ?? []).flatMap((c) => c.ErrorEquals));
    expect(caught).not.toContain('States.ALL');
    expect(Object.values(definition.States).filter((s) => s.Type === 'Fail')).toEqual([]);
    // Two provider steps, each waiting out the longest outage the context accepts (72 hours).
    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(2 * 72 * 3600);
  });

  it('migrates: profile, account with the number carried over, RecordMigrated', async () => {
    const { execution, output, calls, history } = await runMigration({ createProfile: [verified], migrateAccount: [migrated] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'MIGRATED' });
    expect(calls.createProfile).toEqual([{ onboardingId: ID, execution: ID, retryCount: 0 }]);
    expect(calls.migrateAccount).toEqual([{ onboardingId: ID, execution: ID, retryCount: 0 }]);
    expect(calls.finish).toHaveLength(1);
    expect(calls.finish[0]).toMatchObject({
      onboardingId: ID,
      outcome: 'MIGRATED',
      state: { migration: { migrationStatus: 'MIGRATED' } },
    });
    expect(statesEntered(history)).toEqual([
      'CreateProfile',
      'ProfileDecision',
      'MigrateAccount',
      'MigrationDecision',
      'RecordMigrated',
      'Migrated',
    ]);
  });

  it('records a number that did not carry over as a successful execution with MISMATCH', async () => {
    const { execution, output, calls } = await runMigration({
      createProfile: [verified],
      migrateAccount: [{ migrationStatus: 'MISMATCH' }],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('MISMATCH');
    expect(calls.finish.map((c) => c.outcome)).toEqual(['MISMATCH']);
  });

  it('keeps ids only in the execution: its input and every payload', async () => {
    const { history } = await runMigration({ createProfile: [verified], migrateAccount: [migrated] });
    const started = history.find((e) => e.type === 'ExecutionStarted')!.executionStartedEventDetails as { input: string };
    expect(JSON.parse(started.input)).toEqual({ onboardingId: ID });
    const scheduled = history
      .filter((e) => e.type === 'TaskScheduled')
      .map((e) => JSON.parse((e.taskScheduledEventDetails as { parameters: string }).parameters));
    for (const parameters of scheduled)
      expect(Object.keys(parameters.Payload).sort()).toEqual(expect.arrayContaining(['execution', 'onboardingId']));
    expect(scheduled.map((p) => Object.keys(p.Payload).length)).toEqual([3, 3, 4]);
  });

  it('records a rejected profile as REJECTED and migrates nothing', async () => {
    const { execution, output, calls } = await runMigration({
      createProfile: [{ profileStatus: 'rejected', needsVirtualAccount: true }],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('REJECTED');
    expect(calls.migrateAccount).toHaveLength(0);
  });

  it.each(['createProfile', 'migrateAccount'] as const)(
    'records ProviderRejected from %s as REJECTED without retrying',
    async (step) => {
      const script =
        step === 'createProfile'
          ? { createProfile: [providerError('ProviderRejected')] }
          : { createProfile: [verified], migrateAccount: [providerError('ProviderRejected')] };
      const { execution, output, calls } = await runMigration(script);

      expect(execution.status).toBe('SUCCEEDED');
      expect(output.result.status).toBe('REJECTED');
      expect(calls[step]).toHaveLength(1);
      expect(calls.finish[0]!.state.error!.Error).toBe('ProviderRejected');
      expect(JSON.parse(calls.finish[0]!.state.error!.Cause)).toMatchObject({ errorType: 'ProviderRejected' });
    },
  );

  it.each(['pending', 'review', 'needs_documents'])('needs attention when the profile is %s', async (profileStatus) => {
    const { execution, output, calls } = await runMigration({ createProfile: [{ profileStatus, needsVirtualAccount: true }] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('NEEDS_ATTENTION');
    expect(calls.migrateAccount).toHaveLength(0);
    expect(calls.finish[0]).toMatchObject({ outcome: 'NEEDS_ATTENTION', state: { profile: { profileStatus } } });
  });

  it('needs attention for a migration status it does not know', async () => {
    const { output } = await runMigration({ createProfile: [verified], migrateAccount: [{ migrationStatus: 'SOMETHING_ELSE' }] });
    expect(output.result.status).toBe('NEEDS_ATTENTION');
  });

  it.each(['ProviderUnavailable', 'ProviderTimeout', 'ProviderRateLimited', 'ProviderNotReady'])(
    'retries %s on both provider steps and migrates',
    async (name) => {
      const { execution, output, calls, history } = await runMigration({
        createProfile: [providerError(name), verified],
        migrateAccount: [providerError(name), providerError(name), migrated],
      });

      expect(execution.status).toBe('SUCCEEDED');
      expect(output.result.status).toBe('MIGRATED');
      expect(calls.createProfile).toHaveLength(2);
      expect(calls.migrateAccount).toHaveLength(3);
      expect(taskFailures(history)).toEqual([name, name, name]);
      expect(statesEntered(history).filter((s) => s === 'MigrateAccount')).toHaveLength(1);
    },
  );

  it('declares exponential backoff with full jitter on every retry', () => {
    const definition = definitionOf(ASL_PATH) as {
      States: Record<string, { Retry?: Record<string, unknown>[] }>;
    };
    const retries = Object.values(definition.States).flatMap((s) => s.Retry ?? []);
    expect(retries.length).toBeGreaterThan(0);
    for (const retry of retries)
      expect(retry).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
    for (const step of ['CreateProfile', 'MigrateAccount']) {
      const names = definition.States[step]!.Retry!.flatMap((r) => r.ErrorEquals as string[]);
      expect(names).toEqual(
        expect.arrayContaining([
          'ProviderUnavailable',
          'ProviderRateLimited',
          'ProviderTimeout',
          'ProviderNotReady',
          'States.Timeout',
        ]),
      );
    }
  });

  it.each(['ProviderAuthFailed', 'ProviderInvalidRequest', 'ProviderConflict', 'ConfigurationError'])(
    'fails at MigrateAccount on %s without retrying, with nothing run after it',
    async (name) => {
      const { execution, calls, history } = await runMigration({
        createProfile: [verified],
        migrateAccount: [providerError(name)],
      });

      expect(calls.migrateAccount).toHaveLength(1);
      expect(calls.finish).toEqual([]);
      expect(statesEntered(history).at(-1)).toBe('MigrateAccount');
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe(name);
      expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: name });
    },
  );

  it('fails at the step once the configured retries are exhausted', async () => {
    const unavailable = await runMigration({ createProfile: [verified], migrateAccount: [providerError('ProviderUnavailable')] });
    expect(unavailable.calls.migrateAccount).toHaveLength(1 + TEST_RETRY_POLICY.maxAttempts);
    expect(unavailable.calls.finish).toEqual([]);
    expect(unavailable.execution).toMatchObject({ status: 'FAILED', error: 'ProviderUnavailable' });

    const rateLimited = await runMigration({ createProfile: [providerError('ProviderRateLimited')] });
    expect(rateLimited.calls.createProfile).toHaveLength(1 + TEST_RETRY_POLICY.maxAttempts);
    expect(rateLimited.calls.migrateAccount).toHaveLength(0);
    expect(rateLimited.execution).toMatchObject({ status: 'FAILED', error: 'ProviderRateLimited' });
  });
});
