import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ASL_PATH,
  ID,
  profile,
  providerError,
  runOnboarding,
  startOnboarding,
  statesEntered,
  taskErrors,
} from './onboarding-harness';

/**
 * The provider's own calls between the sign-up and the verdict (details, one upload per document,
 * screening), as the steps' answers plan them. The fakes play what the Wallex and Straddle adapters make
 * the steps answer; test/integration runs the real steps against the sandboxes.
 */

const SLOTS = ['passport', 'proof_of_address'];
/** What the steps answer for a provider with a sign-up, a details call, uploads and a screening call. */
const signUp = profile('pending', false, 'details', SLOTS);
const detailsSent = profile('pending', false, 'documents', SLOTS);
const screeningStarted = profile('pending', false);

const WALLEX_PATH = [
  'HasTimeouts',
  'CreateProfile',
  'ProfileDecision',
  'SubmitDetails',
  'ProfileDecision',
  'UploadDocuments',
  'UploadDocument',
  'UploadDocument',
  'StartScreening',
  'ProfileDecision',
  'WaitForVerdict',
  'ProfileDecision',
  'RecordCompleted',
  'Completed',
];

type Rule = { Variable?: string; And?: Rule[]; Or?: Rule[]; Not?: Rule };
const variablesOf = (rule: Rule): string[] => [
  ...(rule.Variable ? [rule.Variable] : []),
  ...[...(rule.And ?? []), ...(rule.Or ?? []), ...(rule.Not ? [rule.Not] : [])].flatMap(variablesOf),
];
type AslStates = Record<
  string,
  { Type: string; Choices?: Rule[]; ItemProcessor?: { States: AslStates }; Iterator?: { States: AslStates } }
>;
const allStates = (states: AslStates): AslStates[string][] =>
  Object.values(states).flatMap((s) => [s, ...allStates((s.ItemProcessor ?? s.Iterator)?.States ?? {})]);

