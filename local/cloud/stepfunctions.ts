import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AwsJsonService, AwsServiceError } from './aws-json-server';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './constants';
import { adaptTimeouts, allStates, interpreterFor, loadDefinition } from './sfn/definition';
import { type Page, page, withoutData } from './sfn/paging';
import { type RegisteredMachine, type RunningExecution, runExecution } from './sfn/runner';
import { loadExecutions, saveExecution } from './sfn/store';
import { TaskTokenBroker } from './sfn/task-tokens';
import type { TaskRuntime } from './sfn/tasks';
import type {
  ExecutionDescription,
  ExecutionRecord,
  ExecutionStatus,
  HistoryEvent,
  LocalLogger,
  PutEventsFn,
  StateMachineRegistration,
} from './sfn/types';

export type * from './sfn/types';

export interface LocalStepFunctionsOptions {
  region?: string;
  accountId?: string;
  /** Scale of Retry pauses: 1 (default) keeps the ASL's timing; below 1, backoff and jitter scaled (see `scaledRetryPauses`). */
  retryScale?: number;
  /** Folder where finished executions are kept between restarts; memory only when omitted. */
  dataDir?: string;
  /** The local bus, for `events:putEvents` tasks. */
  putEvents?: PutEventsFn;
  /** The client `dynamodb:*Item` tasks use; by default one configured from the environment. */
  dynamo?: () => DynamoDBClient;
  log?: LocalLogger;
}

/** Execution names: 1-80 characters, none of the ones AWS refuses (whitespace, brackets, wildcards, punctuation, controls). */
function isValidName(name: string): boolean {
  const controls = [...name].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
  return name.length >= 1 && name.length <= 80 && !controls && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(name);
}

/**
 * Step Functions on one machine: runs the deployed ASL with aws-local-stepfunctions, answers the SFN
 * API calls the functions make, and brokers task tokens. Executions run in the background.
 */
export class LocalStepFunctions {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, RunningExecution>();
  private readonly tokens = new TaskTokenBroker();
  private readonly runtime: TaskRuntime & { region: string };
  private readonly storeFile?: string;
  private dynamoClient?: DynamoDBClient;

  constructor(private readonly options: LocalStepFunctionsOptions = {}) {
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.storeFile = options.dataDir ? join(options.dataDir, 'executions.jsonl') : undefined;
    for (const record of this.storeFile ? loadExecutions(this.storeFile) : []) this.executions.set(record.executionArn, record);
    this.runtime = {
      region: this.region,
      tokens: this.tokens,
      putEvents: options.putEvents,
      dynamo: options.dynamo ?? (() => this.localDynamo()),
      startExecution: (input) => this.startExecution(input),
      waitForExecution: (arn) => this.waitForExecution(arn),
    };
  }

  /** The client `dynamodb:*Item` tasks use when none was given, made once. */
  private localDynamo(): DynamoDBClient {
    this.dynamoClient ??= new DynamoDBClient({});
    return this.dynamoClient;
  }

