import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTaskSuccess } from '../../functions/shared/sfn';
import { type LocalCloud, type PublishedEvent, startLocalCloud } from '../../local/cloud';

const TABLE = 'sfn-test';
const NOTIFY_ARN = 'arn:aws:lambda:ap-southeast-1:000000000000:function:notify';

/** Waits for a human (the test) to answer with the task token the function received. */
const approvalDefinition = (timeoutSeconds: number) => ({
  StartAt: 'AwaitApproval',
  States: {
    AwaitApproval: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL substitution placeholder, as in the deployed files.
      Parameters: { FunctionName: '${NotifyArn}', Payload: { 'id.$': '$.id', 'token.$': '$$.Task.Token' } },
      TimeoutSeconds: timeoutSeconds,
      ResultPath: '$.approval',
      End: true,
    },
  },
});

/** Direct service integrations: DynamoDB items and an event on the bus, no function in between. */
const integrationsDefinition = {
  StartAt: 'Save',
  States: {
    Save: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: { TableName: TABLE, Item: { pk: { 'S.$': '$.id' }, sk: { S: 'record' }, status: { S: 'NEW' } } },
      ResultPath: null,
      Next: 'Load',
    },
    Load: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: TABLE, Key: { pk: { 'S.$': '$.id' }, sk: { S: 'record' } } },
      ResultSelector: { 'status.$': '$.Item.status.S' },
      ResultPath: '$.loaded',
      Next: 'Announce',
    },
    Announce: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: {
        Entries: [
          {
            EventBusName: 'test-bus',
            Source: 'test',
            DetailType: 'Record Loaded',
            Detail: { 'id.$': '$.id', 'status.$': '$.loaded.status' },
          },
        ],
      },
      ResultPath: null,
      Next: 'SaveAgain',
    },
    SaveAgain: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: TABLE,
        Item: { pk: { 'S.$': '$.id' }, sk: { S: 'record' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.conflict', Next: 'Done' }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

let cloud: LocalCloud;
let sfn: SFNClient;
const tokens = new Map<string, string>();
const arns: Record<string, string> = {};

beforeAll(async () => {
  cloud = await startLocalCloud({ tableName: TABLE, bucketName: 'sfn-test', retryScale: 0.001 });
  const notify = {
    [NOTIFY_ARN]: async (payload: unknown) =>
      void tokens.set((payload as { id: string }).id, (payload as { token: string }).token),
  };
  arns.approval = cloud.sfn.registerStateMachine({
    name: 'approval',
    definition: approvalDefinition(30),
    substitutions: { NotifyArn: NOTIFY_ARN },
    taskHandlers: notify,
  });
  arns.impatient = cloud.sfn.registerStateMachine({
    name: 'impatient',
    definition: approvalDefinition(1),
    substitutions: { NotifyArn: NOTIFY_ARN },
    taskHandlers: notify,
  });
  arns.integrations = cloud.sfn.registerStateMachine({ name: 'integrations', definition: integrationsDefinition });
  arns.unwired = cloud.sfn.registerStateMachine({
    name: 'unwired',
    definition: approvalDefinition(30),
    substitutions: { NotifyArn: NOTIFY_ARN },
  });
  sfn = new SFNClient({});
});

afterAll(async () => {
  sfn?.destroy();
  await cloud?.stop();
});

async function tokenFor(id: string): Promise<string> {
  for (let i = 0; i < 200 && !tokens.has(id); i++) await new Promise((r) => setTimeout(r, 5));
  return tokens.get(id)!;
}

const start = (machine: string, name: string, input: object) =>
  sfn.send(new StartExecutionCommand({ stateMachineArn: arns[machine], name, input: JSON.stringify(input) }));

describe('local Step Functions through the SDK', () => {
  it('starts once per name: same input while running is the same execution, another input is refused', async () => {
    const first = await start('approval', 'onb_idem', { id: 'idem' });
    const again = await start('approval', 'onb_idem', { id: 'idem' });
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(start('approval', 'onb_idem', { id: 'other' })).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    await sfn.send(new SendTaskSuccessCommand({ taskToken: await tokenFor('idem'), output: JSON.stringify({ approved: true }) }));
    const done = await cloud.sfn.waitForExecution(first.executionArn!, 5_000);
    expect(done.status).toBe('SUCCEEDED');
    // A finished execution keeps its name.
    await expect(start('approval', 'onb_idem', { id: 'idem' })).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('resumes a waiting task with SendTaskSuccess and describes the execution', async () => {
    const { executionArn } = await start('approval', 'onb_ok', { id: 'ok' });
    const running = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(running.status).toBe('RUNNING');
    expect(cloud.sfn.pendingTaskTokens(executionArn)).toHaveLength(1);

    // The functions' own client, as the webhook resumes a wait.
    await sendTaskSuccess({ taskToken: await tokenFor('ok'), output: '{"approved":true}' });
    await cloud.sfn.waitForExecution(executionArn!, 5_000);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(done).toMatchObject({ status: 'SUCCEEDED', name: 'onb_ok', stateMachineArn: arns.approval, input: '{"id":"ok"}' });
    expect(JSON.parse(done.output!)).toEqual({ id: 'ok', approval: { approved: true } });
    expect(done.startDate).toBeInstanceOf(Date);
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());
  });

  it('fails a waiting task with SendTaskFailure; a used or unknown token is refused', async () => {
    const { executionArn } = await start('approval', 'onb_no', { id: 'no' });
    const token = await tokenFor('no');
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'ReviewRejected', cause: 'rejected by a reviewer' }));
    const done = await cloud.sfn.waitForExecution(executionArn!, 5_000);
    expect(done).toMatchObject({ status: 'FAILED', error: 'ReviewRejected', cause: 'rejected by a reviewer' });

    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))).rejects.toBeInstanceOf(
      TaskDoesNotExist,
    );
  });

  it('times out a task that waits longer than its TimeoutSeconds', async () => {
    const { executionArn } = await start('impatient', 'onb_slow', { id: 'slow' });
    const done = await cloud.sfn.waitForExecution(executionArn!, 5_000);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.map((e) => e.type)).toContain('TaskTimedOut');
  });

  it('stops an execution', async () => {
    const { executionArn } = await start('approval', 'onb_stop', { id: 'stop' });
    const token = await tokenFor('stop');
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'merchant cancelled' }));
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(done).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'merchant cancelled' });
    expect(cloud.sfn.pendingTaskTokens(executionArn)).toEqual([]);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('answers GetExecutionHistory in AWS shape, in either order, page by page', async () => {
    const { executionArn } = await start('approval', 'onb_hist', { id: 'hist' });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: await tokenFor('hist'), output: '{"approved":true}' }));
    await cloud.sfn.waitForExecution(executionArn!, 5_000);

    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events!.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events![0]!.timestamp).toBeInstanceOf(Date);
    expect(events![1]!.stateEnteredEventDetails).toMatchObject({ name: 'AwaitApproval', input: '{"id":"hist"}' });
    expect(events![2]!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(JSON.parse(events![6]!.executionSucceededEventDetails!.output!)).toEqual({ id: 'hist', approval: { approved: true } });

    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 4 }));
    expect(reversed.events!.map((e) => e.id)).toEqual([7, 6, 5, 4]);
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 4, nextToken: reversed.nextToken }),
    );
    expect(rest.events!.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(rest.nextToken).toBeUndefined();
    expect(cloud.sfn.stateTransitions(executionArn!)).toBe(1);
  });

  it('lists executions by status and refuses unknown ones', async () => {
    const { executions } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arns.approval, statusFilter: 'SUCCEEDED' }),
    );
    expect(executions!.map((e) => e.name)).toEqual(expect.arrayContaining(['onb_idem', 'onb_ok']));
    expect(executions!.every((e) => e.status === 'SUCCEEDED')).toBe(true);

    const missing = `${arns.approval!.replace(':stateMachine:', ':execution:')}:nope`;
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: missing }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('runs direct DynamoDB and EventBridge integrations against the local services', async () => {
    const delivered: PublishedEvent[] = [];
    const removeRule = cloud.events.addRule({
      busName: 'test-bus',
      pattern: { 'detail-type': ['Record Loaded'] },
      target: (e) => void delivered.push(e as PublishedEvent),
    });
    const { executionArn } = await start('integrations', 'onb_direct', { id: 'direct' });
    const done = await cloud.sfn.waitForExecution(executionArn!, 5_000);
    await cloud.events.idle();
    removeRule();

    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.loaded).toEqual({ status: 'NEW' });
    expect(output.conflict.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ source: 'test', detail: { id: 'direct', status: 'NEW' }, resources: [executionArn] });
  });

  it('fails an execution whose function has no handler', async () => {
    const { executionArn } = await start('unwired', 'onb_unwired', { id: 'unwired' });
    const done = await cloud.sfn.waitForExecution(executionArn!, 5_000);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
  });

  it('tells a task handler which execution it runs for and when that execution started', async () => {
    const seen: unknown[] = [];
    const arn = cloud.sfn.registerStateMachine({
      name: 'told',
      taskHandlers: {
        record: async (_payload, invocation) => {
          seen.push(invocation);
          return {};
        },
      },
      definition: {
        StartAt: 'Record',
        States: { Record: { Type: 'Task', Resource: 'arn:aws:lambda:ap-southeast-1:000000000000:function:record', End: true } },
      },
    });
    const { executionArn } = cloud.sfn.startExecution({ stateMachineArn: arn, name: 'told-1', input: '{}' });
    expect(await cloud.sfn.waitForExecution(executionArn, 5_000)).toMatchObject({ status: 'SUCCEEDED' });
    const { startDate } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(seen).toEqual([{ executionArn, executionStartedAt: startDate!.getTime() }]);
  });

  it("gives the context object and reports each Map iteration's task in the history", async () => {
    const arn = cloud.sfn.registerStateMachine({
      name: 'mapped',
      taskHandlers: { double: async (payload) => ({ doubled: (payload as { n: number }).n * 2 }) },
      definition: {
        StartAt: 'Context',
        States: {
          Context: {
            Type: 'Pass',
            Parameters: {
              'id.$': '$$.Execution.Id',
              'name.$': '$$.Execution.Name',
              'machine.$': '$$.StateMachine.Name',
              'items.$': '$.items',
            },
            Next: 'Each',
          },
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: {
              StartAt: 'Double',
              States: {
                Double: { Type: 'Task', Resource: 'arn:aws:lambda:ap-southeast-1:000000000000:function:double', End: true },
              },
            },
            ResultPath: '$.results',
            End: true,
          },
        },
      },
    });
    const { executionArn } = cloud.sfn.startExecution({
      stateMachineArn: arn,
      name: 'map-1',
      input: JSON.stringify({ items: [{ n: 1 }, { n: 2 }, { n: 3 }] }),
    });
    const done = await cloud.sfn.waitForExecution(executionArn, 5_000);

    expect(JSON.parse(done.output!)).toEqual({
      id: executionArn,
      name: 'map-1',
      machine: 'mapped',
      items: [{ n: 1 }, { n: 2 }, { n: 3 }],
      results: [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }],
    });
    const events = cloud.sfn.getExecutionHistory({ executionArn }).events;
    const succeeded = events
      .filter((e) => e.type === 'LambdaFunctionSucceeded')
      .map((e) => (e.lambdaFunctionSucceededEventDetails as { output: string }).output);
    expect(succeeded.sort()).toEqual(['{"doubled":2}', '{"doubled":4}', '{"doubled":6}']);
    expect(events.filter((e) => e.type === 'MapIterationSucceeded')).toHaveLength(3);
    expect(cloud.sfn.stateTransitions(executionArn)).toBe(2 + 3);
  });
});
