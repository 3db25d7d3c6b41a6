import {
  DescribeExecutionCommand,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventEnvelope, type LocalCloud, type PublishedEvent, startLocalCloud } from '../../local/cloud';
import { REDRIVABLE_PERIOD_MS, redriveStatus } from '../../local/cloud/sfn/redrive';
import type { ExecutionRecord } from '../../local/cloud/sfn/types';

const FN = (name: string) => `arn:aws:lambda:ap-southeast-1:000000000000:function:${name}`;

/** Prepare, then Charge (retried twice on Boom, failing the execution after that), then Finish. */
const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Task', Resource: FN('prepare'), ResultPath: '$.prepared', Next: 'Charge' },
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: FN('charge'),
        Payload: {
          'id.$': '$.id',
          'retryCount.$': '$$.State.RetryCount',
          'state.$': '$$.State.Name',
          'entered.$': '$$.State.EnteredTime',
        },
      },
      ResultSelector: { 'charged.$': '$.Payload.charged' },
      ResultPath: '$.charge',
      Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Next: 'Finish',
    },
    Finish: {
      Type: 'Task',
      Resource: FN('finish'),
      Parameters: { 'redriveCount.$': '$$.Execution.RedriveCount', 'input.$': '$$.Execution.Input', 'charge.$': '$.charge' },
      End: true,
    },
  },
};

/** Holds on a Wait long enough to be seen RUNNING. */
const holding = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Task', Resource: FN('prepare'), ResultPath: '$.prepared', Next: 'Hold' },
    Hold: { Type: 'Wait', Seconds: 600, End: true },
  },
};

let cloud: LocalCloud;
let sfn: SFNClient;
let stateMachineArn: string;
let holdingArn: string;
let broken = true;
const calls = {
  prepare: 0,
  finish: [] as unknown[],
  charge: [] as Array<{ retryCount: number; state: string; entered: string }>,
};
const delivered: EventEnvelope[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ tableName: 'redrive-test', bucketName: 'redrive-test', retryScale: 0.001 });
  stateMachineArn = cloud.sfn.registerStateMachine({
    name: 'charging',
    definition,
    taskHandlers: {
      [FN('prepare')]: () => ({ n: ++calls.prepare }),
      [FN('charge')]: (payload) => {
        calls.charge.push(payload as (typeof calls.charge)[number]);
        if (broken) throw Object.assign(new Error('provider down'), { name: 'Boom' });
        return { charged: true };
      },
      [FN('finish')]: (payload) => {
        calls.finish.push(payload);
        return { finished: true };
      },
    },
  });
  holdingArn = cloud.sfn.registerStateMachine({
    name: 'holding',
    definition: holding,
    taskHandlers: { [FN('prepare')]: () => ({ n: ++calls.prepare }) },
  });
  // A rule on the default bus, where Step Functions sends its status changes.
  cloud.events.addRule({
    pattern: { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'] },
    target: (event) => void delivered.push(event),
  });
  sfn = new SFNClient({});
});

afterAll(async () => {
  sfn?.destroy();
  await cloud?.stop();
});

const statusEvents = (executionArn: string) =>
  cloud.events
    .published()
    .filter((e) => e.source === 'aws.states' && e.resources[0] === executionArn)
    .map((e) => e as PublishedEvent & { detail: Record<string, unknown> });

