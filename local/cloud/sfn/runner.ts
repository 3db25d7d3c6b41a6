import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, type StateMachine } from 'aws-local-stepfunctions';
import { type AslObject, type StateEntry, scaledRetryPauses } from './definition';
import { failure, HistoryRecorder } from './history';
import { fatalError, TASK_TOKEN_PLACEHOLDER, type TaskRuntime, taskOverrides } from './tasks';
import type { ExecutionRecord, TaskHandler } from './types';

/** A state machine ready to run: the interpreter plus what the overrides and the history need. */
export interface RegisteredMachine {
  arn: string;
  name: string;
  /** The definition as deployed (substituted), for DescribeStateMachine. */
  definitionText: string;
  interpreter: StateMachine;
  states: StateEntry[];
  stateMap: Map<string, AslObject>;
  handlers: Record<string, TaskHandler>;
  /** Scale of Retry pauses (see `scaledRetryPauses`). */
  retryScale: number;
  creationDate: Date;
}

/** An execution in progress. */
export interface RunningExecution {
  /** Settles once the record holds the final status and the whole history. */
  done: Promise<void>;
  /** StopExecution: aborts the interpreter and ends any wait for a task token. */
  stop(error?: string, cause?: string): void;
}

/** Starts one execution in the background, filling `record` as it goes. */
export function runExecution(
  machine: RegisteredMachine,
  record: ExecutionRecord,
  runtime: TaskRuntime & { region: string },
  onFinish: (record: ExecutionRecord) => void,
): RunningExecution {
  let stopInfo: { error?: string; cause?: string } | undefined;
  const history = new HistoryRecorder(record, machine.stateMap, runtime.region, () => stopInfo ?? {});
  // Attempts of each state since its last success: the exponent of the scaled retry backoff.
  const failuresInARow = new Map<string, number>();
  const overrides = taskOverrides(machine.states, runtime, {
    executionArn: record.executionArn,
    handlers: machine.handlers,
    isRunning: () => stopInfo === undefined && record.status === 'RUNNING',
    attempt: (stateName) => {
      failuresInARow.set(stateName, (failuresInARow.get(stateName) ?? 0) + 1);
      return history.attempt(stateName);
    },
    succeeded: (stateName) => failuresInARow.delete(stateName),
  });
  const retryIntervalOverrides = scaledRetryPauses(
    machine.states,
    machine.retryScale,
    (stateName) => failuresInARow.get(stateName) ?? 0,
  );
  const run = machine.interpreter.run(JSON.parse(record.input), {
    overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides },
    // Execution.Input and StartTime are set by the interpreter itself.
    context: {
      Execution: { Id: record.executionArn, Name: record.name, RoleArn: localRoleArn(machine.arn), RedriveCount: 0 },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: { Token: TASK_TOKEN_PLACEHOLDER },
      // Steps read `$$.State.RetryCount`; the interpreter keeps no per-state context, so it reads 0 here.
      State: { RetryCount: 0 },
    },
  });
  const logged = history.consume(run.eventLogs);
  const settled = run.result.then(
    (output) => ({ status: 'SUCCEEDED' as const, output: JSON.stringify(output) }),
    (error: unknown) => outcome(error, stopInfo),
  );
  const done = (async () => {
    const result = await settled;
    const stopDate = new Date();
    // A stopped or timed-out execution may still wait on a token: end the wait so the interpreter unwinds.
    runtime.tokens.closeExecution(record.executionArn, fatalError('Execution is no longer running'));
    await logged;
    Object.assign(record, result, { stopDate });
    onFinish(record);
  })();
  return {
    done,
    stop(error, cause) {
      if (stopInfo || record.status !== 'RUNNING') return;
      stopInfo = { error, cause };
      run.abort();
    },
  };
}

function outcome(error: unknown, stopInfo: { error?: string; cause?: string } | undefined) {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' as const, ...stopInfo };
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT' as const, error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' };
  }
  const reason = error instanceof ExecutionError ? error.cause : error;
  if (reason instanceof Error) return { status: 'FAILED' as const, ...failure(reason.name, reason.message) };
  return { status: 'FAILED' as const, error: 'States.Runtime', cause: String(reason) };
}

/** The role a deployed state machine would run as; only echoed back in the context object. */
function localRoleArn(stateMachineArn: string): string {
  const [, partition, , region, account] = stateMachineArn.split(':');
  return `arn:${partition}:iam::${account}:role/local-stepfunctions-${region}`;
}
