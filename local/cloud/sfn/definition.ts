import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';

/** Loading an ASL file the way CDK deploys it, and the facts about its states the local service needs. */

// biome-ignore lint/suspicious/noExplicitAny: ASL is walked generically.
export type AslObject = Record<string, any>;

/** A state anywhere in the definition, nested Map/Parallel states included. */
export interface StateEntry {
  name: string;
  state: AslObject;
}

/**
 * Node timers hold at most 2^31-1 ms (about 24.8 days); a longer timeout fires after 1 ms instead.
 * Used as "no timeout" for tasks that do not set one (AWS: none; the interpreter: 60 s).
 */
export const MAX_TIMER_SECONDS = 2_147_483;

/** Reads the ASL (file or object) and replaces every `${Key}` placeholder, failing on a missing one. */
export function loadDefinition(
  source: { aslPath?: string; definition?: object },
  substitutions: Record<string, string> = {},
): AslObject {
  let raw: unknown;
  if (source.aslPath) raw = JSON.parse(readFileSync(source.aslPath, 'utf8'));
  else if (source.definition) raw = structuredClone(source.definition);
  else throw new Error('a state machine needs aslPath or definition');
  const missing = new Set<string>();
  const substituted = mapStrings(raw, (text) =>
    text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (placeholder, key: string) => {
      if (key in substitutions) return substitutions[key]!;
      missing.add(key);
      return placeholder;
    }),
  ) as AslObject;
  if (missing.size > 0) throw new Error(`no substitution for ${[...missing].map((k) => `\${${k}}`).join(', ')}`);
  return substituted;
}

/** Every state of the definition, depth first. */
export function allStates(definition: AslObject): StateEntry[] {
  const found: StateEntry[] = [];
  const visit = (machine: AslObject | undefined) => {
    for (const [name, state] of Object.entries((machine?.States ?? {}) as Record<string, AslObject>)) {
      found.push({ name, state });
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches ?? []) as AslObject[]) visit(branch);
    }
  };
  visit(definition);
  return found;
}

/**
 * Adapts the definition to the interpreter's timers: tasks without a timeout get the longest one a
 * timer can hold, and timeouts beyond it are clamped (a 14-day wait stays 14 days).
 */
export function adaptTimeouts(definition: AslObject): AslObject {
  const adapted = structuredClone(definition);
  if (typeof adapted.TimeoutSeconds === 'number') adapted.TimeoutSeconds = Math.min(adapted.TimeoutSeconds, MAX_TIMER_SECONDS);
  for (const { state } of allStates(adapted)) {
    if (state.Type !== 'Task') continue;
    if (state.TimeoutSecondsPath !== undefined) {
      state.TimeoutSecondsPath = effectiveTimeoutPath(state);
      continue;
    }
    state.TimeoutSeconds = Math.min(state.TimeoutSeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
  }
  return adapted;
}

/**
 * Step Functions resolves `TimeoutSecondsPath` against the state's input; the interpreter resolves it
 * against the input after `Parameters`. Where the Parameters copy the same path into a field (as the
 * onboarding workflow's Payload does with `timeoutSeconds.$`), point at that copy so both agree.
 */
function effectiveTimeoutPath(state: AslObject): unknown {
  const path = state.TimeoutSecondsPath;
  const find = (node: unknown, at: string): string | undefined => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
    for (const [key, value] of Object.entries(node as AslObject)) {
      if (key.endsWith('.$') && value === path) return `${at}.${key.slice(0, -2)}`;
      const inner = find(value, `${at}.${key.endsWith('.$') ? key.slice(0, -2) : key}`);
      if (inner) return inner;
    }
    return undefined;
  };
  return find(state.Parameters, '$') ?? path;
}

/**
 * Retry pauses scaled for fast local runs: `IntervalSeconds * BackoffRate^n`, capped at
 * `MaxDelaySeconds`, with FULL jitter when asked, times `scale`. The interpreter reads a pause per
 * retrier, not per attempt, so each pause is a getter computed when the interpreter asks for it, just
 * after a failure; `n` is the number of attempts of the state that failed in a row before this one
 * (`failuresInARow` minus one). The interpreter still counts attempts and decides whether to retry.
 * A scale of 1 (or more) returns nothing: the interpreter then uses the ASL's own timing.
 */
export function scaledRetryPauses(
  states: StateEntry[],
  scale: number,
  failuresInARow: (stateName: string) => number,
): Record<string, number[]> | undefined {
  if (scale >= 1) return undefined;
  const overrides: Record<string, number[]> = {};
  for (const { name, state } of states) {
    const retriers = (state.Retry ?? []) as AslObject[];
    if (retriers.length === 0) continue;
    const pauses: number[] = [];
    retriers.forEach((retrier, index) => {
      Object.defineProperty(pauses, index, { enumerable: true, get: () => pauseMs(retrier, failuresInARow(name), scale) });
    });
    overrides[name] = pauses;
  }
  return overrides;
}

function pauseMs(retrier: AslObject, failures: number, scale: number): number {
  const interval = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** Math.max(0, failures - 1);
  const capped = Math.min(interval, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  const jittered = retrier.JitterStrategy === 'FULL' ? Math.random() * capped : capped;
  return Math.max(0, Math.round(jittered * 1000 * Math.max(0, scale)));
}

/** Applies `fn` to every string value (not keys) of a JSON value. */
export function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

/**
 * The interpreter sets `$$.Execution.Input` and `StartTime` to the input and time of each run, and a
 * resumed or redriven execution is a new run that starts at a later state (so are Map iterations).
 * Paths to them are pointed at members the service fills with the execution's own input and start.
 */
export function pointExecutionPaths(definition: AslObject): AslObject {
  return mapStrings(definition, (text) =>
    text.replace(
      /\$\$\.Execution\.(Input|StartTime)(?![\w$])/g,
      (_, member: string) => `$$.Execution.${ORIGINAL_PREFIX}${member}`,
    ),
  ) as AslObject;
}

/** Prefix of the context members `pointExecutionPaths` points at. */
export const ORIGINAL_PREFIX = 'Original';

/**
 * The definition run when an execution continues at `stateName` (a top-level state): same states,
 * another StartAt, and what is left of the execution's timeout.
 */
export function startingAt(definition: AslObject, stateName: string, timeoutSeconds?: number): StateMachine {
  const derived: AslObject = { ...definition, StartAt: stateName };
  if (timeoutSeconds !== undefined) derived.TimeoutSeconds = Math.max(0, timeoutSeconds);
  // The definition it derives from was validated when it was registered.
  return new StateMachine(derived as never, { validationOptions: { noValidate: true } });
}

/** Names of the states that run inside a Map's iterations (several instances at once). */
export function statesInMaps(definition: AslObject): Set<string> {
  const names = new Set<string>();
  for (const { state } of allStates(definition)) {
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) for (const nested of allStates(processor)) names.add(nested.name);
  }
  return names;
}

/** Definitions already validated: validation compiles JSON schemas (a few hundred ms), running takes a few. */
const validated = new Set<string>();

/** The interpreter for a definition, validated once per distinct definition. */
export function interpreterFor(definition: object): StateMachine {
  const key = JSON.stringify(definition);
  // The constructor validates with asl-validator, which annotates the object it checks: give it a copy.
  const interpreter = new StateMachine(JSON.parse(key), { validationOptions: { noValidate: validated.has(key) } });
  validated.add(key);
  return interpreter;
}