describe('RedriveExecution on the local Step Functions', () => {
  let executionArn: string;

  it('redrives a failed execution from the failed state, without running the states before it again', async () => {
    ({ executionArn } = (await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'order-1', input: JSON.stringify({ id: 'o-1' }) }),
    )) as { executionArn: string });
    const failed = await cloud.sfn.waitForExecution(executionArn, 5_000);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Boom', redriveCount: 0, redriveStatus: 'REDRIVABLE' });
    expect(calls.charge.map((c) => c.retryCount)).toEqual([0, 1, 2]);

    // Still broken: the redrive runs Charge again with fresh retries, and fails again.
    const first = await sfn.send(new RedriveExecutionCommand({ executionArn, clientToken: 'redrive-1' }));
    expect(first.redriveDate).toBeInstanceOf(Date);
    expect((await cloud.sfn.waitForExecution(executionArn, 5_000)).status).toBe('FAILED');
    expect(calls.charge.map((c) => c.retryCount)).toEqual([0, 1, 2, 0, 1, 2]);

    // The same client token answers the same redrive, and redrives nothing.
    const again = await sfn.send(new RedriveExecutionCommand({ executionArn, clientToken: 'redrive-1' }));
    expect(again.redriveDate).toEqual(first.redriveDate);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('FAILED');

    broken = false;
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const done = await cloud.sfn.waitForExecution(executionArn, 5_000);

    expect(done.status).toBe('SUCCEEDED');
    expect(calls.prepare).toBe(1);
    expect(calls.charge).toHaveLength(7);
    expect(calls.finish).toEqual([{ redriveCount: 2, input: { id: 'o-1' }, charge: { charged: true } }]);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      executionArn,
      status: 'SUCCEEDED',
      redriveCount: 2,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    expect(described.redriveDate!.getTime()).toBeGreaterThan(first.redriveDate!.getTime());
    // A newer redrive took over: the old token is a new request, and a succeeded execution is not redrivable.
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn, clientToken: 'redrive-1' }))).rejects.toMatchObject({
      name: 'ExecutionNotRedrivable',
    });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.filter((e) => e.type === 'ExecutionRedriven').map((e) => e.executionRedrivenEventDetails)).toEqual([
      { redriveCount: 1 },
      { redriveCount: 2 },
    ]);
    expect(events!.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'Prepare')).toHaveLength(
      1,
    );
    expect(events!.map((e) => e.id)).toEqual(events!.map((_, i) => i + 1));
  });

  it('fills $$.State.Name, EnteredTime and RetryCount in a task’s parameters', () => {
    expect(new Set(calls.charge.map((c) => c.state))).toEqual(new Set(['Charge']));
    // One entry of the state per run: attempts of a run share the time the state was entered.
    const entries = new Set(calls.charge.map((c) => c.entered));
    expect(entries.size).toBe(3);
    for (const entered of entries) expect(Number.isNaN(Date.parse(entered))).toBe(false);
  });

  it('refuses to redrive a succeeded or running execution, and redrives an aborted one', async () => {
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(ExecutionNotRedrivable);
    const { executionArn: held } = await sfn.send(new StartExecutionCommand({ stateMachineArn: holdingArn, name: 'hold-1' }));
    const error = await sfn.send(new RedriveExecutionCommand({ executionArn: held })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ExecutionNotRedrivable);
    expect((error as Error).message).toBe('Execution is RUNNING and cannot be redriven');

    await sfn.send(new StopExecutionCommand({ executionArn: held, error: 'Paused' }));
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: held }))).toMatchObject({
      status: 'ABORTED',
      redriveStatus: 'REDRIVABLE',
    });
    const preparedBefore = calls.prepare;
    await sfn.send(new RedriveExecutionCommand({ executionArn: held }));
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: held }))).toMatchObject({
      status: 'RUNNING',
      redriveCount: 1,
    });
    // Back in the Wait, not in Prepare.
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.prepare).toBe(preparedBefore);
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: held, reverseOrder: true, maxResults: 2 }));
    expect(events!.map((e) => e.type)).toEqual(['WaitStateEntered', 'ExecutionRedriven']);
    await sfn.send(new StopExecutionCommand({ executionArn: held }));
  });

  it('is not redrivable 14 days after it stopped, nor with a history of 25,000 events', () => {
    const stopped = (ago: number, events = 10) =>
      ({
        status: 'FAILED',
        stopDate: new Date(Date.now() - ago),
        redriveCount: 0,
        history: new Array(events),
      }) as unknown as ExecutionRecord;
    expect(redriveStatus(stopped(REDRIVABLE_PERIOD_MS - 60_000)).status).toBe('REDRIVABLE');
    expect(redriveStatus(stopped(REDRIVABLE_PERIOD_MS + 60_000))).toEqual({
      status: 'NOT_REDRIVABLE',
      reason: 'Execution redrivable period exceeded',
    });
    expect(redriveStatus(stopped(0, 25_000))).toEqual({
      status: 'NOT_REDRIVABLE',
      reason: 'Execution history event limit exceeded',
    });
  });

  it('lists executions by redrive filter', async () => {
    const redriven = await sfn.send(new ListExecutionsCommand({ stateMachineArn, redriveFilter: 'REDRIVEN' }));
    expect(redriven.executions!.map((e) => [e.name, e.redriveCount])).toEqual([['order-1', 2]]);
    const notRedriven = await sfn.send(new ListExecutionsCommand({ stateMachineArn, redriveFilter: 'NOT_REDRIVEN' }));
    expect(notRedriven.executions).toEqual([]);
    const held = await sfn.send(new ListExecutionsCommand({ stateMachineArn: holdingArn, redriveFilter: 'REDRIVEN' }));
    expect(held.executions!.map((e) => e.name)).toEqual(['hold-1']);
  });

  it('puts a status-change event on the default bus at every status change, in AWS shape', async () => {
    await cloud.events.idle();
    const events = statusEvents(executionArn);
    expect(events.map((e) => e.detail.status)).toEqual(['RUNNING', 'FAILED', 'RUNNING', 'FAILED', 'RUNNING', 'SUCCEEDED']);
    expect(
      events.every((e) => e.eventBusName === 'default' && e['detail-type'] === 'Step Functions Execution Status Change'),
    ).toBe(true);
    const [started, failed, redriven, , , succeeded] = events.map((e) => e.detail);
    expect(started).toEqual({
      executionArn,
      stateMachineArn,
      name: 'order-1',
      status: 'RUNNING',
      startDate: expect.any(Number),
      stopDate: null,
      input: '{"id":"o-1"}',
      output: null,
      inputDetails: { included: true },
      outputDetails: null,
      error: null,
      cause: null,
      stateMachineVersionArn: null,
      stateMachineAliasArn: null,
      redriveCount: 0,
      redriveDate: null,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
    });
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'Boom',
      stopDate: expect.any(Number),
      redriveStatus: 'REDRIVABLE',
      redriveStatusReason: null,
    });
    expect(redriven).toMatchObject({ status: 'RUNNING', stopDate: null, redriveCount: 1, redriveDate: expect.any(Number) });
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED', redriveCount: 2, outputDetails: { included: true } });
    expect(JSON.parse(succeeded!.output as string)).toEqual({ finished: true });
    holdingArn = cloud.sfn.registerStateMachine({
      name: 'holding',
      definition: holding,
      taskHandlers: { [FN('prepare')]: () => ({ n: ++calls.prepare }) },
    });
    // A rule on the default bus gets them.
    expect(delivered.filter((e) => e.resources[0] === executionArn)).toHaveLength(6);
  });
});
