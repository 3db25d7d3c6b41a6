import { describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../../local/cloud/stepfunctions';

const definition = {
  StartAt: 'Flaky',
  States: {
    Flaky: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'flaky', Payload: {} },
      Retry: [
        { ErrorEquals: ['Busy'], IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 3, MaxAttempts: 4, JitterStrategy: 'NONE' },
      ],
      End: true,
    },
  },
};

describe('scaled retry pauses', () => {
  it('keep the backoff and the delay cap of the ASL, scaled', async () => {
    const calls: number[] = [];
    const sfn = new LocalStepFunctions({ retryScale: 0.05 });
    const stateMachineArn = sfn.registerStateMachine({
      name: 'flaky',
      definition,
      taskHandlers: {
        flaky: async () => {
          calls.push(performance.now());
          if (calls.length < 5) throw Object.assign(new Error('busy'), { name: 'Busy' });
          return { ok: true };
        },
      },
    });
    const { executionArn } = sfn.startExecution({ stateMachineArn, input: '{}' });
    const done = await sfn.waitForExecution(executionArn, 5_000);
    await sfn.stop();

    expect(done.status).toBe('SUCCEEDED');
    const gaps = calls.slice(1).map((at, i) => at - calls[i]!);
    // 1 s, 2 s, 4 s capped at 3 s, 3 s: times 0.05.
    const expected = [50, 100, 150, 150];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i]! - 5);
      expect(gap).toBeLessThan(expected[i]! + 100);
    });
  });
});
