import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStepFunctions, type PutEventsEntry, type StateMachineRegistration } from '../../local/cloud';

const STEP_ARN = 'arn:aws:lambda:ap-southeast-1:000000000000:function:step';
const NOTIFY_ARN = 'arn:aws:lambda:ap-southeast-1:000000000000:function:notify';

/** Prepare, a Wait, then Report: Report shows what the context object says about the execution. */
const pausing = (seconds: number) => ({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Task', Resource: STEP_ARN, Parameters: { step: 'prepare' }, ResultPath: '$.prepared', Next: 'Pause' },
    Pause: { Type: 'Wait', Seconds: seconds, Next: 'Report' },
    Report: {
      Type: 'Task',
      Resource: STEP_ARN,
      Parameters: {
        step: 'report',
        'input.$': '$$.Execution.Input',
        'startTime.$': '$$.Execution.StartTime',
        'name.$': '$$.Execution.Name',
        'id.$': '$$.Execution.Id',
        'prepared.$': '$.prepared',
      },
      End: true,
    },
  },
});

/** Waits for an answer to the token the notify function received; a timeout is caught. */
const approval = (timeoutSeconds: number) => ({
  StartAt: 'AwaitApproval',
  States: {
    AwaitApproval: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: NOTIFY_ARN, Payload: { 'id.$': '$.id', 'token.$': '$$.Task.Token' } },
      TimeoutSeconds: timeoutSeconds,
      ResultPath: '$.approval',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'TimedOut' }],
      End: true,
    },
    TimedOut: { Type: 'Pass', End: true },
  },
});

/** Create is rejected and caught: the execution goes on at RecordRejected with the error, never at Decide. */
const rejecting = {
  StartAt: 'Create',
  States: {
    Create: {
      Type: 'Task',
      Resource: STEP_ARN,
      Parameters: { step: 'create' },
      ResultPath: '$.created',
      Catch: [{ ErrorEquals: ['ProviderRejected'], ResultPath: '$.error', Next: 'RecordRejected' }],
      Next: 'Decide',
    },
    Decide: { Type: 'Task', Resource: STEP_ARN, Parameters: { step: 'decide' }, End: true },
    RecordRejected: { Type: 'Task', Resource: STEP_ARN, Parameters: { step: 'record', 'error.$': '$.error.Error' }, End: true },
  },
};

/** Keeps the execution's file up to (and with) the first line that matches, as a kill -9 just after it would. */
function cutAfter(file: string, matches: (line: string) => boolean): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  writeFileSync(file, `${lines.slice(0, lines.findIndex(matches) + 1).join('\n')}\n`);
}

const folders: string[] = [];
const services: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-sfn-'));
  folders.push(dir);
  return dir;
}

/** Calls of the in-process functions, shared by the service before and after a restart. */
function functions() {
  const calls: Array<Record<string, unknown>> = [];
  const tokens: string[] = [];
  const handlers = {
    [STEP_ARN]: async (payload: unknown) => {
      calls.push(payload as Record<string, unknown>);
      return { ok: (payload as { step: string }).step };
    },
    [NOTIFY_ARN]: async (payload: unknown) => void tokens.push((payload as { token: string }).token),
  };
  return { calls, tokens, handlers };
}

function service(dataDir: string, machines: StateMachineRegistration[]): { sfn: LocalStepFunctions; arns: string[] } {
  const sfn = new LocalStepFunctions({ dataDir });
  services.push(sfn);
  return { sfn, arns: machines.map((m) => sfn.registerStateMachine(m)) };
}

/**
 * What a kill -9 leaves: the files as they are at this moment, in a folder of their own (the service
 * that wrote them goes on in this process, so it must not write to the folder the next one reads).
 */
