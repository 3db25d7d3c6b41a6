import type { StateMachine } from 'aws-local-stepfunctions';
import { type AslObject, MAX_TIMER_SECONDS } from './definition';
import { DISTRIBUTED_MAP_RESOURCE } from './distributed-map';
import type { TaskAttempt } from './tasks';
import type { ExecutionRecord, HistoryEvent } from './types';

/** One event of the interpreter's log (the package does not export the type). */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** The interpreter's stand-ins for a Fail state without Error / Cause; AWS leaves them empty. */
const FAIL_STATE_DEFAULTS = { error: 'FailStateError', cause: 'Execution failed because of a Fail state' };

/**
 * Kept on a `StateExited` event (never shown by GetExecutionHistory): the state the execution went to
 * because a Catch took the state's error.
 */
export const CAUGHT_NEXT = 'caughtNext';

/** The event as GetExecutionHistory shows it: without what only the local service keeps. */
export function shownEvent(event: HistoryEvent): HistoryEvent {
  if (!(CAUGHT_NEXT in event)) return event;
  const { [CAUGHT_NEXT]: _, ...shown } = event;
  return shown as HistoryEvent;
}

/** An execution's error and cause as AWS reports them. */
export function failure(error: unknown, cause: unknown): { error?: string; cause?: string } {
  const causeText = cause === undefined ? undefined : text(cause);
  return {
    error: error === FAIL_STATE_DEFAULTS.error ? undefined : (error as string | undefined),
    cause: causeText === FAIL_STATE_DEFAULTS.cause ? undefined : causeText,
  };
}

/**
 * Turns the interpreter's event log into the SFN API's history: `ExecutionStarted`, `<Type>StateEntered`
 * / `<Type>StateExited`, and for Task states the `TaskScheduled` / `TaskStarted` / `TaskSucceeded` /
 * `TaskFailed` / `TaskTimedOut` events of each attempt, so a retry reads as on AWS: a `TaskFailed`
 * followed by a new `TaskScheduled` inside the same state.
 */
export class HistoryRecorder {
  private readonly attempts = new Map<string, TaskAttempt[]>();
  /** Attempts handed to the history so far, by state name. */
  private readonly scheduled = new Map<string, number>();
  /** The attempt in progress, by state name and Map iteration (concurrent iterations share state names). */
  private readonly current = new Map<string, TaskAttempt | undefined>();
  /** Top-level states whose error a Catch took, with the catcher's Next: where the execution goes after the exit. */
  private readonly caught = new Map<string, string>();

  constructor(
    private readonly record: ExecutionRecord,
    private readonly states: Map<string, AslObject>,
    private readonly region: string,
    /** StopExecution's error and cause, for the ExecutionAborted event. */
    private readonly stopInfo: () => { error?: string; cause?: string },
    private readonly sink: {
      /** After a restart, the state the execution was in: the history already shows it entered. */
      inState?: string;
      /** Each event as it is added (the store). */
      added: (event: HistoryEvent) => void;
      /** A `.waitForTaskToken` attempt ended (answered, failed or timed out): its token is done with. */
      settled: (token: string) => void;
      /** True once the service let go of the run (stopped with a data folder): nothing more is recorded. */
      released: () => boolean;
    },
  ) {}

  /** Records the start of a Task attempt; called by the task override in the interpreter's order. */
  attempt(stateName: string): TaskAttempt {
    const list = this.attempts.get(stateName) ?? [];
    this.attempts.set(stateName, list);
    const attempt: TaskAttempt = {};
    list.push(attempt);
    return attempt;
  }

  /** Reads the interpreter's events until it closes its log. */
  async consume(logs: AsyncGenerator<EventLog>): Promise<void> {
    for await (const event of logs) this.map(event);
  }

  /** A Distributed Map runs as a Task the service answers; its history shows the Map state it is. */
  private typeOf(name: string, type: string): string {
    return type === 'Task' && this.states.get(name)?.Resource === DISTRIBUTED_MAP_RESOURCE ? 'Map' : type;
  }