  /** Registers (or replaces) a state machine; returns its ARN. */
  registerStateMachine(registration: StateMachineRegistration): string {
    const substituted = loadDefinition(registration, registration.substitutions);
    const definition = adaptTimeouts(substituted);
    const states = allStates(definition);
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${registration.name}`;
    this.machines.set(arn, {
      arn,
      name: registration.name,
      definitionText: JSON.stringify(substituted, null, 2),
      interpreter: interpreterFor(definition),
      states,
      stateMap: new Map(states.map(({ name, state }) => [name, state])),
      handlers: registration.taskHandlers ?? {},
      retryScale: this.options.retryScale ?? 1,
      creationDate: new Date(),
    });
    return arn;
  }

  /** StartExecution: idempotent for the same name and input while running, as on AWS. */
  startExecution(input: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date } {
    const machine = this.machines.get(input.stateMachineArn);
    if (!machine)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
    const name = input.name ?? randomUUID();
    if (!isValidName(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const text = input.input ?? '{}';
    try {
      JSON.parse(text);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: input must be valid JSON');
    }
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing?.status === 'RUNNING' && existing.input === text) return { executionArn, startDate: existing.startDate };
    if (existing) throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);

    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      input: text,
      startDate: new Date(),
      history: [],
      stateTransitions: 0,
    };
    this.executions.set(executionArn, record);
    const execution = runExecution(machine, record, this.runtime, (finished) => {
      this.running.delete(executionArn);
      this.options.log?.('execution finished', { executionArn, status: finished.status, error: finished.error });
      if (this.storeFile) saveExecution(this.storeFile, finished);
    });
    this.running.set(executionArn, execution);
    return { executionArn, startDate: record.startDate };
  }

  /** DescribeExecution. */
  describeExecution(input: { executionArn: string }): ExecutionDescription {
    const { history: _, stateTransitions: __, ...record } = this.find(input.executionArn);
    return {
      ...record,
      inputDetails: { included: true },
      outputDetails: record.output === undefined ? undefined : { included: true },
      redriveCount: 0,
    };
  }

  /** GetExecutionHistory, with reverseOrder, includeExecutionData and simple paging. */
  getExecutionHistory(input: { executionArn: string; reverseOrder?: boolean; includeExecutionData?: boolean } & Page): {
    events: HistoryEvent[];
    nextToken?: string;
  } {
    let events = [...this.find(input.executionArn).history];
    if (input.reverseOrder) events.reverse();
    if (input.includeExecutionData === false) events = events.map(withoutData);
    const { items, nextToken } = page(events, input);
    return { events: items, nextToken };
  }

  /** ListExecutions of one state machine, newest first. */
  listExecutions(input: { stateMachineArn: string; statusFilter?: ExecutionStatus } & Page) {
    const all = [...this.executions.values()].filter((e) => e.stateMachineArn === input.stateMachineArn);
    if (!this.machines.has(input.stateMachineArn) && all.length === 0) {
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
    }
    const matching = all
      .filter((e) => !input.statusFilter || e.status === input.statusFilter)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({
        executionArn,
        stateMachineArn,
        name,
        status,
        startDate,
        stopDate,
      }));
    const { items: executions, nextToken } = page(matching, input);
    return { executions, nextToken };
  }

  /** StopExecution: the execution ends ABORTED with the given error and cause. */
  async stopExecution(input: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    const record = this.find(input.executionArn);
    const execution = this.running.get(input.executionArn);
    if (execution) {
      execution.stop(input.error, input.cause);
      await execution.done;
    }
    return { stopDate: record.stopDate ?? new Date() };
  }

  /** SendTaskSuccess: resumes the task waiting on the token with `output` (JSON text). */
  sendTaskSuccess(input: { taskToken: string; output: string }): Record<string, never> {
    this.tokens.succeed(input.taskToken, input.output);
    return {};
  }

  /** SendTaskFailure: fails the waiting task with `error` (what Retry/Catch match) and `cause`. */
  sendTaskFailure(input: { taskToken: string; error?: string; cause?: string }): Record<string, never> {
    this.tokens.fail(input.taskToken, input.error, input.cause);
    return {};
  }

  /** SendTaskHeartbeat: accepted for a waiting token (heartbeat timeouts are not enforced locally). */
  sendTaskHeartbeat(input: { taskToken: string }): Record<string, never> {
    this.tokens.heartbeat(input.taskToken);
    return {};
  }

  /** DescribeStateMachine (the substituted definition). */
  describeStateMachine(input: { stateMachineArn: string }) {
    const machine = this.machines.get(input.stateMachineArn);
    if (!machine)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definitionText,
      roleArn: `arn:aws:iam::${this.accountId}:role/local-stepfunctions`,
      type: 'STANDARD',
      creationDate: machine.creationDate,
    };
  }

  /** ListStateMachines. */
  listStateMachines() {
    const stateMachines = [...this.machines.values()].map((m) => ({
      stateMachineArn: m.arn,
      name: m.name,
      type: 'STANDARD',
      creationDate: m.creationDate,
    }));
    return { stateMachines };
  }

  /** Resolves with the description once the execution has finished (rejects after `timeoutMs` if given). */
  async waitForExecution(executionArn: string, timeoutMs?: number): Promise<ExecutionDescription> {
    this.find(executionArn);
    const execution = this.running.get(executionArn);
    if (execution) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => reject(new Error(`${executionArn} still running after ${timeoutMs} ms`)), timeoutMs);
        }
      });
      try {
        await Promise.race([execution.done, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }
    return this.describeExecution({ executionArn });
  }

  /** State transitions so far: states entered plus retries, nested ones included (the Standard billing unit). */
  stateTransitions(executionArn: string): number {
    return this.find(executionArn).stateTransitions;
  }

  /** Task tokens waiting for SendTaskSuccess / SendTaskFailure, optionally of one execution. */
  pendingTaskTokens(executionArn?: string): Array<{ token: string; executionArn: string; stateName: string }> {
    return this.tokens.pending(executionArn);
  }

  /** The SFN API (target prefix `AWSStepFunctions`) for the JSON-protocol server. */
  apiOperations(): AwsJsonService {
    return {
      StartExecution: (i) => this.startExecution(i),
      DescribeExecution: (i) => this.describeExecution(i),
      GetExecutionHistory: (i) => this.getExecutionHistory(i),
      ListExecutions: (i) => this.listExecutions(i),
      StopExecution: (i) => this.stopExecution(i),
      SendTaskSuccess: (i) => this.sendTaskSuccess(i),
      SendTaskFailure: (i) => this.sendTaskFailure(i),
      SendTaskHeartbeat: (i) => this.sendTaskHeartbeat(i),
      DescribeStateMachine: (i) => this.describeStateMachine(i),
      ListStateMachines: () => this.listStateMachines(),
    };
  }

  /** Stops every running execution (recorded as ABORTED) and releases the SDK client. */
  async stop(): Promise<void> {
    const executions = [...this.running.values()];
    for (const execution of executions) execution.stop('States.Runtime', 'The local Step Functions service stopped');
    await Promise.all(executions.map((e) => e.done));
    this.dynamoClient?.destroy();
    this.dynamoClient = undefined;
  }

  private find(executionArn: string): ExecutionRecord {
    if (!/^arn:aws[\w-]*:states:[^:]*:\d*:execution:[^:]+:[^:]+$/.test(executionArn ?? '')) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    }
    const record = this.executions.get(executionArn);
    if (!record) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }
}
