import { describe, expect, it } from 'vitest';
import { account, ID, profile, providerError, startOnboarding, statesEntered, TEST_RETRY_POLICY } from './onboarding-harness';

/**
 * A failed onboarding redriven: the state that failed runs again and the execution goes on from there.
 * The steps before it (the profile, the account) are not called again, so nothing is created twice.
 */
describe('onboarding workflow redriven after a failure', () => {
  it('continues from a failed CreateVirtualAccount without creating the profile again', async () => {
    const run = startOnboarding({
      createProfile: [profile('verified')],
      createVirtualAccount: [providerError('ProviderAuthFailed'), account('enabled')],
    });
    await run.redrive();
    const { execution, output, history } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(run.calls.createProfile).toHaveLength(1);
    expect(run.calls.createVirtualAccount).toHaveLength(2);
    expect(run.calls.finish.map((c) => c.outcome)).toEqual(['COMPLETED']);
    const redriven = history.findIndex((e) => e.type === 'ExecutionRedriven');
    expect(redriven).toBeGreaterThan(0);
    expect(statesEntered(history.slice(redriven))).not.toContain('CreateProfile');
    expect(statesEntered(history.slice(0, redriven))).toContain('CreateProfile');
  });

  it('continues after provider trouble outlasted the retries, with the same profile step result', async () => {
    const failures = Array(1 + TEST_RETRY_POLICY.maxAttempts).fill(providerError('ProviderUnavailable'));
    const run = startOnboarding({
      createProfile: [profile('verified')],
      createVirtualAccount: [...failures, account('enabled')],
    });
    await run.redrive();
    const { execution, output } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(output.profile).toEqual(profile('verified'));
    expect(run.calls.createProfile).toHaveLength(1);
    expect(run.calls.createVirtualAccount).toHaveLength(failures.length + 1);
  });

  it('waits again when the failed state was a wait, and finishes once it is answered', async () => {
    const run = startOnboarding({ createProfile: [profile('pending')], createVirtualAccount: [account('enabled')] });
    const first = await run.nextWait();
    run.fail(first.token, 'DocumentCheckFailed', 'not readable');
    await run.redrive();
    const second = await run.nextWait();
    expect(second.state).toBe('WaitForVerdict');
    expect(second.token).not.toBe(first.token);
    run.resume(second.token, 'verified');
    const { execution, output } = await run.finished();

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.result).toEqual({ status: 'COMPLETED' });
    expect(run.calls.createProfile).toHaveLength(1);
    expect(run.calls.waitFor.map((w) => w.onboardingId)).toEqual([ID, ID]);
  });
});
