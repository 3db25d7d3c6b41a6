import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type SweepSettings, sweep } from '../../../functions/onboarding/sweeper';
import { metrics } from '../../../functions/shared/powertools';
import {
  BATCH_MACHINE,
  executionArn,
  ID,
  items,
  MACHINE,
  MIGRATION_MACHINE,
  OTHER_ID,
  published,
  record,
  resetCloud,
  sfn,
  stopCloud,
  store,
  stored,
} from './fixture';

const NOW = new Date('2026-01-15T12:00:00Z');
const SETTINGS: SweepSettings = { redriveCap: 3, redriveDelaySeconds: 900, startGraceSeconds: 120 };
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const described = (status: string, changes: Record<string, unknown> = {}) => ({
  executionArn: executionArn(ID),
  stateMachineArn: MACHINE,
  name: ID,
  status,
  input: JSON.stringify({ onboardingId: ID }),
  startDate: minutesAgo(120),
  stopDate: status === 'RUNNING' ? undefined : minutesAgo(60),
  redriveCount: 0,
  ...changes,
});

const addMetric = vi.spyOn(metrics, 'addMetric');
beforeEach(() => {
  resetCloud();
  addMetric.mockClear();
});
afterAll(stopCloud);
const metric = (name: string) => addMetric.mock.calls.filter(([n]) => n === name).map(([, , value]) => value);

