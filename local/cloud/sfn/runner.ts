import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, type StateMachine } from 'aws-local-stepfunctions';
import { type AslObject, ORIGINAL_PREFIX, type StateEntry, scaledRetryPauses, startingAt } from './definition';
import { failure, HistoryRecorder } from './history';
import type { ContinuePoint } from './resume';
import { StateTracker, withStateContext } from './state-context';
import type { StoredWait } from './store';
import { fatalError, TASK_TOKEN_PLACEHOLDER, type TaskRuntime, taskOverrides } from './tasks';
import type { ExecutionRecord, HistoryEvent, TaskHandler } from './types';

/** A state machine ready to run: the interpreter plus what the overrides and the history need. */
export interface RegisteredMachine {
  arn: string;
  name: string;
  /** The definition as deployed (substituted), for DescribeStateMachine. */
  definitionText: string;
  /** The definition the interpreter runs (timeouts adapted, execution paths pointed). */
  definition: AslObject;
  interpreter: StateMachine;
  states: StateEntry[];
  stateMap: Map<string, AslObject>;
  /** States inside Map iterations: several waits share their name, so none is taken over after a restart. */
  inMaps: Set<string>;
  handlers: Record<string, TaskHandler>;
  /** Distributed Map states (as written), by name: the service runs them as Map Runs. */
  distributedMaps: Map<string, AslObject>;
  /** Scale of Retry pauses (see `scaledRetryPauses`). */
  retryScale: number;
  creationDate: Date;
}

/** Where a run continues an execution (after a restart or a redrive) instead of starting it. */
export interface Continuation extends ContinuePoint {
  /** Task tokens still waited on when the service stopped, by state name. */
  waits: Map<string, StoredWait>;
  /** For a Wait state: epoch ms at which it ends. */
  waitEnds?: number;
  /** A redrive (its history shows the state entered again), not a restart. */
  redrive?: boolean;
}

/** What the service does with a run's progress. */
export interface RunHooks {
  /** A history event was added. */
  event: (event: HistoryEvent) => void;
  /** A task now waits on a new token. */
  waiting: (wait: StoredWait) => void;
  /** The wait on a token ended. */
  settled: (token: string) => void;
  /** The record holds the final status and the whole history. */
  finished: (record: ExecutionRecord) => void;
}

/** An execution in progress. */
export interface RunningExecution {
  /** Settles once the record holds the final status and the whole history (or the run was released). */
  done: Promise<void>;
  /** StopExecution: aborts the interpreter and ends any wait for a task token. */
  stop(error?: string, cause?: string): void;
  /** Lets go of the run as a crash would: nothing more is recorded, and the execution stays RUNNING. */
  release(): void;
}

