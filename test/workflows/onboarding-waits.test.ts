import { describe, it } from 'vitest';
import {
  account,
  DEFAULT_TIMEOUTS,
  ID,
  profile,
  providerError,
  runOnboarding,
  type Script,
  scheduledPayloads,
  startOnboarding,
  statesEntered,
  TIMEOUTS,
  taskErrors,
} from './onboarding-harness';

/**
 * The onboarding workflow's `.waitForTaskToken` waits: for documents, for the provider's verdict and for
 * the account. Each wait is resumed with SendTaskSuccess, failed with SendTaskFailure, or times out after
 * the second the input allows, after which the workflow asks the provider before it gives up.
 * Concurrent: the timeouts run side by side, so the file takes about as long as one of them.
 */

const TO_ACCOUNT = ['CreateVirtualAccount', 'AccountDecision', 'RecordCompleted', 'Completed'];

describe.concurrent('onboarding workflow waits', () => {
  it.for(['awaiting_documents', 'needs_documents'])(
    'parks the token while the profile is %s, then creates the profile again once resumed',
    async (profileStatus, { expect }) => {
      const run = startOnboarding({
        createProfile: [profile(profileStatus), profile('verified')],
        createVirtualAccount: [account('enabled')],
      });
      const wait = await run.nextWait();
      expect(wait.state).toBe('WaitForDocuments');
      expect(run.sfn.pendingTaskTokens(run.executionArn)).toEqual([
        { token: wait.token, executionArn: run.executionArn, stateName: 'WaitForDocuments' },
      ]);
      expect(run.calls.createProfile).toHaveLength(1);

      run.resume(wait.token, 'received');
      const { execution, output, history } = await run.finished();

      expect(execution.status).toBe('SUCCEEDED');
      expect(output.result.status).toBe('COMPLETED');
      expect(run.calls.createProfile).toHaveLength(2);
      expect(statesEntered(history)).toEqual([
        'HasTimeouts',
        'CreateProfile',
        'ProfileDecision',
        'WaitForDocuments',
        'CreateProfile',
        'ProfileDecision',
        ...TO_ACCOUNT,
      ]);
    },
  );

  it('needs attention when the documents never arrive: the wait times out', async ({ expect }) => {
    const { execution, output, calls, history } = await runOnboarding({ createProfile: [profile('awaiting_documents')] });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('NEEDS_ATTENTION');
    expect(calls.createProfile).toHaveLength(1);
    expect(calls.checkProfile).toHaveLength(0);
    expect(calls.finish).toHaveLength(1);
    expect(calls.finish[0]).toMatchObject({ outcome: 'NEEDS_ATTENTION', state: { error: { Error: 'States.Timeout' } } });
    expect(history.map((e) => e.type)).toContain('TaskTimedOut');
    expect(statesEntered(history)).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'WaitForDocuments',
      'RecordNeedsAttention',
      'NeedsAttention',
    ]);
  });

  it.for(['pending', 'review'])(
    'waits for the verdict on a %s profile; "verified" goes on to the account',
    async (status, { expect }) => {
      const run = startOnboarding({ createProfile: [profile(status)], createVirtualAccount: [account('enabled')] });
      const wait = await run.nextWait();
      expect(wait.state).toBe('WaitForVerdict');
      expect(run.sfn.pendingTaskTokens(run.executionArn).map((t) => t.stateName)).toEqual(['WaitForVerdict']);

      run.resume(wait.token, 'verified');
      const { execution, output, history } = await run.finished();

      expect(execution.status).toBe('SUCCEEDED');
      expect(output.result.status).toBe('COMPLETED');
      expect(run.calls.createProfile).toHaveLength(1);
      expect(run.calls.finish[0]!.state.profile).toEqual(profile('verified'));
      expect(statesEntered(history)).toEqual([
        'HasTimeouts',
        'CreateProfile',
        'ProfileDecision',
        'WaitForVerdict',
        'ProfileDecision',
        ...TO_ACCOUNT,
      ]);
    },
  );

  it.for(['pending', 'review'])('records a "rejected" verdict on a %s profile as REJECTED', async (status, { expect }) => {
    const run = startOnboarding({ createProfile: [profile(status)] });
    run.resume((await run.nextWait()).token, 'rejected');
    const { execution, output } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('REJECTED');
    expect(run.calls.createVirtualAccount).toHaveLength(0);
    expect(run.calls.finish.map((c) => c.outcome)).toEqual(['REJECTED']);
  });

  it('waits for documents again on a "needs_documents" verdict, then creates the profile again', async ({ expect }) => {
    const run = startOnboarding({
      createProfile: [profile('pending'), profile('verified')],
      createVirtualAccount: [account('enabled')],
    });
    run.resume((await run.nextWait()).token, 'needs_documents');
    const documents = await run.nextWait();
    expect(documents.state).toBe('WaitForDocuments');
    expect(run.calls.createProfile).toHaveLength(1);

    run.resume(documents.token, 'received');
    const { output, history } = await run.finished();

    expect(output.result.status).toBe('COMPLETED');
    expect(run.calls.createProfile).toHaveLength(2);
    expect(statesEntered(history)).toEqual([
      'HasTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'WaitForVerdict',
      'ProfileDecision',
      'WaitForDocuments',
      'CreateProfile',
      'ProfileDecision',
      ...TO_ACCOUNT,
    ]);
  });

  it.for(['pending', 'review'])(
    'asks the provider when the verdict wait on a %s profile times out; "verified" goes on to the account',
    async (status, { expect }) => {
      const { output, calls, history } = await runOnboarding({
        createProfile: [profile(status)],
        checkProfile: ['verified'],
        createVirtualAccount: [account('enabled')],
      });

      expect(output.result.status).toBe('COMPLETED');
      expect(calls.checkProfile).toEqual([{ onboardingId: ID, execution: ID, check: 'profile', retryCount: 0 }]);
      expect(calls.finish.map((c) => c.outcome)).toEqual(['COMPLETED']);
      expect(calls.finish[0]!.state.profile).toEqual(profile('verified'));
      // The timeout was answered by asking the provider: finish gets no error to record as a reason.
      expect(calls.finish[0]!.state.error).toEqual({});
      expect(taskErrors(history)).toEqual(['States.Timeout']);
      expect(statesEntered(history)).toEqual([
        'HasTimeouts',
        'CreateProfile',
        'ProfileDecision',
        'WaitForVerdict',
        'CheckProfile',
        'AfterProfileCheck',
        'UseCheckedStatus',
        'ForgetProfileTimeout',
        'ProfileDecision',
        ...TO_ACCOUNT,
      ]);
    },
  );

  it.for(['pending', 'review'])(
    'needs attention when the provider still says %s after the verdict wait timed out',
    async (checked, { expect }) => {
      const { output, calls, history } = await runOnboarding({ createProfile: [profile('pending')], checkProfile: [checked] });

      expect(output.result.status).toBe('NEEDS_ATTENTION');
      expect(calls.createVirtualAccount).toHaveLength(0);
      expect(calls.finish[0]).toMatchObject({ outcome: 'NEEDS_ATTENTION', state: { error: { Error: 'States.Timeout' } } });
      expect(statesEntered(history).slice(-4)).toEqual([
        'CheckProfile',
        'AfterProfileCheck',
        'RecordNeedsAttention',
        'NeedsAttention',
      ]);
    },
  );

  it.for([
    { checked: 'rejected', outcome: 'REJECTED', after: ['RecordRejected', 'Rejected'] },
    { checked: 'suspended', outcome: 'NEEDS_ATTENTION', after: ['RecordNeedsAttention', 'NeedsAttention'] },
    {
      checked: 'verified',
      outcome: 'NEEDS_ATTENTION',
      after: ['CreateVirtualAccount', 'AccountDecision', 'RecordNeedsAttention', 'NeedsAttention'],
    },
  ])(
    'drops the verdict wait timeout once the provider answers $checked: $outcome without an error',
    async ({ checked, outcome, after }, { expect }) => {
      const { output, calls, history } = await runOnboarding({
        createProfile: [profile('pending')],
        checkProfile: [checked],
        createVirtualAccount: [account('disabled')],
      });

      expect(output.result.status).toBe(outcome);
      expect(calls.checkProfile).toHaveLength(1);
      expect(taskErrors(history)).toEqual(['States.Timeout']);
      expect(calls.finish).toHaveLength(1);
      expect(calls.finish[0]).toMatchObject({ outcome, state: { profile: { profileStatus: checked } } });
      // The reason finish records is then the provider's answer (or the account's), not the timeout.
      expect(calls.finish[0]!.state.error).toEqual({});
      expect(statesEntered(history)).toEqual([
        'HasTimeouts',
        'CreateProfile',
        'ProfileDecision',
        'WaitForVerdict',
        'CheckProfile',
        'AfterProfileCheck',
        'UseCheckedStatus',
        'ForgetProfileTimeout',
        'ProfileDecision',
        ...after,
      ]);
    },
  );

  const TO_ACCOUNT_CHECK = [
    'HasTimeouts',
    'CreateProfile',
    'ProfileDecision',
    'CreateVirtualAccount',
    'AccountDecision',
    'WaitForAccount',
    'CheckAccount',
    'AfterAccountCheck',
  ];
  const SETTLED_ENABLED = ['ForgetAccountTimeout', 'AccountSettled', 'RecordCompleted', 'Completed'];
  const SETTLED_OTHER = ['ForgetAccountTimeout', 'AccountSettled', 'RecordNeedsAttention', 'NeedsAttention'];
  const STILL_PENDING = ['RecordNeedsAttention', 'NeedsAttention'];

  it.for([
    { resumed: 'enabled', checked: 'enabled', outcome: 'COMPLETED', after: SETTLED_ENABLED },
    { resumed: 'enabled', checked: 'disabled', outcome: 'NEEDS_ATTENTION', after: SETTLED_OTHER },
    { resumed: 'disabled', checked: 'disabled', outcome: 'NEEDS_ATTENTION', after: SETTLED_OTHER },
    { resumed: 'enabled', checked: 'pending', outcome: 'NEEDS_ATTENTION', after: STILL_PENDING },
  ])(
    'waits for a pending account, resumed with $resumed, then reads it again: $checked ends $outcome',
    async ({ resumed, checked, outcome, after }, { expect }) => {
      const run = startOnboarding({
        createProfile: [profile('verified')],
        createVirtualAccount: [account('pending')],
        checkAccount: [checked],
      });
      const wait = await run.nextWait();
      expect(wait.state).toBe('WaitForAccount');
      run.resume(wait.token, resumed);
      const { execution, output, history } = await run.finished();

      expect(execution.status).toBe('SUCCEEDED');
      expect(output.result.status).toBe(outcome);
      expect(run.calls.checkAccount).toEqual([{ onboardingId: ID, execution: ID, check: 'account', retryCount: 0 }]);
      expect(run.calls.finish.map((c) => c.outcome)).toEqual([outcome]);
      expect(run.calls.finish[0]!.state.account).toEqual(account(checked));
      // Nothing timed out: finish has no error to give as the reason.
      expect(taskErrors(history)).toEqual([]);
      expect(run.calls.finish[0]!.state.error?.Error).toBeUndefined();
      expect(statesEntered(history)).toEqual([...TO_ACCOUNT_CHECK, ...after]);
    },
  );

  it.for([
    { checked: 'enabled', outcome: 'COMPLETED', keepsTimeout: false, after: SETTLED_ENABLED },
    { checked: 'disabled', outcome: 'NEEDS_ATTENTION', keepsTimeout: false, after: SETTLED_OTHER },
    { checked: 'pending', outcome: 'NEEDS_ATTENTION', keepsTimeout: true, after: STILL_PENDING },
  ])(
    'reads the account when its wait times out: $checked ends $outcome',
    async ({ checked, outcome, keepsTimeout, after }, { expect }) => {
      const { output, calls, history } = await runOnboarding({
        createProfile: [profile('verified')],
        createVirtualAccount: [account('pending')],
        checkAccount: [checked],
      });

      expect(output.result.status).toBe(outcome);
      expect(calls.checkAccount).toHaveLength(1);
      expect(taskErrors(history)).toEqual(['States.Timeout']);
      expect(calls.finish).toHaveLength(1);
      expect(calls.finish[0]).toMatchObject({ outcome, state: { account: account(checked) } });
      if (keepsTimeout) {
        // Still pending after the wait and a direct question: the timeout is the reason a person has to look.
        expect(calls.finish[0]!.state.error).toMatchObject({ Error: 'States.Timeout' });
      } else {
        // The provider answered: the reason is the account's status, not the timeout.
        expect(calls.finish[0]!.state.error).toEqual({});
      }
      expect(statesEntered(history)).toEqual([...TO_ACCOUNT_CHECK, ...after]);
    },
  );

  it('retries provider errors on CheckProfile and CheckAccount, each retry in the history', async ({ expect }) => {
    const errors = ['ProviderUnavailable', 'ProviderRateLimited', 'ProviderTimeout'];
    const run = startOnboarding({
      createProfile: [profile('pending')],
      checkProfile: [...errors.map(providerError), 'verified'],
      createVirtualAccount: [account('pending')],
      checkAccount: [...errors.map(providerError), 'enabled'],
    });
    await run.nextWait(); // the verdict wait, left to time out
    run.resume((await run.nextWait()).token, 'enabled');
    const { output, history } = await run.finished();

    expect(output.result.status).toBe('COMPLETED');
    expect(run.calls.checkProfile).toHaveLength(4);
    expect(run.calls.checkAccount).toHaveLength(4);
    expect(taskErrors(history)).toEqual(['States.Timeout', ...errors, ...errors]);
    expect(statesEntered(history).filter((s) => s.startsWith('Check'))).toEqual(['CheckProfile', 'CheckAccount']);
  });

  it('fails at CheckAccount on a terminal error, without retrying and with nothing run after it', async ({ expect }) => {
    const run = startOnboarding({
      createProfile: [profile('verified')],
      createVirtualAccount: [account('pending')],
      checkAccount: [providerError('ProviderAuthFailed')],
    });
    run.resume((await run.nextWait()).token, 'enabled');
    const { execution, history } = await run.finished();

    expect(run.calls.checkAccount).toHaveLength(1);
    expect(run.calls.finish).toEqual([]);
    expect(statesEntered(history).at(-1)).toBe('CheckAccount');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ProviderAuthFailed' });
  });

  const waiting: Record<string, Script> = {
    WaitForDocuments: { createProfile: [profile('awaiting_documents')] },
    WaitForVerdict: { createProfile: [profile('pending')] },
    WaitForAccount: { createProfile: [profile('verified')], createVirtualAccount: [account('pending')] },
  };
  it.for(Object.keys(waiting))(
    'fails the execution at %s on a SendTaskFailure, so a redrive waits again',
    async (state, { expect }) => {
      const run = startOnboarding(waiting[state]!);
      const wait = await run.nextWait();
      expect(wait.state).toBe(state);
      run.fail(wait.token, 'DocumentCheckFailed', 'document 2 of 3 could not be read');
      const { execution, history } = await run.finished();

      expect(taskErrors(history)).toEqual(['DocumentCheckFailed']);
      expect(statesEntered(history).at(-1)).toBe(state);
      expect(run.calls.finish).toEqual([]);
      expect(run.calls.checkProfile.length + run.calls.checkAccount.length).toBe(0);
      expect(execution).toMatchObject({
        status: 'FAILED',
        error: 'DocumentCheckFailed',
        cause: 'document 2 of 3 could not be read',
      });
    },
  );

  it('runs its waits with the default timeouts when started with the onboarding id alone', async ({ expect }) => {
    // As a console re-run may start it: without timeouts the waits' timeoutSeconds could not be read.
    const run = startOnboarding(
      {
        createProfile: [profile('awaiting_documents'), profile('pending')],
        createVirtualAccount: [account('pending')],
        checkAccount: ['enabled'],
      },
      { onboardingId: ID },
    );
    for (const [waitFor, answer] of [
      ['documents', 'received'],
      ['verification', 'verified'],
      ['account', 'enabled'],
    ] as const) {
      const wait = await run.nextWait();
      expect(wait.payload).toEqual({
        onboardingId: ID,
        execution: ID,
        waitFor,
        taskToken: wait.token,
        timeoutSeconds: DEFAULT_TIMEOUTS[waitFor],
      });
      run.resume(wait.token, answer);
    }
    const { execution, output, history } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result.status).toBe('COMPLETED');
    expect(taskErrors(history)).toEqual([]);
    expect(run.calls.finish.map((c) => c.outcome)).toEqual(['COMPLETED']);
    expect(run.calls.finish[0]!.state.timeouts).toEqual(DEFAULT_TIMEOUTS);
    expect(statesEntered(history)).toEqual([
      'HasTimeouts',
      'DefaultTimeouts',
      'CreateProfile',
      'ProfileDecision',
      'WaitForDocuments',
      'CreateProfile',
      'ProfileDecision',
      'WaitForVerdict',
      'ProfileDecision',
      'CreateVirtualAccount',
      'AccountDecision',
      'WaitForAccount',
      'CheckAccount',
      'AfterAccountCheck',
      ...SETTLED_ENABLED,
    ]);
  });

  it('hands each wait its task token with ids and statuses only, and keeps tokens out of the state', async ({ expect }) => {
    const run = startOnboarding({
      createProfile: [profile('awaiting_documents'), profile('pending')],
      createVirtualAccount: [account('pending')],
      checkAccount: ['enabled'],
    });
    const tokens: string[] = [];
    for (const [waitFor, answer] of [
      ['documents', 'received'],
      ['verification', 'verified'],
      ['account', 'enabled'],
    ]) {
      const wait = await run.nextWait();
      expect(wait.payload).toEqual({ onboardingId: ID, execution: ID, waitFor, taskToken: wait.token, timeoutSeconds: 1 });
      expect(run.sfn.pendingTaskTokens(run.executionArn)).toEqual([
        { token: wait.token, executionArn: run.executionArn, stateName: wait.state },
      ]);
      tokens.push(wait.token);
      run.resume(wait.token, answer);
    }
    const { execution, history } = await run.finished();

    expect(new Set(tokens).size).toBe(3);
    expect(execution.status).toBe('SUCCEEDED');
    const payloads = scheduledPayloads(history);
    expect(payloads.map((p) => Object.keys(p).sort().join())).toEqual([
      'execution,onboardingId,retryCount',
      'execution,onboardingId,taskToken,timeoutSeconds,waitFor',
      'execution,onboardingId,retryCount',
      'execution,onboardingId,taskToken,timeoutSeconds,waitFor',
      'execution,onboardingId,retryCount',
      'execution,onboardingId,taskToken,timeoutSeconds,waitFor',
      'check,execution,onboardingId,retryCount',
      'execution,onboardingId,outcome,state',
    ]);
    const finalState = run.calls.finish[0]!.state;
    // ids and statuses only; the empty error is ForgetAccountTimeout's, which runs after every account check.
    expect(finalState).toEqual({
      onboardingId: ID,
      timeouts: TIMEOUTS,
      profile: profile('verified'),
      account: account('enabled'),
      error: {},
    });
    for (const token of tokens) expect(execution.output).not.toContain(token);
  });
});
