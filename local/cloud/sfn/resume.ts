import type { AslObject } from './definition';
import { CAUGHT_NEXT } from './history';
import type { HistoryEvent } from './types';

/** Where an execution continues after a restart or a redrive, read from its own history. */

/** A top-level state to run again, with the input it had. */
export interface ContinuePoint {
  stateName: string;
  input: unknown;
  /** When the state was entered (a Wait's remaining time and a task wait's age count from here). */
  enteredAt: Date;
  /** The history shows the state entered and not exited: the execution was in it. */
  inState: boolean;
}

/**
 * The top-level state the execution was in: the last one entered and not exited (a state nested in a
 * Map or Parallel continues as its outermost state). When the execution stopped between two states,
 * the state after the last one that exited (its catcher's Next when a Catch took its error); the first
 * state when none ran.
 */
export function continuePoint(
  history: HistoryEvent[],
  definition: AslObject,
  execution: { input: string; startDate: Date },
): ContinuePoint {
  const states = definition.States as Record<string, AslObject>;
  let open: ContinuePoint | undefined;
  let last: (ContinuePoint & { output: unknown; exitedAt: Date; caughtNext?: string }) | undefined;
  for (const event of history) {
    const entered = event.stateEnteredEventDetails as { name: string; input?: string } | undefined;
    const exited = event.stateExitedEventDetails as { name: string; output?: string } | undefined;
    if (event.type.endsWith('StateEntered') && entered && entered.name in states) {
      open = { stateName: entered.name, input: parse(entered.input), enteredAt: event.timestamp, inState: true };
    } else if (event.type.endsWith('StateExited') && exited && exited.name === open?.stateName) {
      const caughtNext = event[CAUGHT_NEXT] as string | undefined;
      last = { ...open, output: parse(exited.output), exitedAt: event.timestamp, caughtNext };
      open = undefined;
    }
  }
  if (open) return open;
  // The history is written just behind the interpreter: a state may have begun (and minted a task
  // token) before its StateEntered event was written, so it counts as entered when the one before ended.
  if (!last) {
    return {
      stateName: String(definition.StartAt),
      input: parse(execution.input),
      enteredAt: execution.startDate,
      inState: false,
    };
  }
  // A caught error left the state with the error output (ResultPath applied) towards the catcher's Next.
  if (last.caughtNext && last.caughtNext in states) {
    return { stateName: last.caughtNext, input: last.output, enteredAt: last.exitedAt, inState: false };
  }
  const state = states[last.stateName]!;
  // A Choice is evaluated again; the last state is run again when the stop came just after it ended.
  if (state.Type === 'Choice' || !state.Next) {
    return { stateName: last.stateName, input: last.input, enteredAt: last.enteredAt, inState: false };
  }
  return { stateName: String(state.Next), input: last.output, enteredAt: last.exitedAt, inState: false };
}

/** Epoch ms at which a Wait state entered at `enteredAt` with `input` ends; undefined when it cannot tell. */
export function waitEnds(state: AslObject, input: unknown, enteredAt: Date): number | undefined {
  const seconds = state.Seconds ?? (state.SecondsPath ? valueAt(input, state.SecondsPath) : undefined);
  if (typeof seconds === 'number') return enteredAt.getTime() + seconds * 1000;
  const timestamp = state.Timestamp ?? (state.TimestampPath ? valueAt(input, state.TimestampPath) : undefined);
  const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}

/** The value at a simple JSONPath (`$`, `$.a.b`, `$.a[0]`); undefined for anything else. */
export function valueAt(input: unknown, path: string): unknown {
  if (!/^\$(\.[A-Za-z_][\w-]*|\[\d+\])*$/.test(path)) return undefined;
  let value: unknown = input;
  for (const [, key, index] of path.slice(1).matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key ?? Number(index)];
  }
  return value;
}

function parse(text: string | undefined): unknown {
  return text === undefined ? null : JSON.parse(text);
}

const TERMINAL_EVENTS: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

/**
 * The outcome the history already shows when the last event ended the execution (a crash came
 * between recording that event and recording the status), or when the last state of the machine
 * exited and only ExecutionSucceeded is missing (`succeededEvent` then says to add it).
 */
export function endedInHistory(
  history: HistoryEvent[],
  definition?: AslObject,
): { status: string; stopDate: Date; output?: string; error?: string; cause?: string; succeededEvent?: boolean } | undefined {
  const last = history.at(-1);
  if (!last) return undefined;
  const exited = last.stateExitedEventDetails as { name: string; output?: string } | undefined;
  const state = exited && (definition?.States as Record<string, AslObject> | undefined)?.[exited.name];
  if (exited && state && !last[CAUGHT_NEXT] && (state.End === true || state.Type === 'Succeed')) {
    // Running the last state again would repeat what it did (a second event, a second record).
    return { status: 'SUCCEEDED', stopDate: last.timestamp, output: exited.output, succeededEvent: true };
  }
  const status = TERMINAL_EVENTS[last.type];
  if (!status) return undefined;
  const key = `${last.type.charAt(0).toLowerCase()}${last.type.slice(1)}EventDetails`;
  const details = (last[key] ?? {}) as { output?: string; error?: string; cause?: string };
  return { status, stopDate: last.timestamp, output: details.output, error: details.error, cause: details.cause };
}
