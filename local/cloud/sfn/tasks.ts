import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type AslObject, MAX_TIMER_SECONDS, mapStrings, type StateEntry } from './definition';
import { DISTRIBUTED_MAP_RESOURCE } from './distributed-map';
import { valueAt } from './resume';
import type { StoredWait } from './store';
import { type TaskTokenBroker, timeoutError } from './task-tokens';
import type { ExecutionDescription, PutEventsFn, TaskHandler } from './types';

/**
 * What Task states do locally. Every Task gets an override, so the interpreter never calls AWS:
 * `lambda:invoke` (and plain Lambda ARNs) run the in-process handler, `events:putEvents` goes to the
 * local bus, `dynamodb:*Item` to the local table, `states:startExecution` to this service; each of them
 * with `.waitForTaskToken`, and `states:startExecution` with `.sync` / `.sync:2`.
 */

/** Stands in for `$$.Task.Token`; replaced by a fresh token in a `.waitForTaskToken` task's parameters. */
export const TASK_TOKEN_PLACEHOLDER = '__local_sfn_task_token__';

/** The services Task states reach. */
export interface TaskRuntime {
  tokens: TaskTokenBroker;
  putEvents?: PutEventsFn;
  dynamo: () => DynamoDBClient;
  startExecution: (input: { stateMachineArn: string; name?: string; input?: string }) => {
    executionArn: string;
    startDate: Date;
  };
  waitForExecution: (executionArn: string) => Promise<ExecutionDescription>;
  /** A Distributed Map state of the execution: its Map Run, resolving with the state's result. */
  distributedMap?: (request: {
    executionArn: string;
    stateName: string;
    input: unknown;
    isRunning: () => boolean;
  }) => Promise<unknown>;
}

/** One attempt of one Task state, as the history shows it. */
export interface TaskAttempt {
  parameters?: unknown;
  output?: unknown;
  /** The task token a `.waitForTaskToken` attempt waits on. */
  token?: string;
  /** Set once the history has shown how the attempt ended. */
  reported?: boolean;
}

/** The execution a set of overrides serves. */
export interface ExecutionScope {
  executionArn: string;
  /** Epoch ms the execution started (or was redriven): task handlers may order work by it. */
  startedAt: number;
  handlers: Record<string, TaskHandler>;
  isRunning: () => boolean;
  /** Records the start of an attempt; the history pairs it with the interpreter's events. */
  attempt: (stateName: string) => TaskAttempt;
  /** Records that an attempt of the state succeeded (ends its run of failures, for retry backoff). */
  succeeded: (stateName: string) => void;
  /** A task token the state waited on before a restart, handed out once (then its waits are new). */
  resumedWait?: (stateName: string) => StoredWait | undefined;
  /** Keeps a new wait, so that a restart can wait on the same token again. */
  waiting?: (wait: StoredWait) => void;
}

type Override = (input: unknown) => Promise<unknown>;

/** An error the interpreter neither retries nor catches: the execution ends with it. */
export function fatalError(message: string): Error {
  const error = new Error(message);
  error.name = 'States.Runtime';
  return Object.assign(error, { isRetryable: false, isCatchable: false });
}

/** The `taskResourceLocalHandlers` for every Task state of a definition. */
export function taskOverrides(states: StateEntry[], runtime: TaskRuntime, scope: ExecutionScope): Record<string, Override> {
  const overrides: Record<string, Override> = {};
  for (const { name, state } of states) {
    if (state.Type !== 'Task') continue;
    if (state.Resource === DISTRIBUTED_MAP_RESOURCE) {
      overrides[name] = async (input) => {
        if (!scope.isRunning()) throw fatalError('Execution is no longer running');
        if (!runtime.distributedMap) throw fatalError('Distributed Map is not supported here');
        return runtime.distributedMap({ executionArn: scope.executionArn, stateName: name, input, isRunning: scope.isRunning });
      };
      continue;
    }
    overrides[name] = (input) => {
      const task = (async () => {
        if (!scope.isRunning()) throw fatalError('Execution is no longer running');
        const attempt = scope.attempt(name);
        attempt.parameters = input;
        const output = await runTask(name, state, input, attempt, runtime, scope);
        attempt.output = output;
        scope.succeeded(name);
        return output;
      })();
      // The interpreter races a task against its timeout and an abort; a task that settles after the
      // race is decided has nobody listening, which must not count as an unhandled rejection.
      task.catch(() => undefined);
      return task;
    };
  }
  return overrides;
}

