import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { retryOnboarding } from '../../../functions/onboarding/retry';
import {
  executionArn,
  ID,
  items,
  MACHINE,
  MIGRATION_MACHINE,
  record,
  resetCloud,
  sfn,
  stopCloud,
  store,
  stored,
} from './fixture';

const INPUT = JSON.stringify({ onboardingId: ID, timeouts: { documents: 60, verification: 60, account: 60 } });
const described = (status: string, changes: Record<string, unknown> = {}) => ({
  executionArn: executionArn(ID),
  stateMachineArn: MACHINE,
  name: ID,
  status,
  input: INPUT,
  startDate: new Date('2026-01-15T10:00:00Z'),
  stopDate: new Date('2026-01-15T10:05:00Z'),
  redriveCount: 0,
  redriveStatus: 'REDRIVABLE',
  ...changes,
});

beforeEach(resetCloud);
afterAll(stopCloud);

describe("operators' retry", () => {
  it('redrives a failed execution by its ARN, and the onboarding is in progress again', async () => {
    await store(record({ status: 'FAILED' }));
    sfn.on('DescribeExecution').resolves(described('FAILED') as never);
    sfn.on('RedriveExecution').resolves({ redriveDate: new Date() });

    const result = await retryOnboarding(ID);

    expect(result.action).toBe('redriven');
    expect(sfn.calls('RedriveExecution')).toEqual([{ executionArn: executionArn(ID), clientToken: `redrive-0-${ID}` }]);
    expect(sfn.calls('StartExecution')).toHaveLength(0);
    expect(stored()).toMatchObject({ status: 'IN_PROGRESS', executionArn: executionArn(ID) });
    expect(stored().timeline.at(-1)).toMatchObject({ step: 'execution', status: 'REDRIVEN', detail: 'operator' });
  });

  it.each([
    ['AWS says it is not redrivable', { redriveStatus: 'NOT_REDRIVABLE' }, false],
    ['the redrive is refused', {}, true],
  ])('starts a new execution with the same input where %s', async (_case, changes, refused) => {
    await store(record({ status: 'FAILED' }));
    sfn
      .on('DescribeExecution')
      .resolvesOnce(described('FAILED', changes) as never)
      // Described again after the refusal: AWS still cannot redrive it.
      .resolves(described('FAILED', { redriveStatus: 'NOT_REDRIVABLE' }) as never);
    if (refused) sfn.on('RedriveExecution').rejects('ExecutionNotRedrivable', 'too old');
    sfn.on('StartExecution').resolves({ executionArn: executionArn(`${ID}-r1`), startDate: new Date() });

    const result = await retryOnboarding(ID);

    expect(result.action).toBe('restarted');
    expect(sfn.calls('StartExecution')).toEqual([{ stateMachineArn: MACHINE, name: `${ID}-r1`, input: INPUT }]);
    expect(stored()).toMatchObject({ status: 'IN_PROGRESS', executionArn: executionArn(`${ID}-r1`), restarts: 1 });
  });

  it('starts nothing beside an execution redriven meanwhile, though the redrive is refused', async () => {
    await store(record({ status: 'FAILED' }));
    sfn
      .on('DescribeExecution')
      .resolvesOnce(described('FAILED') as never)
      .resolves(described('RUNNING', { redriveCount: 1 }) as never);
    sfn.on('RedriveExecution').rejects('ExecutionNotRedrivable', 'running');

    await expect(retryOnboarding(ID)).rejects.toMatchObject({ statusCode: 409 });
    expect(sfn.calls('StartExecution')).toHaveLength(0);
  });

  it('adopts the running execution of a restart that died before it updated the record', async () => {
    await store(record({ status: 'FAILED' }));
    sfn
      .on('DescribeExecution', { executionArn: executionArn(ID) })
      .resolves(described('FAILED', { redriveStatus: 'NOT_REDRIVABLE' }) as never)
      .on('DescribeExecution', { executionArn: executionArn(`${ID}-r1`) })
      .resolves(described('RUNNING', { executionArn: executionArn(`${ID}-r1`), name: `${ID}-r1` }) as never);
    sfn.on('StartExecution').rejects('ExecutionAlreadyExists', 'exists');

    await retryOnboarding(ID);

    expect(sfn.calls('StartExecution').map((c) => c.name)).toEqual([`${ID}-r1`]);
    expect(stored()).toMatchObject({ executionArn: executionArn(`${ID}-r1`), restarts: 1, status: 'IN_PROGRESS' });
  });

  it('lets one of two concurrent restarts start an execution, and answers the other 409', async () => {
    await store(record({ status: 'FAILED' }));
    sfn.on('DescribeExecution').rejects('ExecutionDoesNotExist', 'gone');
    sfn.on('StartExecution').callsFake((input: { name: string }) => ({ executionArn: executionArn(input.name) }));

    const results = await Promise.allSettled([retryOnboarding(ID), retryOnboarding(ID)]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(sfn.calls('StartExecution')).toHaveLength(1);
    expect(stored()).toMatchObject({ executionArn: executionArn(`${ID}-r1`), restarts: 1 });
  });

  it('does not start again an onboarding that completed after it was read', async () => {
    await store(record({ status: 'IN_PROGRESS' }));
    sfn.on('DescribeExecution').callsFake(() => {
      // RecordCompleted writes COMPLETED while the execution is described.
      const item = items.get(`ONB#${ID}|RECORD`)!;
      items.set(`ONB#${ID}|RECORD`, { ...item, status: 'COMPLETED', version: Number(item.version) + 1 });
      delete items.get(`ONB#${ID}|RECORD`)!.openStatus;
      return described('SUCCEEDED');
    });

    await expect(retryOnboarding(ID)).rejects.toMatchObject({ statusCode: 409 });
    expect(sfn.calls('StartExecution')).toHaveLength(0);
    expect(stored().status).toBe('COMPLETED');
  });

  it('starts a Connect migration again on its own state machine with its own input', async () => {
    await store(record({ status: 'FAILED', kind: 'connect-migration', executionArn: executionArn(ID, MIGRATION_MACHINE) }));
    sfn.on('DescribeExecution').rejects('ExecutionDoesNotExist', 'gone');
    sfn.on('StartExecution').resolves({ executionArn: executionArn(`${ID}-r1`, MIGRATION_MACHINE), startDate: new Date() });

    await expect(retryOnboarding(ID)).resolves.toMatchObject({ action: 'restarted' });
    expect(sfn.calls('StartExecution')[0]!).toEqual({
      stateMachineArn: MIGRATION_MACHINE,
      name: `${ID}-r1`,
      input: JSON.stringify({ onboardingId: ID }),
    });
  });

  it('starts an onboarding whose execution never started, under its own name', async () => {
    await store(record({ status: 'ACCEPTED', executionArn: undefined }));
    sfn.on('StartExecution').resolves({ executionArn: executionArn(ID), startDate: new Date() });

    await expect(retryOnboarding(ID)).resolves.toMatchObject({ action: 'started', executionArn: executionArn(ID) });
    expect(sfn.calls('StartExecution')[0]!).toMatchObject({ stateMachineArn: MACHINE, name: ID });
  });

  it('refuses a running onboarding with 409 and touches nothing', async () => {
    await store(record());
    sfn.on('DescribeExecution').resolves(described('RUNNING') as never);

    await expect(retryOnboarding(ID)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('running') });
    expect(sfn.calls('RedriveExecution')).toHaveLength(0);
    expect(sfn.calls('StartExecution')).toHaveLength(0);
    expect(stored().version).toBe(3);
  });

  it.each(['COMPLETED', 'REJECTED'] as const)('refuses a %s onboarding with 409', async (status) => {
    await store(record({ status }));
    await expect(retryOnboarding(ID)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining(status) });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('refuses one needing attention whose execution ended on purpose', async () => {
    await store(record({ status: 'NEEDS_ATTENTION' }));
    sfn.on('DescribeExecution').resolves(described('SUCCEEDED') as never);
    await expect(retryOnboarding(ID)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('finished') });
  });

  it('answers 404 for an unknown onboarding', async () => {
    await expect(retryOnboarding(ID)).rejects.toMatchObject({ statusCode: 404 });
  });
});
