import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ tableName: 'transitions-test', bucketName: 'transitions-test', retryScale: 0.001 });
});
afterAll(async () => {
  await cloud?.stop();
});

const FLAKY_ARN = 'arn:aws:lambda:ap-southeast-1:000000000000:function:flaky';

describe('state transitions as Standard workflows are billed', () => {
  it("counts every state entered, each retry, each Map iteration's states, and Pass, Wait, Choice and Succeed", async () => {
    let calls = 0;
    const arn = cloud.sfn.registerStateMachine({
      name: 'transitions',
      taskHandlers: {
        // Fails twice, then answers: two retries.
        [FLAKY_ARN]: async () => {
          calls += 1;
          if (calls <= 2) throw Object.assign(new Error('not yet'), { name: 'Busy' });
          return { ok: true };
        },
      },
      definition: {
        StartAt: 'Prepare',
        States: {
          Prepare: { Type: 'Pass', Result: [1, 2, 3], ResultPath: '$.items', Next: 'Pause' },
          Pause: { Type: 'Wait', Seconds: 0, Next: 'Decide' },
          Decide: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Call' }], Default: 'Done' },
          Call: {
            Type: 'Task',
            Resource: FLAKY_ARN,
            Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 3 }],
            ResultPath: '$.called',
            Next: 'Each',
          },
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: {
              StartAt: 'Look',
              States: { Look: { Type: 'Pass', Next: 'Keep' }, Keep: { Type: 'Pass', End: true } },
            },
            ResultPath: null,
            Next: 'Done',
          },
          Done: { Type: 'Succeed' },
        },
      },
    });
    const { executionArn } = cloud.sfn.startExecution({ stateMachineArn: arn, name: 'billed', input: '{"go":true}' });
    const done = await cloud.sfn.waitForExecution(executionArn, 10_000);

    expect(done.status).toBe('SUCCEEDED');
    const topLevel = 6; // Prepare, Pause, Decide, Call, Each, Done
    const retries = 2;
    const iterations = 3 * 2; // three items, two states each
    expect(cloud.sfn.stateTransitions(executionArn)).toBe(topLevel + retries + iterations);
    expect(cloud.sfn.totalStateTransitions()).toBe(topLevel + retries + iterations);
  });

  it("counts the states of a Distributed Map's child executions in the account's total", async () => {
    const arn = cloud.sfn.registerStateMachine({
      name: 'children',
      definition: {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: {
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
              StartAt: 'Look',
              States: { Look: { Type: 'Pass', Next: 'Keep' }, Keep: { Type: 'Pass', End: true } },
            },
            End: true,
          },
        },
      },
    });
    const before = cloud.sfn.totalStateTransitions();
    const { executionArn } = cloud.sfn.startExecution({ stateMachineArn: arn, name: 'fan-out', input: '{"items":[1,2,3,4]}' });
    const done = await cloud.sfn.waitForExecution(executionArn, 10_000);

    expect(done.status).toBe('SUCCEEDED');
    // The parent enters its Map state once; each of the four children enters its two states.
    expect(cloud.sfn.stateTransitions(executionArn)).toBe(1);
    expect(cloud.sfn.totalStateTransitions() - before).toBe(1 + 4 * 2);
  });
});