async function runTask(
  name: string,
  state: AslObject,
  input: unknown,
  attempt: TaskAttempt,
  runtime: TaskRuntime,
  scope: ExecutionScope,
): Promise<unknown> {
  const resource = String(state.Resource);
  const legacyLambda = /^arn:aws[\w-]*:lambda:/.test(resource);
  const match = /^arn:aws[\w-]*:states:::(\w+):(\w+)(?:\.(waitForTaskToken|sync:2|sync))?$/.exec(resource);
  if (!legacyLambda && !match) throw fatalError(`Task resource ${resource} (state ${name}) is not supported locally`);
  const [, service, action, pattern] = match ?? [];
  const call = (params: AslObject) =>
    legacyLambda ? invokeLambda(scope, resource, params) : integration(`${service}:${action}`, params, pattern, runtime, scope);
  if (pattern !== 'waitForTaskToken') return call(input as AslObject);

  const { token, promise } = waitFor(name, state, input, runtime, scope);
  if (!token) return promise;
  const params = mapStrings(input, (text) => text.replaceAll(TASK_TOKEN_PLACEHOLDER, token)) as AslObject;
  attempt.parameters = params;
  attempt.token = token;
  try {
    // Also after a restart: the functions a wait starts are idempotent (they store the token and check
    // whether what the wait is for has already arrived), so calling again with the same token is safe,
    // and it covers a crash between the token's minting and the function storing it.
    await call(params);
  } catch (error) {
    runtime.tokens.discard(token);
    throw error;
  }
  return promise;
}

/** The token a `.waitForTaskToken` task waits on: a new one, or the one it waited on before a restart. */
function waitFor(
  name: string,
  state: AslObject,
  params: unknown,
  runtime: TaskRuntime,
  scope: ExecutionScope,
): { token?: string; promise: Promise<unknown> } {
  const previous = scope.resumedWait?.(name);
  if (previous) {
    const deadline = previous.startedAt + previous.timeoutSeconds * 1000;
    // Its time ran out while the service was down: it times out now, without calling anyone.
    if (deadline <= Date.now()) return { promise: Promise.reject(timeoutError()) };
    return { token: previous.token, promise: runtime.tokens.restore(scope.executionArn, name, previous.token, deadline) };
  }
  const timeoutSeconds = timeoutOf(state, params);
  const minted = runtime.tokens.mint(scope.executionArn, name, timeoutSeconds);
  scope.waiting?.({ stateName: name, token: minted.token, startedAt: Date.now(), timeoutSeconds });
  return minted;
}

/** A task's timeout: TimeoutSeconds, or TimeoutSecondsPath read from its parameters (see `adaptTimeouts`). */
function timeoutOf(state: AslObject, params: unknown): number {
  if (typeof state.TimeoutSeconds === 'number') return state.TimeoutSeconds;
  const value = typeof state.TimeoutSecondsPath === 'string' ? valueAt(params, state.TimeoutSecondsPath) : undefined;
  return typeof value === 'number' && value > 0 ? Math.min(value, MAX_TIMER_SECONDS) : MAX_TIMER_SECONDS;
}

async function integration(
  resource: string,
  params: AslObject,
  pattern: string | undefined,
  runtime: TaskRuntime,
  scope: ExecutionScope,
): Promise<unknown> {
  switch (resource) {
    case 'lambda:invoke': {
      const payload = await invokeLambda(scope, String(params.FunctionName ?? ''), params.Payload ?? {});
      return {
        ExecutedVersion: '$LATEST',
        Payload: payload,
        SdkHttpMetadata: { HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: randomUUID() },
        StatusCode: 200,
      };
    }
    case 'events:putEvents':
      return putEvents(params, runtime, scope.executionArn);
    case 'dynamodb:putItem':
    case 'dynamodb:getItem':
    case 'dynamodb:updateItem':
    case 'dynamodb:deleteItem':
      return dynamoItem(resource, params, runtime);
    case 'states:startExecution':
      return startExecution(params, pattern, runtime);
    default:
      throw fatalError(`Task resource arn:aws:states:::${resource} is not supported locally`);
  }
}

