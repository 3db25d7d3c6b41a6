import { StateMachine } from 'aws-local-stepfunctions';

/**
 * `$$.State.Name`, `$$.State.EnteredTime` and `$$.State.RetryCount` in the context object. The
 * interpreter leaves `$$.State` out, and evaluates a state's InputPath and Parameters synchronously
 * right after it logs the state's StateEntered (or StateRetried) event. So a tracker that sees those
 * events as they are logged knows which state (and which attempt) is being evaluated, and
 * `$$.State`'s getters answer for it; this holds inside Map iterations and Parallel branches too.
 */

/** Where the tracker rides in the context object given to `run` (a symbol: invisible to JSONPath). */
const TRACKER = Symbol('local-sfn-state-tracker');

interface Entry {
  name: string;
  enteredTime: string;
  retryCount: number;
}

interface LoggedEvent {
  type: string;
  timestamp: number;
  state?: { name: string; input: unknown };
}

/** Follows the states being entered and retried in one execution (nested runs included). */
export class StateTracker {
  private current?: Entry;
  /** A state's entry by its input object: the same object is logged when the state is entered and retried. */
  private readonly byInput = new WeakMap<object, Entry>();
  private readonly byName = new Map<string, Entry>();
  /** Events already seen: Map and Parallel forward their nested events to the parent's log again. */
  private readonly seen = new WeakSet<object>();

  /** The `State` member of the context object: getters, read when a path refers to them. */
  readonly contextState: object;

  constructor() {
    const current = () => this.current;
    this.contextState = Object.freeze({
      get Name() {
        return current()?.name;
      },
      get EnteredTime() {
        return current()?.enteredTime;
      },
      get RetryCount() {
        return current()?.retryCount;
      },
    });
  }

  /** Called for every event the interpreter logs, as it logs it. */
  observe(event: LoggedEvent): void {
    if (this.seen.has(event)) return;
    this.seen.add(event);
    const state = event.state;
    if (!state) return;
    if (event.type === 'StateEntered') {
      const entry = { name: state.name, enteredTime: new Date(event.timestamp).toISOString(), retryCount: 0 };
      if (state.input !== null && typeof state.input === 'object') this.byInput.set(state.input, entry);
      this.byName.set(state.name, entry);
      this.current = entry;
    } else if (event.type === 'StateRetried') {
      const input = state.input;
      const entry =
        (input !== null && typeof input === 'object' ? this.byInput.get(input) : undefined) ?? this.byName.get(state.name);
      if (!entry) return;
      entry.retryCount++;
      this.current = entry;
    }
  }
}

/** The context object's members for a run, with `$$.State` answered by `tracker`. */
export function withStateContext<T extends object>(context: T, tracker: StateTracker): T & { State: object } {
  return Object.assign({}, context, { State: tracker.contextState, [TRACKER]: tracker });
}

type Execute = (
  input: unknown,
  options: { runOptions?: { context?: object }; eventLogger?: { dispatch(e: unknown): void } },
  ...rest: unknown[]
) => unknown;

/**
 * Hooks the interpreter's `execute` (every run, nested ones included) so that runs carrying a tracker
 * report their events to it synchronously. Runs without one are left exactly as they were.
 */
function install(): void {
  const prototype = StateMachine.prototype as unknown as { execute?: Execute; __stateTracking?: boolean };
  if (prototype.__stateTracking) return;
  const original = prototype.execute;
  if (typeof original !== 'function') throw new Error('aws-local-stepfunctions changed: StateMachine.execute is gone');
  prototype.execute = function (this: unknown, input, options, ...rest) {
    const tracker = (options?.runOptions?.context as Record<symbol, StateTracker> | undefined)?.[TRACKER];
    const logger = options?.eventLogger;
    if (tracker && logger) {
      const dispatch = logger.dispatch.bind(logger);
      logger.dispatch = (event: unknown) => {
        tracker.observe(event as LoggedEvent);
        dispatch(event);
      };
    }
    return original.call(this, input, options, ...rest);
  };
  prototype.__stateTracking = true;
}

install();