/** Runs one execution in the background (from its start, or from `from`), filling `record` as it goes. */
export function runExecution(
  machine: RegisteredMachine,
  record: ExecutionRecord,
  runtime: TaskRuntime & { region: string },
  hooks: RunHooks,
  from?: Continuation,
): RunningExecution {
  let stopInfo: { error?: string; cause?: string } | undefined;
  let released = false;
  const history = new HistoryRecorder(record, machine.stateMap, runtime.region, () => stopInfo ?? {}, {
    inState: from?.inState && !from.redrive ? from.stateName : undefined,
    added: (event) => hooks.event(event),
    settled: (token) => hooks.settled(token),
    released: () => released,
  });
  // Attempts of each state since its last success: the exponent of the scaled retry backoff.
  const failuresInARow = new Map<string, number>();
  // Inside a Map, iterations share state names: which wait was whose cannot be told, so they start anew.
  const waits = new Map([...(from?.waits ?? [])].filter(([name]) => !machine.inMaps.has(name)));
  const overrides = taskOverrides(machine.states, runtime, {
    executionArn: record.executionArn,
    startedAt: (record.redriveDate ?? record.startDate).getTime(),
    handlers: machine.handlers,
    isRunning: () => stopInfo === undefined && !released && record.status === 'RUNNING',
    attempt: (stateName) => {
      failuresInARow.set(stateName, (failuresInARow.get(stateName) ?? 0) + 1);
      return history.attempt(stateName);
    },
    succeeded: (stateName) => failuresInARow.delete(stateName),
    resumedWait: (stateName) => {
      const wait = waits.get(stateName);
      waits.delete(stateName);
      return wait;
    },
    waiting: (wait) => {
      if (!released) hooks.waiting(wait);
    },
  });
  const retryIntervalOverrides = scaledRetryPauses(
    machine.states,
    machine.retryScale,
    (stateName) => failuresInARow.get(stateName) ?? 0,
  );
  const interpreter = from
    ? startingAt(machine.definition, from.stateName, remainingTimeout(machine, record))
    : machine.interpreter;
  const run = interpreter.run((from ? from.input : JSON.parse(record.input)) as never, {
    overrides: {
      taskResourceLocalHandlers: overrides as never,
      retryIntervalOverrides,
      waitTimeOverrides: from ? remainingWait(from) : undefined,
    },
    context: withStateContext(
      {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RoleArn: localRoleArn(machine.arn),
          RedriveCount: record.redriveCount,
          ...(record.redriveDate ? { RedriveTime: record.redriveDate.toISOString() } : {}),
          // What `$$.Execution.Input` / `StartTime` read (see `pointExecutionPaths`).
          [`${ORIGINAL_PREFIX}Input`]: JSON.parse(record.input),
          [`${ORIGINAL_PREFIX}StartTime`]: record.startDate.toISOString(),
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
      new StateTracker(),
    ) as never,
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
    if (released) return;
    Object.assign(record, result, { stopDate });
    hooks.finished(record);
  })();
  return {
    done,
    stop(error, cause) {
      if (stopInfo || released || record.status !== 'RUNNING') return;
      stopInfo = { error, cause };
      run.abort();
    },
    release() {
      if (released || stopInfo) return;
      released = true;
      run.abort();
    },
  };
}

/**
 * An execution that starts on the next turn of the event loop (`start` may find there is nothing to
 * run and answer undefined). Stopping or releasing it before then is kept for when it starts.
 */
export function deferred(start: () => RunningExecution | undefined): RunningExecution {
  let started: RunningExecution | undefined;
  let cancelled: { release: true } | { error?: string; cause?: string } | undefined;
  const done = new Promise<void>((resolve) => {
    setImmediate(() => {
      if (cancelled && 'release' in cancelled) return resolve();
      started = start();
      if (!started) return resolve();
      if (cancelled) started.stop(cancelled.error, cancelled.cause);
      void started.done.then(resolve);
    });
  });
  return {
    done,
    stop: (error, cause) => {
      if (started) started.stop(error, cause);
      else cancelled = { error, cause };
    },
    release: () => {
      if (started) started.release();
      else cancelled = { release: true };
    },
  };
}

/** The execution's TimeoutSeconds, less the time it has already run since it was (re)started. */
function remainingTimeout(machine: RegisteredMachine, record: ExecutionRecord): number | undefined {
  const timeout = machine.definition.TimeoutSeconds;
  if (typeof timeout !== 'number') return undefined;
  const since = (record.redriveDate ?? record.startDate).getTime();
  return Math.max(0, timeout - (Date.now() - since) / 1000);
}

/** A Wait state continued after a restart waits what was left of it, once; later entries wait in full. */
function remainingWait(from: Continuation): Record<string, number> | undefined {
  if (from.waitEnds === undefined) return undefined;
  let remaining: number | undefined = Math.max(0, from.waitEnds - Date.now());
  const overrides: Record<string, number> = {};
  Object.defineProperty(overrides, from.stateName, {
    enumerable: true,
    get: () => {
      const value = remaining;
      remaining = undefined;
      return value;
    },
  });
  return overrides;
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
