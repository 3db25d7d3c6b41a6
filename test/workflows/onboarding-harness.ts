import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inlineNumbers, providerRetryPolicy, type RetryPolicy, retryPlaceholders } from '../../functions/onboarding/retry-policy';
import { type HistoryEvent, LocalStepFunctions } from '../../local/cloud/stepfunctions';

/** Runs workflows/onboarding.asl.json on the local Step Functions service with fake step functions. */

export const ASL_PATH = resolve('workflows/onboarding.asl.json');
export const functionArn = (name: string) => `arn:aws:lambda:ap-southeast-1:000000000000:function:onboarding-${name}`;
export const SUBSTITUTIONS = {
  CreateProfileFunctionArn: functionArn('create-profile'),
  SubmitDetailsFunctionArn: functionArn('submit-details'),
  UploadDocumentFunctionArn: functionArn('upload-document'),
  StartScreeningFunctionArn: functionArn('start-screening'),
  CreateVirtualAccountFunctionArn: functionArn('create-virtual-account'),
  WaitForFunctionArn: functionArn('wait-for'),
  CheckStatusFunctionArn: functionArn('check-status'),
  FinishFunctionArn: functionArn('finish'),
};
export const ID = 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa';
/** Every wait gives up after a second, so a timed-out wait costs one second of test time. */
export const TIMEOUTS = { documents: 1, verification: 1, account: 1 };
/** The timeouts the workflow sets when its input has none: 7 days for documents, 3 for the verdict and the account. */
export const DEFAULT_TIMEOUTS = { documents: 604800, verification: 259200, account: 259200 };

/** What a fake function does on one call: return the value, or throw it when it is an Error. */
export type Step = unknown;

export function providerError(name: string): Error {
  const error = new Error(`straitsx: ${name} (HTTP 503)`);
  error.name = name;
  return error;
}

/** A profile step's answer; `next` names the provider's own call that comes before the verdict (`verdict`: none). */
export const profile = (
  profileStatus: string,
  needsVirtualAccount = true,
  next: 'details' | 'documents' | 'screening' | 'verdict' = 'verdict',
  documents: string[] = [],
) => ({ profileStatus, needsVirtualAccount, next, documents });
export const account = (accountStatus: string) => ({ accountStatus });

/** The steps each fake plays in turn (the last one repeats); check-status answers a bare status string. */
export interface Script {
  createProfile: readonly Step[];
  submitDetails?: readonly Step[];
  uploadDocument?: readonly Step[];
  startScreening?: readonly Step[];
  createVirtualAccount?: readonly Step[];
  checkProfile?: readonly Step[];
  checkAccount?: readonly Step[];
}

export interface FinishPayload {
  onboardingId: string;
  execution: string;
  outcome: string;
  state: { error?: { Error: string; Cause: string }; profile?: unknown; account?: unknown; [key: string]: unknown };
}

export interface WaitPayload {
  onboardingId: string;
  execution: string;
  waitFor: 'documents' | 'verification' | 'account';
  taskToken: string;
  timeoutSeconds: number;
}

/**
 * A short outage (6 minutes, pauses of 30 s at most) keeps the attempts countable; the local service
 * scales every pause down, so a test waits milliseconds.
 */
export const TEST_RETRY_POLICY: RetryPolicy = providerRetryPolicy({ outageHours: 0.1, maxDelaySeconds: 30 });

/** An ASL file with the retry policy written in, as CDK deploys it. */
export function definitionOf(path: string, policy: RetryPolicy = TEST_RETRY_POLICY): object {
  return JSON.parse(inlineNumbers(readFileSync(path, 'utf8'), retryPlaceholders(policy))) as object;
}

/** The definition as deployed, as the tests run it. */
export function runnableDefinition(): object {
  return definitionOf(ASL_PATH);
}

const WAIT_STATES = { documents: 'WaitForDocuments', verification: 'WaitForVerdict', account: 'WaitForAccount' } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The execution input intake sends; a test may pass another one (e.g. the onboarding id alone). */
export type OnboardingInput = { onboardingId: string; timeouts?: unknown };