function crashCopy(dataDir: string): string {
  const copy = folder();
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

async function until<T>(probe: () => T | undefined, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local Step Functions across restarts', () => {
  it('continues a running execution after a crash, in the state it was in, without running the states before it', async () => {
    const fns = functions();
    const machine = { name: 'pausing', definition: pausing(4), taskHandlers: fns.handlers };
    const dataDir = folder();
    const before = service(dataDir, [machine]);
    const { executionArn, startDate } = before.sfn.startExecution({
      stateMachineArn: before.arns[0]!,
      name: 'run-1',
      input: JSON.stringify({ id: 'o-1' }),
    });
    await until(() => before.sfn.getExecutionHistory({ executionArn }).events.some((e) => e.type === 'WaitStateEntered'));
    await sleep(2_500);
    const crashed = crashCopy(dataDir);
    await before.sfn.stop();
    // The crash cut the last line short.
    const file = join(crashed, 'executions', 'pausing', 'run-1.jsonl');
    appendFileSync(file, '{"k":"event","e":{"id":99,"type":"TaskSt');

    const after = service(crashed, [machine]);
    expect(after.sfn.describeExecution({ executionArn }).status).toBe('RUNNING');
    const done = await after.sfn.waitForExecution(executionArn, 10_000);

    expect(done.status).toBe('SUCCEEDED');
    expect(done.startDate).toEqual(startDate);
    // Prepare ran once, before the crash; Report once, after it.
    expect(fns.calls.map((c) => c.step)).toEqual(['prepare', 'report']);
    expect(fns.calls[1]).toMatchObject({
      input: { id: 'o-1' },
      startTime: startDate.toISOString(),
      name: 'run-1',
      id: executionArn,
      prepared: { ok: 'prepare' },
    });
    // The Wait went on with what was left of its 4 s, not 4 s from the restart (2.5 s later).
    expect(done.stopDate!.getTime() - startDate.getTime()).toBeLessThan(5_500);
    const events = after.sfn.getExecutionHistory({ executionArn }).events;
    expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'WaitStateEntered')).toHaveLength(1);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
  });

  it('waits again on the same task token after each restart, and SendTaskSuccess with it resumes the execution', async () => {
    const fns = functions();
    const machine = { name: 'approval', definition: approval(30), taskHandlers: fns.handlers };
    const dataDir = folder();
    const before = service(dataDir, [machine]);
    const { executionArn } = before.sfn.startExecution({ stateMachineArn: before.arns[0]!, name: 'ok', input: '{"id":"a"}' });
    const token = await until(() => fns.tokens[0]);
    let crashed = crashCopy(dataDir);
    await before.sfn.stop();

    // Two crashes in a row: the second restart still finds the token the first one waited on again.
    for (const restart of [1, 2]) {
      const between = service(crashed, [machine]);
      // The waiting function is called again with the same token: it stores it and checks what arrived meanwhile.
      await until(() => fns.tokens.length === restart + 1);
      expect(fns.tokens[restart]).toBe(token);
      await until(() => between.sfn.getExecutionHistory({ executionArn }).events.some((e) => e.type === 'TaskStarted'));
      if (restart === 2) break;
      crashed = crashCopy(crashed);
      await between.sfn.stop();
    }
    const after = services.at(-1)!;
    expect(after.pendingTaskTokens(executionArn)).toEqual([{ token, executionArn, stateName: 'AwaitApproval' }]);

    after.sendTaskSuccess({ taskToken: token, output: '{"approved":true}' });
    const done = await after.waitForExecution(executionArn, 5_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ id: 'a', approval: { approved: true } });
    // Still one execution, in its state once: the attempts after each restart read like retries.
    const types = after.getExecutionHistory({ executionArn }).events.map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted' || t === 'TaskStateEntered')).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
    ]);
    expect(types.filter((t) => t === 'TaskScheduled').length).toBeGreaterThanOrEqual(2);
  });

  it("counts a wait's timeout from when the wait began, and times out at once when it ran out while stopped", async () => {
    const fns = functions();
    const machines = [
      { name: 'approval-3s', definition: approval(3), taskHandlers: fns.handlers },
      { name: 'approval-1s', definition: approval(1), taskHandlers: fns.handlers },
    ];
    const dataDir = folder();
    const before = service(dataDir, machines);
    const slow = before.sfn.startExecution({ stateMachineArn: before.arns[0]!, name: 'slow', input: '{"id":"s"}' });
    const late = before.sfn.startExecution({ stateMachineArn: before.arns[1]!, name: 'late', input: '{"id":"l"}' });
    await until(() => fns.tokens.length === 2);
    await sleep(2_000);
    const crashed = crashCopy(dataDir);
    await before.sfn.stop();
    const restartedAt = Date.now();

    const after = service(crashed, machines);
    const [slowDone, lateDone] = await Promise.all([
      after.sfn.waitForExecution(slow.executionArn, 5_000),
      after.sfn.waitForExecution(late.executionArn, 5_000),
    ]);

    // Both timed out into their Catch, in the same execution.
    for (const done of [slowDone, lateDone]) {
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!).timedOut.Error).toBe('States.Timeout');
    }
    // 3 s after the wait began (not 3 s after the restart, 2 s later).
    expect(slowDone.stopDate!.getTime() - slow.startDate.getTime()).toBeLessThan(4_200);
    // The 1 s wait had run out: it timed out at once, and its function was not called again.
    expect(lateDone.stopDate!.getTime() - restartedAt).toBeLessThan(900);
    expect(fns.tokens).toHaveLength(3);
    const types = after.sfn.getExecutionHistory({ executionArn: late.executionArn }).events.map((e) => e.type);
    expect(types.slice(-5)).toEqual([
      'TaskTimedOut',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('leaves running executions RUNNING on stop() with a data folder, and continues them on the next start', async () => {
    const fns = functions();
    const machine = { name: 'approval', definition: approval(30), taskHandlers: fns.handlers };
    const dataDir = folder();
    const before = service(dataDir, [machine]);
    const { executionArn } = before.sfn.startExecution({ stateMachineArn: before.arns[0]!, name: 'ctrl-c', input: '{"id":"c"}' });
    const token = await until(() => fns.tokens[0]);
    await before.sfn.stop();
    expect(before.sfn.describeExecution({ executionArn }).status).toBe('RUNNING');

    const after = service(dataDir, [machine]);
    await until(() => after.sfn.pendingTaskTokens(executionArn).length === 1);
    after.sfn.sendTaskSuccess({ taskToken: token, output: '{"approved":false}' });
    expect((await after.sfn.waitForExecution(executionArn, 5_000)).status).toBe('SUCCEEDED');
    const history = after.sfn.getExecutionHistory({ executionArn }).events.map((e) => e.type);
    expect(history).not.toContain('ExecutionAborted');
    // One file per execution.
    expect(readdirSync(join(dataDir, 'executions', 'approval'))).toEqual(['ctrl-c.jsonl']);
  });

  it('records the outcome the history already shows when the crash came just before the status', async () => {
    const fns = functions();
    const machine = { name: 'pausing', definition: pausing(0), taskHandlers: fns.handlers };
    const dataDir = folder();
    const before = service(dataDir, [machine]);
    const { executionArn } = before.sfn.startExecution({ stateMachineArn: before.arns[0]!, name: 'ended', input: '{}' });
    const output = (await before.sfn.waitForExecution(executionArn, 5_000)).output;
    await before.sfn.stop();
    const file = join(dataDir, 'executions', 'pausing', 'ended.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^\{"k":"end".*\n/m, ''));

    const events: PutEventsEntry[] = [];
    const after = new LocalStepFunctions({
      dataDir,
      putEvents: ({ Entries }) => {
        events.push(...Entries);
        return { FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: 'e' })) };
      },
    });
    services.push(after);
    after.registerStateMachine(machine);
    const done = await until(() => {
      const described = after.describeExecution({ executionArn });
      return described.status !== 'RUNNING' && described;
    });
    expect(done).toMatchObject({ status: 'SUCCEEDED', output });
    expect(fns.calls).toHaveLength(2);
    expect(events.map((e) => JSON.parse(e.Detail!).status)).toEqual(['SUCCEEDED']);
  });

  it("follows the Catch after a crash right after a caught state exited, not the state's Next", async () => {
    const fns = functions();
    const handlers = {
      [STEP_ARN]: async (payload: unknown) => {
        const result = await fns.handlers[STEP_ARN](payload);
        if ((payload as { step: string }).step !== 'create') return result;
        throw Object.assign(new Error('rejected'), { name: 'ProviderRejected' });
      },
    };
    const machine = { name: 'rejecting', definition: rejecting, taskHandlers: handlers };
    const dataDir = folder();
    const before = service(dataDir, [machine]);
    const { executionArn } = before.sfn.startExecution({ stateMachineArn: before.arns[0]!, name: 'caught', input: '{}' });
    await before.sfn.waitForExecution(executionArn, 5_000);
    await before.sfn.stop();
    cutAfter(join(dataDir, 'executions', 'rejecting', 'caught.jsonl'), (l) => l.includes('"TaskStateExited"'));
    fns.calls.splice(0);

    const after = service(dataDir, [machine]);
    const done = await after.sfn.waitForExecution(executionArn, 5_000);

    expect(done.status).toBe('SUCCEEDED');
    expect(fns.calls).toEqual([{ step: 'record', error: 'ProviderRejected' }]);
    const entered = after.sfn.getExecutionHistory({ executionArn }).events.filter((e) => e.type === 'TaskStateEntered');
    expect(entered.map((e) => (e.stateEnteredEventDetails as { name: string }).name)).toEqual(['Create', 'RecordRejected']);
    expect(JSON.stringify(after.sfn.getExecutionHistory({ executionArn }).events)).not.toContain('caughtNext');
  });

  it('finishes without running the last state again when the crash came right after it exited', async () => {
    const fns = functions();
    const machine = { name: 'pausing', definition: pausing(0), taskHandlers: fns.handlers };
    const dataDir = folder();
    const before = service(dataDir, [machine]);
    const { executionArn } = before.sfn.startExecution({ stateMachineArn: before.arns[0]!, name: 'last', input: '{}' });
    const output = (await before.sfn.waitForExecution(executionArn, 5_000)).output;
    await before.sfn.stop();
    const file = join(dataDir, 'executions', 'pausing', 'last.jsonl');
    cutAfter(file, (l) => l.includes('"TaskStateExited"') && l.includes('"Report"'));

    const after = service(dataDir, [machine]);
    const done = await after.sfn.waitForExecution(executionArn, 5_000);

    expect(done).toMatchObject({ status: 'SUCCEEDED', output });
    expect(fns.calls.map((c) => c.step)).toEqual(['prepare', 'report']);
    const events = after.sfn.getExecutionHistory({ executionArn }).events;
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionSucceeded', executionSucceededEventDetails: { output } });
  });

  it('still stops (ABORTED) running executions on stop() without a data folder', async () => {
    const fns = functions();
    const sfn = new LocalStepFunctions();
    const arn = sfn.registerStateMachine({ name: 'approval', definition: approval(30), taskHandlers: fns.handlers });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, name: 'memory', input: '{"id":"m"}' });
    await until(() => fns.tokens[0]);
    await sfn.stop();
    expect(sfn.describeExecution({ executionArn }).status).toBe('ABORTED');
  });
});
