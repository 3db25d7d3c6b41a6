import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProviderPaced } from '../../functions/shared/errors';
import {
  ASL_PATH,
  account,
  ID,
  PROFILE_THEN_ACCOUNT,
  profile,
  runOnboarding,
  scheduledPayloads,
  startOnboarding,
  statesEntered,
  taskErrors,
} from './onboarding-harness';

/**
 * A step the provider's rate budget cannot admit now ends with ProviderPaced, whose message is its
 * reserved slot; the workflow reads the slot from the error, waits in a Wait state and calls the step
 * again. These tests hold every provider-calling Task to that path and run it on the local service.
 */

const MIGRATION_ASL_PATH = resolve('workflows/connect-migration.asl.json');

/** The functions that send requests to a provider: their Tasks must wait for a reserved slot. */
const PROVIDER_FUNCTIONS = [
  'CreateProfileFunctionArn',
  'SubmitDetailsFunctionArn',
  'UploadDocumentFunctionArn',
  'StartScreeningFunctionArn',
  'CheckStatusFunctionArn',
  'CreateVirtualAccountFunctionArn',
  'MigrateAccountFunctionArn',
];

interface AslState {
  Type: string;
  Next?: string;
  Parameters?: Record<string, unknown>;
  ResultPath?: string | null;
  TimestampPath?: string;
  Retry?: Array<{ ErrorEquals: string[] }>;
  Catch?: Array<{ ErrorEquals: string[]; ResultPath?: string; Next: string }>;
  ItemProcessor?: { States: Record<string, AslState> };
}

/** Every state of a definition with the state list it lives in (Map item processors included). */
function statesOf(states: Record<string, AslState>): Array<{ name: string; state: AslState; scope: Record<string, AslState> }> {
  return Object.entries(states).flatMap(([name, state]) => [
    { name, state, scope: states },
    ...(state.ItemProcessor ? statesOf(state.ItemProcessor.States) : []),
  ]);
}

const providerTasks = (path: string) =>
  statesOf((JSON.parse(readFileSync(path, 'utf8')) as { States: Record<string, AslState> }).States).filter(
    ({ state }) =>
      state.Type === 'Task' &&
      PROVIDER_FUNCTIONS.some((fn) => String((state.Parameters as { FunctionName?: string })?.FunctionName).includes(fn)),
  );

/** A step answer that is the budget's reservation `inMs` from when the script is written. */
const pacedFor = (inMs: number) => new ProviderPaced('straitsx', Date.now() + inMs);

describe('workflows wait for the rate budget in the state machine', () => {
  it.each([
    [
      ASL_PATH,
      [
        'CreateProfile',
        'SubmitDetails',
        'UploadDocument',
        'StartScreening',
        'CheckProfile',
        'CreateVirtualAccount',
        'CheckAccount',
      ],
    ],
    [MIGRATION_ASL_PATH, ['CreateProfile', 'MigrateAccount']],
  ])('%s: every provider-calling Task catches ProviderPaced first and waits its slot out before coming back', (path, names) => {
    const tasks = providerTasks(path);
    expect(tasks.map((t) => t.name).sort()).toEqual([...names].sort());
    for (const { name, state, scope } of tasks) {
      expect(state.Catch?.[0]).toEqual({ ErrorEquals: ['ProviderPaced'], ResultPath: '$.pace', Next: `${name}Paced` });
      // A retrier that matched it would back off blindly instead of waiting for the slot.
      for (const retrier of state.Retry ?? []) {
        expect(retrier.ErrorEquals).not.toContain('ProviderPaced');
        expect(retrier.ErrorEquals).not.toContain('States.ALL');
        expect(retrier.ErrorEquals).not.toContain('States.TaskFailed');
      }
      const paced = scope[`${name}Paced`];
      expect(paced).toMatchObject({
        Type: 'Pass',
        Parameters: { 'at.$': 'States.StringToJson($.pace.Cause)' },
        ResultPath: '$.pace',
        Next: `${name}AwaitsBudget`,
      });
      expect(scope[`${name}AwaitsBudget`]).toMatchObject({ Type: 'Wait', TimestampPath: '$.pace.at.errorMessage', Next: name });
    }
  });

  it('waits until the reserved slot and calls the step again, its retries untouched', async () => {
    const slot = pacedFor(300);
    const { execution, output, calls, history } = await runOnboarding({
      createProfile: [slot, profile('verified')],
      createVirtualAccount: [account('enabled')],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(statesEntered(history)).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'CreateProfilePaced',
      'CreateProfileAwaitsBudget',
      ...PROFILE_THEN_ACCOUNT,
    ]);
    // A pause for the budget is not a provider failure: the step's retries are untouched.
    expect(taskErrors(history)).toEqual(['ProviderPaced']);
    expect(calls.createProfile).toEqual([
      { onboardingId: ID, execution: ID, retryCount: 0 },
      { onboardingId: ID, execution: ID, retryCount: 0 },
    ]);
    // The Wait state read the slot from the Lambda error document, as on AWS.
    const waited = history.find(
      (e) =>
        e.type === 'WaitStateEntered' && (e.stateEnteredEventDetails as { name: string }).name === 'CreateProfileAwaitsBudget',
    );
    const at = JSON.parse((waited?.stateEnteredEventDetails as { input: string }).input).pace.at;
    expect(at).toMatchObject({ errorType: 'ProviderPaced', errorMessage: slot.message });
    const again = history.filter((e) => e.type === 'TaskScheduled')[1];
    expect(again?.timestamp.getTime()).toBeGreaterThanOrEqual(slot.slot.getTime());
  });

  it('paces a document upload inside the Map on its own: the other uploads and steps run once', async () => {
    const slots = ['passport', 'proof_of_address'];
    const run = startOnboarding({
      createProfile: [profile('pending', false, 'details', slots)],
      submitDetails: [profile('pending', false, 'documents', slots)],
      uploadDocument: [{ uploaded: true }, pacedFor(200), { uploaded: true }],
      startScreening: [profile('pending', false)],
    });
    run.resume((await run.nextWait()).token, 'verified');
    const { execution, history } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(history).filter((s) => s.startsWith('UploadDocument'))).toEqual([
      'UploadDocuments',
      'UploadDocument',
      'UploadDocument',
      'UploadDocumentPaced',
      'UploadDocumentAwaitsBudget',
      'UploadDocument',
    ]);
    expect(run.calls.uploadDocument.map((c) => (c as { slot: string }).slot)).toEqual([
      'passport',
      'proof_of_address',
      'proof_of_address',
    ]);
    expect(run.calls.createProfile).toHaveLength(1);
    expect(run.calls.startScreening).toHaveLength(1);
    // Every call of the paced slot names the same item, so the budget finds its reservation again.
    expect(scheduledPayloads(history).filter((p) => p.slot === 'proof_of_address')).toHaveLength(2);
  });
});