/** Starts one onboarding execution; the caller answers its waits and then collects the result. */
export function startOnboarding(script: Script, input: OnboardingInput = { onboardingId: ID, timeouts: TIMEOUTS }) {
  const calls = {
    createProfile: [] as unknown[],
    submitDetails: [] as unknown[],
    uploadDocument: [] as unknown[],
    startScreening: [] as unknown[],
    createVirtualAccount: [] as unknown[],
    checkProfile: [] as unknown[],
    checkAccount: [] as unknown[],
    waitFor: [] as WaitPayload[],
    finish: [] as FinishPayload[],
  };
  const play =
    (name: keyof Script, steps: readonly Step[] = []) =>
    (payload: unknown) => {
      calls[name].push(payload);
      if (steps.length === 0) throw new Error(`unexpected call of ${name}`);
      const step = steps[Math.min(calls[name].length, steps.length) - 1];
      if (step instanceof Error) throw step;
      return step;
    };
  const checkProfile = play('checkProfile', script.checkProfile);
  const checkAccount = play('checkAccount', script.checkAccount);
  const sfn = new LocalStepFunctions({ retryScale: 0.001 });
  const taskHandlers: Record<string, (payload: unknown) => unknown> = {
    [functionArn('create-profile')]: play('createProfile', script.createProfile),
    [functionArn('submit-details')]: play('submitDetails', script.submitDetails),
    [functionArn('upload-document')]: play('uploadDocument', script.uploadDocument),
    [functionArn('start-screening')]: play('startScreening', script.startScreening),
    [functionArn('create-virtual-account')]: play('createVirtualAccount', script.createVirtualAccount),
    [functionArn('check-status')]: (payload) =>
      (payload as { check: string }).check === 'account' ? checkAccount(payload) : checkProfile(payload),
    [functionArn('wait-for')]: (payload) => {
      calls.waitFor.push(payload as WaitPayload);
      return { waitingFor: (payload as WaitPayload).waitFor };
    },
    [functionArn('finish')]: (payload) => {
      calls.finish.push(payload as FinishPayload);
      return { status: (payload as FinishPayload).outcome };
    },
  };
  const stateMachineArn = sfn.registerStateMachine({
    name: 'onboarding',
    definition: runnableDefinition(),
    substitutions: SUBSTITUTIONS,
    taskHandlers,
  });
  const { executionArn } = sfn.startExecution({ stateMachineArn, name: ID, input: JSON.stringify(input) });
  const current = executionArn;
  let waitsSeen = 0;

  return {
    sfn,
    executionArn,
    input,
    calls,
    /** The next wait the execution starts: its state, what the wait function received and the token it parked. */
    async nextWait() {
      for (let i = 0; i < 1000 && calls.waitFor.length <= waitsSeen; i++) await sleep(5);
      const payload = calls.waitFor[waitsSeen++];
      if (!payload) throw new Error('the execution started no wait');
      return { state: WAIT_STATES[payload.waitFor], payload, token: payload.taskToken };
    },
    /** SendTaskSuccess, as a webhook or the documents API would send it. */
    resume: (token: string, output: unknown) => sfn.sendTaskSuccess({ taskToken: token, output: JSON.stringify(output) }),
    /** SendTaskFailure. */
    fail: (token: string, error: string, cause: string) => sfn.sendTaskFailure({ taskToken: token, error, cause }),
    /** RedriveExecution of the failed execution once it has ended. Calls keep counting across both runs. */
    async redrive(): Promise<void> {
      const failed = await sfn.waitForExecution(current, 10_000);
      if (failed.status === 'SUCCEEDED' || failed.status === 'RUNNING')
        throw new Error(`cannot redrive a ${failed.status} execution`);
      sfn.redriveExecution({ executionArn: current });
    },
    /** Waits for the end of the execution and releases the service. */
    async finished() {
      const execution = await sfn.waitForExecution(current, 10_000);
      const history = sfn.getExecutionHistory({ executionArn: current }).events;
      const transitions = sfn.stateTransitions(current);
      await sfn.stop();
      return { execution, output: execution.output ? JSON.parse(execution.output) : undefined, history, transitions };
    },
  };
}

/** Runs an onboarding that never waits (or whose waits time out) to its end. */
export async function runOnboarding(script: Script, input?: OnboardingInput) {
  const run = startOnboarding(script, input);
  return { ...(await run.finished()), calls: run.calls };
}

/** The states a StraitsX SGD onboarding enters once its timeouts are set: the profile, the account, the finish. */
export const PROFILE_THEN_ACCOUNT = [
  'CreateProfile',
  'ProfileDecision',
  'CreateVirtualAccount',
  'AccountDecision',
  'RecordCompleted',
  'Completed',
];

export const statesEntered = (history: HistoryEvent[]) =>
  history.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name);

/** The error of every failed or timed-out task attempt, in order. */
export const taskErrors = (history: HistoryEvent[]) =>
  history
    .filter((e) => e.type === 'TaskFailed' || e.type === 'TaskTimedOut')
    .map((e) => ((e.taskFailedEventDetails ?? e.taskTimedOutEventDetails) as { error: string }).error);

/** The Payload of every task attempt, in order, as the history shows it. */
export const scheduledPayloads = (history: HistoryEvent[]) =>
  history
    .filter((e) => e.type === 'TaskScheduled')
    .map(
      (e) => JSON.parse((e.taskScheduledEventDetails as { parameters: string }).parameters).Payload as Record<string, unknown>,
    );