describe('onboarding workflow: the provider calls before the verdict', () => {
  it('never chooses on the provider: each step says what comes next', () => {
    const definition = JSON.parse(readFileSync(ASL_PATH, 'utf8')) as { States: AslStates };
    const choices = allStates(definition.States).filter((s) => s.Type === 'Choice');
    const variables = choices.flatMap((c) => (c.Choices ?? []).flatMap(variablesOf));
    expect(variables).toContain('$.profile.next');
    expect(variables.filter((v) => /provider/i.test(v))).toEqual([]);
    expect(readFileSync(ASL_PATH, 'utf8')).not.toMatch(/"(straitsx|wallex|straddle)"/i);
  });

  it('signs up, sends the details, uploads each document, starts the screening and waits for the verdict, each a step', async () => {
    const run = startOnboarding({
      createProfile: [signUp],
      submitDetails: [detailsSent],
      uploadDocument: [{ slot: 'passport', uploaded: true }],
      startScreening: [screeningStarted],
    });
    const wait = await run.nextWait();
    expect(wait.state).toBe('WaitForVerdict');
    run.resume(wait.token, 'verified');
    const { execution, history, transitions } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(history)).toEqual(WALLEX_PATH);
    expect(transitions).toBe(WALLEX_PATH.length);
    expect(run.calls.createProfile).toHaveLength(1);
    expect(run.calls.submitDetails).toEqual([{ onboardingId: ID, execution: ID, retryCount: 0 }]);
    // One upload per slot, with the slot and nothing else about the document.
    expect(run.calls.uploadDocument).toEqual(SLOTS.map((slot) => ({ onboardingId: ID, slot, execution: ID, retryCount: 0 })));
    expect(run.calls.startScreening).toHaveLength(1);
    expect(run.calls.finish[0]?.outcome).toBe('COMPLETED');
  });

  it('retries a failed upload alone: the sign-up, the details and the other upload run once', async () => {
    const run = startOnboarding({
      createProfile: [signUp],
      submitDetails: [detailsSent],
      uploadDocument: [{ slot: 'passport', uploaded: true }, providerError('ProviderUnavailable'), { uploaded: true }],
      startScreening: [screeningStarted],
    });
    run.resume((await run.nextWait()).token, 'verified');
    const { execution, history } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(taskErrors(history)).toEqual(['ProviderUnavailable']);
    expect(run.calls.createProfile).toHaveLength(1);
    expect(run.calls.submitDetails).toHaveLength(1);
    expect(run.calls.startScreening).toHaveLength(1);
    expect(run.calls.uploadDocument).toEqual([
      { onboardingId: ID, slot: 'passport', execution: ID, retryCount: 0 },
      { onboardingId: ID, slot: 'proof_of_address', execution: ID, retryCount: 0 },
      { onboardingId: ID, slot: 'proof_of_address', execution: ID, retryCount: 1 },
    ]);
  });

  it('fails at the upload on an unexpected error; a redrive goes on from the uploads, not from the sign-up', async () => {
    const broken = new Error('document bytes unreadable');
    const run = startOnboarding({
      createProfile: [signUp],
      submitDetails: [detailsSent],
      uploadDocument: [broken, broken, { uploaded: true }],
      startScreening: [screeningStarted],
    });
    await run.redrive();
    run.resume((await run.nextWait()).token, 'verified');
    const { execution } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(run.calls.createProfile).toHaveLength(1);
    expect(run.calls.submitDetails).toHaveLength(1);
    // The redrive runs the uploads again (an inline Map starts over): the upload step skips at the
    // provider what went up already, so no document is sent twice.
    expect(run.calls.uploadDocument.slice(-2).map((c) => (c as { slot: string }).slot)).toEqual(['passport', 'proof_of_address']);
    expect(run.calls.startScreening).toHaveLength(1);
  });

  it('ends REJECTED when the screening rejects at once', async () => {
    const { calls, history } = await runOnboarding({
      createProfile: [signUp],
      submitDetails: [detailsSent],
      uploadDocument: [{ uploaded: true }],
      startScreening: [profile('rejected', false)],
    });
    expect(statesEntered(history).slice(-3)).toEqual(['ProfileDecision', 'RecordRejected', 'Rejected']);
    expect(calls.finish[0]?.outcome).toBe('REJECTED');
  });

  it('skips what a provider does not do: a profile verified at creation goes straight to the end', async () => {
    const { calls, history, transitions } = await runOnboarding({ createProfile: [profile('verified', false)] });
    expect(statesEntered(history)).toEqual(['HasTimeouts', 'CreateProfile', 'ProfileDecision', 'RecordCompleted', 'Completed']);
    expect(transitions).toBe(5);
    expect(calls.submitDetails).toEqual([]);
    expect(calls.uploadDocument).toEqual([]);
    expect(calls.startScreening).toEqual([]);
  });

  it('uploads the documents again after a resubmission request, then screens again', async () => {
    const run = startOnboarding({
      createProfile: [signUp, profile('needs_documents', false, 'documents', ['passport'])],
      submitDetails: [detailsSent],
      uploadDocument: [{ uploaded: true }],
      startScreening: [screeningStarted],
    });
    run.resume((await run.nextWait()).token, 'needs_documents');
    const documents = await run.nextWait();
    expect(documents.state).toBe('WaitForDocuments');
    run.resume(documents.token, 'received');
    run.resume((await run.nextWait()).token, 'verified');
    const { history } = await run.finished();

    expect(statesEntered(history).slice(WALLEX_PATH.length - 3)).toEqual([
      'ProfileDecision',
      'WaitForDocuments',
      'CreateProfile',
      'ProfileDecision',
      'UploadDocuments',
      'UploadDocument',
      'StartScreening',
      'ProfileDecision',
      'WaitForVerdict',
      'ProfileDecision',
      'RecordCompleted',
      'Completed',
    ]);
    expect(run.calls.submitDetails).toHaveLength(1);
    expect(run.calls.uploadDocument).toHaveLength(3);
    expect(run.calls.startScreening).toHaveLength(2);
  });
});
