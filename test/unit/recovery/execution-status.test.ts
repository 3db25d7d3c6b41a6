import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/execution-status';
import { applyExecutionStatus, executionStatusPattern } from '../../../functions/onboarding/execution-status';
import { publicView } from '../../../functions/onboarding/record';
import { lambdaContext } from '../../../local/api';
import { matchesPattern } from '../../../local/cloud/event-pattern';
import { executionArn, ID, items, MACHINE, published, record, resetCloud, stopCloud, store, stored } from './fixture';

/** `Step Functions Execution Status Change` as AWS puts it on the default bus (detail only). */
const change = (status: string, changes: Record<string, unknown> = {}) => ({
  executionArn: executionArn(ID),
  stateMachineArn: MACHINE,
  name: ID,
  status,
  startDate: 1768471200000,
  stopDate: status === 'RUNNING' ? null : 1768471300000,
  input: JSON.stringify({ onboardingId: ID, timeouts: { documents: 60, verification: 60, account: 60 } }),
  inputDetails: { included: true },
  output: null,
  error: status === 'RUNNING' ? null : 'ProviderInvalidRequest',
  cause: status === 'RUNNING' ? null : '{"errorMessage":"name Jane Tan is not allowed"}',
  redriveCount: 0,
  ...changes,
});

beforeEach(resetCloud);
afterAll(stopCloud);