  private map(logged: EventLog): void {
    const event = logged as EventLog & { state?: { name: string; type: string } };
    if (event.state && 'type' in event.state) {
      const type = this.typeOf(event.state.name, event.state.type);
      if (type !== event.state.type) (event as { state: object }).state = { ...event.state, type };
    }
    const at = new Date(event.timestamp);
    switch (event.type) {
      case 'ExecutionStarted':
        // A run that continues an execution (restart, redrive) starts no new one; but a crash can come
        // before the first run's ExecutionStarted was written.
        if (this.record.history.some((e) => e.type === 'ExecutionStarted')) break;
        this.add('ExecutionStarted', this.record.history.length > 0 ? at : this.record.startDate, {
          executionStartedEventDetails: { input: this.record.input, inputDetails: { truncated: false } },
        });
        break;
      case 'StateEntered': {
        const { name, type, input } = event.state;
        if (name === this.sink.inState && event.index === undefined) {
          // Once: later entries of the same state (a loop) are new ones.
          this.sink.inState = undefined;
          if (type === 'Task') this.scheduleTask(name, event.index, at);
          break;
        }
        this.record.stateTransitions++;
        this.add(`${type}StateEntered`, at, {
          stateEnteredEventDetails: { name, input: json(input), inputDetails: { truncated: false } },
        });
        if (type === 'Task') this.scheduleTask(name, event.index, at);
        break;
      }
      case 'StateRetried':
        this.record.stateTransitions++;
        if (event.state.type === 'Task') this.scheduleTask(event.state.name, event.index, at);
        break;
      case 'StateFailed':
        if (event.state.type === 'Task') {
          this.endTask(event.state.name, event.index, at, { error: event.Error, cause: text(event.Cause) });
        } else if (event.state.type === 'Map' || event.state.type === 'Parallel') {
          this.add(`${event.state.type}StateFailed`, at, {});
        }
        break;
      case 'StateCaught':
        if (event.index === undefined) this.caught.set(event.state.name, String(event.catch.catcher.Next));
        break;
      case 'StateExited': {
        const { name, type, output } = event.state;
        if (type === 'Task') this.endTask(name, event.index, at);
        const caughtNext = event.index === undefined ? this.caught.get(name) : undefined;
        this.caught.delete(name);
        this.add(`${type}StateExited`, at, {
          stateExitedEventDetails: { name, output: json(output), outputDetails: { truncated: false } },
          // A caught error exits the state too: a resume must follow the catcher, not the state's Next.
          ...(caughtNext ? { [CAUGHT_NEXT]: caughtNext } : {}),
        });
        break;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
        this.add(event.type, at, { [key]: { name: event.parentState.name, index: event.index } });
        break;
      }
      case 'ExecutionSucceeded':
        this.add('ExecutionSucceeded', at, {
          executionSucceededEventDetails: { output: json(event.output), outputDetails: { truncated: false } },
        });
        break;
      case 'ExecutionFailed':
        this.add('ExecutionFailed', at, { executionFailedEventDetails: failure(event.Error, event.Cause) });
        break;
      case 'ExecutionAborted':
        this.add('ExecutionAborted', at, { executionAbortedEventDetails: this.stopInfo() });
        break;
      case 'ExecutionTimeout':
        this.add('ExecutionTimedOut', at, { executionTimedOutEventDetails: { error: 'States.Timeout' } });
        break;
      default:
      // Parallel branch events have no counterpart in the SFN history.
    }
  }

  /**
   * The start of an attempt. Attempts are recorded in the order the interpreter starts them, which is
   * the order of its StateEntered / StateRetried events, so the n-th event of a state is its n-th attempt.
   */
  private scheduleTask(stateName: string, iteration: number | undefined, at: Date): void {
    const n = this.scheduled.get(stateName) ?? 0;
    this.scheduled.set(stateName, n + 1);
    const attempt = this.attempts.get(stateName)?.[n];
    this.current.set(`${stateName}#${iteration ?? ''}`, attempt);
    const { legacy, resourceType, resource, timeoutInSeconds } = this.describe(stateName);
    if (legacy) {
      this.add('LambdaFunctionScheduled', at, {
        lambdaFunctionScheduledEventDetails: { resource, input: json(attempt?.parameters), timeoutInSeconds },
      });
      this.add('LambdaFunctionStarted', at, {});
      return;
    }
    this.add('TaskScheduled', at, {
      taskScheduledEventDetails: {
        resourceType,
        resource,
        region: this.region,
        parameters: json(attempt?.parameters),
        timeoutInSeconds,
      },
    });
    this.add('TaskStarted', at, { taskStartedEventDetails: { resourceType, resource } });
  }

  /** The end of the current attempt: succeeded when the task produced an output, else failed. */
  private endTask(stateName: string, iteration: number | undefined, at: Date, failed?: { error: string; cause: string }): void {
    const attempt = this.current.get(`${stateName}#${iteration ?? ''}`);
    const { legacy, resourceType, resource } = this.describe(stateName);
    // A caught failure also exits the state: report the attempt once, as failed.
    if (!attempt || attempt.reported || this.sink.released()) return;
    attempt.reported = true;
    if (attempt.token) this.sink.settled(attempt.token);
    const timedOut = failed?.error === 'States.Timeout';
    // Output with a failure: the task answered, then the state's result processing failed.
    if (attempt.output !== undefined && !timedOut) {
      if (legacy)
        this.add('LambdaFunctionSucceeded', at, { lambdaFunctionSucceededEventDetails: { output: json(attempt.output) } });
      else this.add('TaskSucceeded', at, { taskSucceededEventDetails: { resourceType, resource, output: json(attempt.output) } });
      return;
    }
    if (!failed) return;
    if (legacy) {
      const type = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
      this.add(type, at, { [timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails']: failed });
      return;
    }
    const type = timedOut ? 'TaskTimedOut' : 'TaskFailed';
    this.add(type, at, {
      [timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: { resourceType, resource, ...failed },
    });
  }

  private describe(stateName: string) {
    const state = this.states.get(stateName) ?? {};
    const arn = String(state.Resource ?? '');
    const legacy = /^arn:aws[\w-]*:lambda:/.test(arn);
    const [resourceType = '', resource = ''] = /:states:::(.*)$/.exec(arn)?.[1]?.split(/:(.*)/) ?? [];
    // The "no timeout" stand-in is not shown: AWS shows no timeout for such tasks either.
    const timeoutInSeconds =
      state.TimeoutSeconds === MAX_TIMER_SECONDS ? undefined : (state.TimeoutSeconds as number | undefined);
    return { legacy, resourceType, resource: legacy ? arn : resource, timeoutInSeconds };
  }

  private add(type: string, timestamp: Date, details: Record<string, unknown>): void {
    if (this.sink.released()) return;
    this.sink.added(appendEvent(this.record, type, timestamp, details));
  }
}

/** Adds an event to the execution's history (ids follow on) and returns it. */
export function appendEvent(
  record: ExecutionRecord,
  type: string,
  timestamp: Date,
  details: Record<string, unknown>,
): HistoryEvent {
  const history = record.history;
  const event = { id: history.length + 1, previousEventId: history.length, timestamp, type, ...details } as HistoryEvent;
  history.push(event);
  return event;
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