/** Runs an in-process handler the way Lambda would: JSON in, JSON out, errors reported by their name. */
async function invokeLambda(scope: ExecutionScope, functionName: string, payload: unknown): Promise<unknown> {
  const { handlers } = scope;
  const handler =
    handlers[functionName] ?? Object.entries(handlers).find(([key]) => baseName(key) === baseName(functionName))?.[1];
  if (!handler) {
    const error = new Error(`Function not found: ${functionName} (no in-process handler registered)`);
    error.name = 'Lambda.ResourceNotFoundException';
    throw error;
  }
  let result: unknown;
  try {
    result = await handler(JSON.parse(JSON.stringify(payload)), {
      executionArn: scope.executionArn,
      executionStartedAt: scope.startedAt,
    });
  } catch (thrown) {
    throw lambdaError(thrown);
  }
  return result === undefined ? null : JSON.parse(JSON.stringify(result));
}

/** A function's name from its name, partial or full ARN (with or without a qualifier). */
function baseName(functionName: string): string {
  const arn = /:function:([^:]+)/.exec(functionName);
  return arn ? arn[1]! : functionName.split(':')[0]!;
}

/**
 * The error a failed invocation raises in the state machine: named after the runtime's `errorType`
 * (what `Retry`/`Catch` match), with the runtime's JSON error document as its cause, as on AWS.
 */
function lambdaError(thrown: unknown): Error {
  const errorType = thrown instanceof Error ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  const trace = thrown instanceof Error ? (thrown.stack ?? '').split('\n') : [];
  const error = new Error(JSON.stringify({ errorType, errorMessage, trace }));
  error.name = errorType;
  return error;
}

async function putEvents(params: AslObject, runtime: TaskRuntime, executionArn: string): Promise<unknown> {
  if (!runtime.putEvents) throw fatalError('events:putEvents needs the local EventBridge');
  const entries = ((params.Entries ?? []) as AslObject[]).map((entry) => ({
    ...entry,
    // The integration accepts Detail as JSON and serialises it; it also names the execution as a resource.
    Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail ?? {}),
    Resources: [...((entry.Resources as string[] | undefined) ?? []), executionArn],
  }));
  const result = await runtime.putEvents({ Entries: entries });
  if (result.FailedEntryCount > 0) {
    const error = new Error(JSON.stringify(result));
    error.name = 'EventBridge.FailedEntry';
    throw error;
  }
  return result;
}

const dynamoCommands = {
  'dynamodb:putItem': PutItemCommand,
  'dynamodb:getItem': GetItemCommand,
  'dynamodb:updateItem': UpdateItemCommand,
  'dynamodb:deleteItem': DeleteItemCommand,
} as const;

async function dynamoItem(resource: keyof typeof dynamoCommands, params: AslObject, runtime: TaskRuntime): Promise<unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: the parameters are the API's own request shape.
  const Command = dynamoCommands[resource] as new (input: any) => PutItemCommand;
  try {
    const { $metadata: _, ...output } = await runtime.dynamo().send(new Command(params));
    return output;
  } catch (thrown) {
    const error = new Error((thrown as Error).message);
    error.name = `DynamoDB.${(thrown as Error).name}`;
    throw error;
  }
}

async function startExecution(params: AslObject, pattern: string | undefined, runtime: TaskRuntime): Promise<unknown> {
  const input = typeof params.Input === 'string' ? params.Input : JSON.stringify(params.Input ?? {});
  const started = runtime.startExecution({ stateMachineArn: String(params.StateMachineArn), name: params.Name, input });
  if (pattern !== 'sync' && pattern !== 'sync:2') {
    return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() };
  }
  const done = await runtime.waitForExecution(started.executionArn);
  const summary = {
    ExecutionArn: done.executionArn,
    Input: pattern === 'sync:2' ? JSON.parse(done.input) : done.input,
    Name: done.name,
    Output: pattern === 'sync:2' && done.output !== undefined ? JSON.parse(done.output) : done.output,
    StartDate: done.startDate.getTime(),
    StateMachineArn: done.stateMachineArn,
    Status: done.status,
    StopDate: done.stopDate?.getTime(),
  };
  if (done.status !== 'SUCCEEDED') {
    const error = new Error(JSON.stringify({ ...summary, Error: done.error, Cause: done.cause }));
    error.name = 'States.TaskFailed';
    throw error;
  }
  return summary;
}