describe('execution status changes', () => {
  it('mark the record FAILED with the error name only and publish Onboarding Failed once', async () => {
    await store(record({ waiting: { kind: 'verification', taskToken: 'token-1', since: '2026-01-15T10:00:00.000Z' } }));

    await expect(applyExecutionStatus(change('FAILED'))).resolves.toBe('failed');
    await applyExecutionStatus(change('FAILED'));

    const failed = stored();
    expect(failed).toMatchObject({
      status: 'FAILED',
      failure: { execution: ID, redriveCount: 0, status: 'FAILED', error: 'ProviderInvalidRequest' },
      outcome: { reason: 'ProviderInvalidRequest' },
      openStatus: 'FAILED',
    });
    expect(failed.waiting).toBeUndefined();
    expect(JSON.stringify(failed)).not.toContain('Jane');
    expect(published()).toEqual([
      {
        detailType: 'Onboarding Failed',
        detail: expect.objectContaining({ eventId: `${ID}:FAILED#${ID}#0`, onboardingId: ID, status: 'FAILED' }),
      },
    ]);
    expect(JSON.stringify(published())).not.toContain('Jane');
  });

  it('publish one Onboarding Failed when the status change and the sweeper report the failure at once', async () => {
    await store(record());
    await Promise.all([applyExecutionStatus(change('FAILED')), applyExecutionStatus(change('FAILED'))]);
    expect(published().map((e) => e.detailType)).toEqual(['Onboarding Failed']);
  });

  it.each(['TIMED_OUT', 'ABORTED'])('mark a %s execution FAILED too', async (status) => {
    await store(record());
    await applyExecutionStatus(change(status, { error: status === 'TIMED_OUT' ? 'States.Timeout' : null }));
    expect(stored()).toMatchObject({ status: 'FAILED', failure: { status } });
    expect(published().map((e) => e.detailType)).toEqual(['Onboarding Failed']);
  });

  it('keep an error that is not a name out of the record', async () => {
    await store(record());
    await applyExecutionStatus(change('FAILED', { error: 'name Jane Tan is not allowed' }));
    expect(stored().failure?.error).toBe('FAILED');
  });

  it('leave a finished onboarding alone', async () => {
    await store(record({ status: 'COMPLETED' }));
    await applyExecutionStatus(change('FAILED'));
    expect(stored()).toMatchObject({ status: 'COMPLETED', version: 3 });
    expect(published()).toEqual([]);
  });

  it('move a FAILED record back to IN_PROGRESS when its execution is redriven, and report its next failure again', async () => {
    await store(record());
    await applyExecutionStatus(change('FAILED'));
    // A late RUNNING of the first run changes nothing.
    await applyExecutionStatus(change('RUNNING', { redriveCount: 0 }));
    expect(stored().status).toBe('FAILED');

    await expect(applyExecutionStatus(change('RUNNING', { redriveCount: 1 }))).resolves.toBe('running');
    expect(stored().status).toBe('IN_PROGRESS');
    expect(stored().openStatus).toBe('IN_PROGRESS');
    expect(stored().timeline.at(-1)).toMatchObject({ step: 'execution', status: 'REDRIVEN' });

    await applyExecutionStatus(change('FAILED', { redriveCount: 1 }));
    expect(published().map((e) => e.detail.eventId)).toEqual([`${ID}:FAILED#${ID}#0`, `${ID}:FAILED#${ID}#1`]);
  });

  it('report a failed Connect migration as Connect Migration Failed (the handler knows the flow)', async () => {
    await store(record({ kind: 'connect-migration' }));
    const detail = change('FAILED', { input: JSON.stringify({ onboardingId: ID }) });
    await handler({ detail } as Parameters<typeof handler>[0], lambdaContext('execution-status'));
    expect(published()).toEqual([
      { detailType: 'Connect Migration Failed', detail: expect.objectContaining({ migrationId: ID, outcome: 'FAILED' }) },
    ]);
  });

  it('ignore a repeated FAILED of a failure already redriven, keeping the redriven run and its wait', async () => {
    await store(record());
    await applyExecutionStatus(change('FAILED'));
    await applyExecutionStatus(change('RUNNING', { redriveCount: 1 }));
    const wait = { kind: 'verification' as const, taskToken: 'token-2', since: '2026-01-15T11:00:00.000Z' };
    items.set(`ONB#${ID}|RECORD`, { ...items.get(`ONB#${ID}|RECORD`)!, waiting: wait });

    await applyExecutionStatus(change('FAILED'));

    expect(stored()).toMatchObject({ status: 'IN_PROGRESS', waiting: wait });
    expect(published()).toHaveLength(1);
  });

  it('ignore a failure of an execution the record has moved past', async () => {
    await store(record({ executionArn: executionArn(`${ID}-r1`) }));

    await applyExecutionStatus(change('FAILED'));

    expect(stored().status).toBe('IN_PROGRESS');
    expect(published()).toHaveLength(0);
  });

  it('ignore a late failure of a redrive older than the one running', async () => {
    await store(record());
    await applyExecutionStatus(change('RUNNING', { redriveCount: 2 }));

    await applyExecutionStatus(change('FAILED', { redriveCount: 1 }));

    expect(stored().status).toBe('IN_PROGRESS');
    expect(published()).toHaveLength(0);
  });

  it('find the onboarding of a restarted execution by its name', async () => {
    await store(record({ executionArn: executionArn(`${ID}-r2`) }));
    await applyExecutionStatus(change('FAILED', { name: `${ID}-r2`, input: null }));
    expect(stored().failure).toMatchObject({ execution: `${ID}-r2` });
  });

  it('ignore executions of no onboarding', async () => {
    await expect(applyExecutionStatus(change('FAILED', { name: 'console-run', input: '{}' }))).resolves.toBe('ignored');
    await expect(applyExecutionStatus({ status: 'FAILED' })).resolves.toBe('ignored');
    expect(published()).toEqual([]);
  });

  it('show a failed onboarding without any wait', async () => {
    await store(record({ waiting: { kind: 'documents', taskToken: 'token-1', since: '2026-01-15T10:00:00.000Z' } }));
    await applyExecutionStatus(change('FAILED'));
    expect(publicView(stored())).toMatchObject({
      status: 'FAILED',
      waitingFor: undefined,
      outcome: { reason: 'ProviderInvalidRequest' },
    });
  });
});

describe('the status-change pattern shared by the CDK rule and the local bus', () => {
  const event = (status: string, machine = MACHINE) => ({
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: change(status, { stateMachineArn: machine }),
  });
  const pattern = executionStatusPattern([MACHINE]);

  it('lets through the failures and RUNNING of its own state machines', () => {
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING']) expect(matchesPattern(pattern, event(status))).toBe(true);
  });

  it('keeps out successes and other state machines', () => {
    expect(matchesPattern(pattern, event('SUCCEEDED'))).toBe(false);
    expect(matchesPattern(pattern, event('FAILED', `${MACHINE}-other`))).toBe(false);
  });
});