describe('the sweeper', () => {
  it('redrives a failure older than the delay, by its execution ARN', async () => {
    await store(record({ status: 'FAILED' }));
    sfn.on('DescribeExecution').resolves(described('FAILED') as never);
    sfn.on('RedriveExecution').resolves({ redriveDate: NOW });

    const report = await sweep(SETTINGS, NOW);

    expect(report).toMatchObject({ checked: 1, redriven: 1, pastCap: 0 });
    expect(sfn.calls('RedriveExecution')[0]!.executionArn).toBe(executionArn(ID));
    expect(stored().status).toBe('IN_PROGRESS');
  });

  it('leaves a failure younger than the delay for a later sweep', async () => {
    await store(record({ status: 'FAILED' }));
    sfn.on('DescribeExecution').resolves(described('FAILED', { stopDate: minutesAgo(5) }) as never);

    await sweep(SETTINGS, NOW);

    expect(sfn.calls('RedriveExecution')).toHaveLength(0);
    expect(stored().status).toBe('FAILED');
  });

  it('stops at the cap, counted by Step Functions itself, and raises the metric the alarm watches', async () => {
    await store(record({ status: 'FAILED' }));
    sfn.on('DescribeExecution').resolves(described('FAILED', { redriveCount: 3 }) as never);

    const report = await sweep(SETTINGS, NOW);

    expect(report.pastCap).toBe(1);
    expect(sfn.calls('RedriveExecution')).toHaveLength(0);
    expect(sfn.calls('StartExecution')).toHaveLength(0);
    expect(metric('OnboardingsPastRedriveCap')).toEqual([1]);
    expect(stored().status).toBe('FAILED');
  });

  it('counts restarts towards the cap, so a new execution does not reset it', async () => {
    await store(record({ status: 'FAILED', restarts: 2 }));
    sfn.on('DescribeExecution').resolves(described('FAILED', { redriveCount: 1 }) as never);

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ pastCap: 1, redriven: 0 });
  });

  it('records a failure whose status change was missed, and publishes it once', async () => {
    await store(record({ status: 'AWAITING_PROVIDER' }));
    sfn.on('DescribeExecution').resolves(described('FAILED', { error: 'ProviderAuthFailed', stopDate: minutesAgo(1) }) as never);

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ markedFailed: 1, redriven: 0 });
    await sweep(SETTINGS, NOW);

    expect(stored()).toMatchObject({ status: 'FAILED', failure: { error: 'ProviderAuthFailed' } });
    expect(published().map((e) => e.detailType)).toEqual(['Onboarding Failed']);
  });

  it('starts an onboarding left ACCEPTED when its start failed, under its own name, after a grace period', async () => {
    await store(record({ status: 'ACCEPTED', executionArn: undefined, updatedAt: minutesAgo(10).toISOString() }));
    await store(record({ onboardingId: OTHER_ID, status: 'ACCEPTED', executionArn: undefined, updatedAt: NOW.toISOString() }));
    sfn.on('StartExecution').resolves({ executionArn: executionArn(ID), startDate: NOW });

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ checked: 2, started: 1 });

    expect(sfn.calls('StartExecution')).toEqual([
      {
        stateMachineArn: MACHINE,
        name: ID,
        input: JSON.stringify({ onboardingId: ID, timeouts: { documents: 604800, verification: 86400, account: 86400 } }),
      },
    ]);
    expect(stored().executionArn).toBe(executionArn(ID));
  });

  it('leaves a migration taken by a batch to that batch while it runs, and starts it once the batch has ended', async () => {
    const batchId = '0f6c2d6e-7a9b-4c1d-8e2f-3a4b5c6d7e8f';
    const batchExecution = executionArn(batchId, BATCH_MACHINE);
    await store(
      record({
        kind: 'connect-migration',
        batchId,
        status: 'ACCEPTED',
        executionArn: undefined,
        updatedAt: minutesAgo(30).toISOString(),
      }),
    );
    await store(
      record({
        onboardingId: OTHER_ID,
        kind: 'connect-migration',
        batchId,
        status: 'ACCEPTED',
        executionArn: undefined,
        updatedAt: minutesAgo(30).toISOString(),
      }),
    );
    sfn.on('DescribeExecution', { executionArn: batchExecution }).resolves({ status: 'RUNNING' } as never);
    sfn.on('StartExecution').resolves({ executionArn: executionArn(ID, MIGRATION_MACHINE), startDate: NOW });

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ started: 0, heldByBatch: 2 });
    expect(sfn.calls('StartExecution')).toHaveLength(0);
    // The batch's users share one look-up per sweep.
    expect(sfn.calls('DescribeExecution')).toHaveLength(1);

    sfn.on('DescribeExecution', { executionArn: batchExecution }).resolves({ status: 'FAILED' } as never);
    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ started: 2, heldByBatch: 0 });
    expect(sfn.calls('StartExecution').map((c) => c.stateMachineArn)).toEqual([MIGRATION_MACHINE, MIGRATION_MACHINE]);
  });

  it('starts again an onboarding whose execution is lost', async () => {
    await store(
      record({ status: 'AWAITING_DOCUMENTS', waiting: { kind: 'documents', taskToken: 'gone', since: NOW.toISOString() } }),
    );
    sfn.on('DescribeExecution').rejects('ExecutionDoesNotExist', 'gone');
    sfn.on('StartExecution').resolves({ executionArn: executionArn(`${ID}-r1`), startDate: NOW });

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ restarted: 1 });

    expect(sfn.calls('StartExecution')[0]!.name).toBe(`${ID}-r1`);
    expect(stored()).toMatchObject({ status: 'IN_PROGRESS', executionArn: executionArn(`${ID}-r1`), restarts: 1 });
    expect(stored().waiting).toBeUndefined();
  });

  it('resumes a running execution whose wait is already answered on the record', async () => {
    await store(
      record({
        status: 'AWAITING_PROVIDER',
        profileStatus: 'verified',
        waiting: { kind: 'verification', taskToken: 'token-7', since: minutesAgo(30).toISOString() },
      }),
    );
    sfn.on('DescribeExecution').resolves(described('RUNNING') as never);
    sfn.on('SendTaskSuccess').resolves({});

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ resumed: 1 });

    expect(sfn.calls('SendTaskSuccess')[0]!).toEqual({ taskToken: 'token-7', output: '"verified"' });
    expect(stored().waiting).toBeUndefined();
  });

  it('measures how far the oldest open wait is past its timeout', async () => {
    // Verification waits a day here: a wait begun two days ago is a day overdue.
    await store(
      record({
        status: 'AWAITING_PROVIDER',
        waiting: { kind: 'verification', taskToken: 't', since: minutesAgo(2 * 1440).toISOString() },
      }),
    );
    await store(
      record({
        onboardingId: OTHER_ID,
        status: 'AWAITING_DOCUMENTS',
        requiredDocuments: [{ slot: 'identity', required: true }],
        waiting: { kind: 'documents', taskToken: 'u', since: NOW.toISOString() },
      }),
    );
    sfn.on('DescribeExecution').resolves(described('RUNNING') as never);

    const report = await sweep(SETTINGS, NOW);

    expect(report.oldestOverdueWaitSeconds).toBe(86400);
    expect(metric('OldestOverdueWaitSeconds')).toEqual([86400]);
    expect(sfn.calls('SendTaskSuccess')).toHaveLength(0);
  });

  it('puts a FAILED record whose execution runs again back in progress', async () => {
    await store(
      record({
        status: 'FAILED',
        failure: { execution: ID, redriveCount: 0, status: 'FAILED', error: 'X', at: NOW.toISOString() },
      }),
    );
    sfn.on('DescribeExecution').resolves(described('RUNNING', { redriveCount: 1 }) as never);

    await sweep(SETTINGS, NOW);

    expect(stored().status).toBe('IN_PROGRESS');
  });

  it('never looks at finished onboardings: they are not in the open index', async () => {
    await store(record({ status: 'COMPLETED' }));
    await store(record({ onboardingId: OTHER_ID, status: 'NEEDS_ATTENTION' }));

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ checked: 0 });
    expect(stored().openStatus).toBeUndefined();
    expect(sfn.calls()).toHaveLength(0);
  });
  it('does not start again an onboarding that completed while its execution was described', async () => {
    await store(record({ status: 'IN_PROGRESS' }));
    sfn.on('DescribeExecution').callsFake(() => {
      const { openStatus: _open, ...item } = items.get(`ONB#${ID}|RECORD`)!;
      items.set(`ONB#${ID}|RECORD`, { ...item, status: 'COMPLETED', version: Number(item.version) + 1 });
      return described('SUCCEEDED');
    });

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ restarted: 0, errors: 0 });
    expect(sfn.calls('StartExecution')).toHaveLength(0);
    expect(stored().status).toBe('COMPLETED');
  });

  it('records an aborted execution as FAILED but leaves its recovery to an operator', async () => {
    await store(record({ status: 'IN_PROGRESS' }));
    sfn.on('DescribeExecution').resolves(described('ABORTED', { error: undefined }) as never);

    await sweep(SETTINGS, NOW);
    await sweep(SETTINGS, NOW);

    expect(stored()).toMatchObject({ status: 'FAILED', failure: { status: 'ABORTED' } });
    expect(sfn.calls('RedriveExecution')).toHaveLength(0);
    expect(sfn.calls('StartExecution')).toHaveLength(0);
  });

  it('publishes a recorded failure whose event was never published', async () => {
    const failure = {
      execution: ID,
      redriveCount: 0,
      status: 'FAILED',
      error: 'ProviderAuthFailed',
      at: minutesAgo(30).toISOString(),
    };
    await store(record({ status: 'FAILED', failure }));
    sfn.on('DescribeExecution').resolves(described('FAILED', { stopDate: minutesAgo(5) }) as never);

    await sweep(SETTINGS, NOW);

    expect(published().map((e) => e.detailType)).toEqual(['Onboarding Failed']);
    expect(stored().publishedEvents).toEqual([`FAILED#${ID}#0`]);
  });

  it('counts the delay from the latest failure, not from the redrive before it', async () => {
    await store(record({ status: 'FAILED' }));
    sfn
      .on('DescribeExecution')
      .resolves(described('FAILED', { redriveCount: 1, redriveDate: minutesAgo(60), stopDate: minutesAgo(2) }) as never);

    await sweep(SETTINGS, NOW);

    expect(sfn.calls('RedriveExecution')).toHaveLength(0);
  });

  it('takes failures first and leaves the rest for the next sweep when time runs out', async () => {
    await store(record({ status: 'AWAITING_PROVIDER' }));
    await store(record({ onboardingId: OTHER_ID, status: 'FAILED', executionArn: executionArn(OTHER_ID) }));
    sfn.on('DescribeExecution').resolves(described('RUNNING') as never);
    let left = 60_000;
    const remainingMs = () => {
      left -= 30_000;
      return left;
    };

    const report = await sweep(SETTINGS, NOW, { remainingMs, reserveMs: 10_000, concurrency: 1 });

    expect(report).toMatchObject({ checked: 1, leftForNextSweep: 1 });
    expect(sfn.calls('DescribeExecution').map((c) => c.executionArn)).toEqual([executionArn(OTHER_ID)]);
  });

  it('describes no execution of a published failure past the cap', async () => {
    const failure = { execution: ID, redriveCount: 3, status: 'FAILED', error: 'X', at: minutesAgo(60).toISOString() };
    await store(record({ status: 'FAILED', failure, publishedEvents: [`FAILED#${ID}#3`] }));

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ pastCap: 1 });
    expect(sfn.calls()).toHaveLength(0);
  });

  it("does not count operators' recoveries against the automatic budget", async () => {
    await store(record({ status: 'FAILED', restarts: 2, operatorRecoveries: 2 }));
    sfn.on('DescribeExecution').resolves(described('FAILED', { redriveCount: 1 }) as never);
    sfn.on('RedriveExecution').resolves({ redriveDate: NOW });

    await expect(sweep(SETTINGS, NOW)).resolves.toMatchObject({ pastCap: 0, redriven: 1 });
  });
});
