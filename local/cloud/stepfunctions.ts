import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { type AwsJsonService, AwsServiceError } from './aws-json-server';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './constants';
import type { AslObject } from './sfn/definition';
import { adaptTimeouts, allStates, interpreterFor, loadDefinition, pointExecutionPaths, statesInMaps } from './sfn/definition';
import { childDefinition, lowerDistributedMaps } from './sfn/distributed-map';
import { appendEvent, shownEvent } from './sfn/history';
import { childMachineArn, MapRuns } from './sfn/map-runs';
import { type Page, page, withoutData } from './sfn/paging';
import { assertRedrivable, markRedriven, redriveStatus, repeatsLatestRedrive } from './sfn/redrive';
import { continuePoint, endedInHistory, waitEnds } from './sfn/resume';
import { type Continuation, deferred, type RegisteredMachine, type RunningExecution, runExecution } from './sfn/runner';
import { statusChangeEntry } from './sfn/status-events';
import { ExecutionStore, type StoredExecution } from './sfn/store';
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
  TaskHandler,
} from './sfn/types';

export type * from './sfn/types';

export interface LocalStepFunctionsOptions {
  region?: string;
  accountId?: string;
  /** Scale of Retry pauses: 1 (default) keeps the ASL's timing; below 1, backoff and jitter scaled (see `scaledRetryPauses`). */
  retryScale?: number;
  /**
   * Folder where executions are written as they run; on start, the ones that were running continue
   * where they were. Memory only when omitted (and stop() then aborts running executions).
   */
  dataDir?: string;
  /** The local bus: `events:putEvents` tasks, and status-change events (on the default bus). */
  putEvents?: PutEventsFn;
  /** The client `dynamodb:*Item` tasks use; by default one configured from the environment. */
  dynamo?: () => DynamoDBClient;
  /** The client Distributed Map ItemReader / ResultWriter use; by default one configured from the environment. */
  s3?: () => S3Client;
  log?: LocalLogger;
}

/** Execution names: 1-80 characters, none of the ones AWS refuses (whitespace, brackets, wildcards, punctuation, controls). */
function isValidName(name: string): boolean {
  const controls = [...name].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
  return name.length >= 1 && name.length <= 80 && !controls && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(name);
}

/**
 * Step Functions on one machine: runs the deployed ASL with aws-local-stepfunctions, answers the SFN
 * API calls the functions make, and brokers task tokens. Executions run in the background; with a
 * data folder they are written as they run and continue after a restart. RedriveExecution and the
 * `Step Functions Execution Status Change` events behave as on AWS.
 */
export class LocalStepFunctions {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, RunningExecution>();
  private readonly tokens = new TaskTokenBroker();
  private readonly runtime: TaskRuntime & { region: string };
  private readonly store?: ExecutionStore;
  /** Executions that were running when the service last stopped, until their state machine is registered. */
  private readonly interrupted = new Map<string, StoredExecution>();
  private dynamoClient?: DynamoDBClient;
  private s3Client?: S3Client;
  private readonly mapRuns: MapRuns;
  private stopping = false;

  constructor(private readonly options: LocalStepFunctionsOptions = {}) {
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.store = options.dataDir ? new ExecutionStore(options.dataDir) : undefined;
    for (const stored of this.store?.loadAll() ?? []) {
      this.executions.set(stored.record.executionArn, stored.record);
      if (stored.record.status === 'RUNNING') this.interrupted.set(stored.record.executionArn, stored);
    }
    this.runtime = {
      region: this.region,
      tokens: this.tokens,
      putEvents: options.putEvents,
      dynamo: options.dynamo ?? (() => this.localDynamo()),
      startExecution: (input) => this.startExecution(input),
      waitForExecution: (arn) => this.waitForExecution(arn),
      distributedMap: (request) => this.runMap(request),
    };
    this.mapRuns = new MapRuns(
      {
        region: this.region,
        accountId: this.accountId,
        s3: options.s3 ?? (() => this.localS3()),
        record: (arn) => this.executions.get(arn),
        startExecution: (i) => this.startExecution(i),
        redriveExecution: (i) => this.redriveExecution(i),
        stopExecution: (i) => this.stopExecution(i),
        waitForExecution: (arn) => this.waitForExecution(arn),
        describeExecution: (i) => this.describeExecution(i),
        event: (record, type, details) => {
          if (this.stopping) return;
          const event = appendEvent(record, type, new Date(), details);
          this.store?.event(record, event);
        },
        active: () => !this.stopping,
      },
      options.dataDir,
    );
  }

  /** The client ItemReader and ResultWriter use when none was given (checksums only when required, as s3rver needs). */
  private localS3(): S3Client {
    this.s3Client ??= new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    return this.s3Client;
  }

  /** A Distributed Map state entered by an execution: its Map Run. */
  private runMap(request: { executionArn: string; stateName: string; input: unknown; isRunning: () => boolean }) {
    const parent = this.executions.get(request.executionArn)!;
    const machine = this.machines.get(parent.stateMachineArn)!;
    const state = machine.distributedMaps.get(request.stateName)!;
    return this.mapRuns.run({
      parent,
      parentMachine: machine,
      stateName: request.stateName,
      state,
      input: request.input,
      isRunning: request.isRunning,
    });
  }

  /** The client `dynamodb:*Item` tasks use when none was given, made once. */
  private localDynamo(): DynamoDBClient {
    this.dynamoClient ??= new DynamoDBClient({});
    return this.dynamoClient;
  }

  /**
   * Registers (or replaces) a state machine; returns its ARN. Its executions that were running when
   * the service last stopped continue from where they were on the next turn of the event loop (so
   * whoever registers it can finish setting up first, event rules included).
   */
  registerStateMachine(registration: StateMachineRegistration): string {
    const substituted = loadDefinition(registration, registration.substitutions);
    return this.register(registration.name, substituted, registration.taskHandlers ?? {});
  }

  /** Registers a substituted definition, and the child state machines of its Distributed Map states. */
  private register(name: string, substituted: AslObject, handlers: Record<string, TaskHandler>): string {
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    const lowered = lowerDistributedMaps(substituted);
    // Children first: their interrupted executions continue before the parent looks for them.
    for (const [stateName, map] of lowered.maps) {
      const label = String(map.Label ?? stateName);
      const childArn = childMachineArn(arn, label);
      this.register(childArn.slice(childArn.indexOf(':stateMachine:') + ':stateMachine:'.length), childDefinition(map), handlers);
    }
    const definition = pointExecutionPaths(adaptTimeouts(lowered.definition));
    const states = allStates(definition);
    const machine: RegisteredMachine = {
      arn,
      name,
      definitionText: JSON.stringify(substituted, null, 2),
      definition,
      interpreter: interpreterFor(definition),
      states,
      stateMap: new Map(states.map(({ name, state }) => [name, state])),
      inMaps: statesInMaps(definition),
      handlers,
      distributedMaps: lowered.maps,
      retryScale: this.options.retryScale ?? 1,
      creationDate: new Date(),
    };
    this.machines.set(arn, machine);
    for (const stored of [...this.interrupted.values()]) {
      if (stored.record.stateMachineArn !== arn) continue;
      this.interrupted.delete(stored.record.executionArn);
      this.continueInterrupted(machine, stored);
    }
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
      redriveCount: 0,
    };
    this.executions.set(executionArn, record);
    this.store?.started(record);
    this.announce(record);
    this.launch(machine, record);
    return { executionArn, startDate: record.startDate };
  }

  /**
   * RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution (stopped less than 14 days ago) runs
   * again under the same ARN from the top-level state that did not succeed, with that state's input;
   * the states before it are not run again. The latest redrive's client token, repeated within 15
   * minutes, answers that redrive.
   */
  redriveExecution(input: { executionArn: string; clientToken?: string }): { redriveDate: Date } {
    const record = this.find(input.executionArn);
    if (repeatsLatestRedrive(record, input.clientToken)) return { redriveDate: record.redriveDate! };
    assertRedrivable(record);
    const machine = this.machines.get(record.stateMachineArn);
    if (!machine) throw new AwsServiceError('ExecutionNotRedrivable', 'The state machine is not registered');
    const from = continuePoint(record.history, machine.definition, record);
    const event = markRedriven(record, input.clientToken);
    this.store?.redriven(record, input.clientToken);
    this.store?.event(record, event);
    this.options.log?.('execution redriven', { executionArn: record.executionArn, from: from.stateName });
    this.announce(record);
    this.launch(machine, record, { ...from, waits: new Map(), redrive: true });
    return { redriveDate: record.redriveDate! };
  }

  /** DescribeExecution. */
  describeExecution(input: { executionArn: string }): ExecutionDescription {
    const found = this.find(input.executionArn);
    const redrive = redriveStatus(found);
    const { history: _, stateTransitions: __, redriveToken: ___, ...record } = found;
    const mapRunArn = this.mapRuns.mapRunOf(found.executionArn);
    return {
      ...record,
      ...(mapRunArn ? { mapRunArn } : {}),
      inputDetails: { included: true },
      outputDetails: record.output === undefined ? undefined : { included: true },
      redriveStatus: redrive.status,
      redriveStatusReason: redrive.reason,
    };
  }

  /** GetExecutionHistory, with reverseOrder, includeExecutionData and simple paging. */
  getExecutionHistory(input: { executionArn: string; reverseOrder?: boolean; includeExecutionData?: boolean } & Page): {
    events: HistoryEvent[];
    nextToken?: string;
  } {
    let events = this.find(input.executionArn).history.map(shownEvent);
    if (input.reverseOrder) events.reverse();
    if (input.includeExecutionData === false) events = events.map(withoutData);
    const { items, nextToken } = page(events, input);
    return { events: items, nextToken };
  }

  /** ListExecutions of one state machine, newest first; `redriveFilter` keeps the redriven (or the never redriven) ones. */
  listExecutions(
    input: {
      stateMachineArn?: string;
      mapRunArn?: string;
      statusFilter?: ExecutionStatus;
      redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN';
    } & Page,
  ) {
    const itemCounts = new Map(
      input.mapRunArn ? this.mapRuns.executionsOf(input.mapRunArn).map((c) => [c.executionArn, c.itemCount]) : [],
    );
    const all = input.mapRunArn
      ? [...itemCounts.keys()].map((arn) => this.executions.get(arn)!)
      : [...this.executions.values()].filter((e) => e.stateMachineArn === input.stateMachineArn);
    if (!input.mapRunArn && !this.machines.has(input.stateMachineArn ?? '') && all.length === 0) {
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
    }
    const matching = all
      .filter((e) => !input.statusFilter || e.status === input.statusFilter)
      .filter((e) => !input.redriveFilter || e.redriveCount > 0 === (input.redriveFilter === 'REDRIVEN'))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate, redriveCount, redriveDate }) => ({
        ...(input.mapRunArn ? { mapRunArn: input.mapRunArn, itemCount: itemCounts.get(executionArn) } : {}),
        executionArn,
        stateMachineArn,
        name,
        status,
        startDate,
        stopDate,
        redriveCount,
        redriveDate,
      }));
    const { items: executions, nextToken } = page(matching, input);
    return { executions, nextToken };
  }

  /** DescribeMapRun: status, counts of items and child executions, thresholds. */
  describeMapRun(input: { mapRunArn: string }) {
    return this.mapRuns.describe(input);
  }

  /** ListMapRuns of one execution, newest first. */
  listMapRuns(input: { executionArn: string } & Page) {
    this.find(input.executionArn);
    const { items: mapRuns, nextToken } = page(this.mapRuns.list(input).mapRuns, input);
    return { mapRuns, nextToken };
  }

  /** UpdateMapRun: MaxConcurrency and tolerated failures of a Map Run in progress. */
  updateMapRun(input: {
    mapRunArn: string;
    maxConcurrency?: number;
    toleratedFailurePercentage?: number;
    toleratedFailureCount?: number;
  }) {
    return this.mapRuns.update(input);
  }

  /** StopExecution: the execution ends ABORTED with the given error and cause. */
  async stopExecution(input: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: Date }> {
    const record = this.find(input.executionArn);
    const execution = this.running.get(input.executionArn);
    if (execution) {
      await this.mapRuns.abortFor(input.executionArn);
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
    // A Distributed Map's child state machine (`<machine>/<label>`) is not listed, as on AWS.
    const stateMachines = [...this.machines.values()]
      .filter((m) => !m.name.includes('/'))
      .map((m) => ({
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

  /** State transitions of every execution so far, Map Run child executions included: what the account is billed for. */
  totalStateTransitions(): number {
    let total = 0;
    for (const record of this.executions.values()) total += record.stateTransitions;
    return total;
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
      RedriveExecution: (i) => this.redriveExecution(i),
      SendTaskSuccess: (i) => this.sendTaskSuccess(i),
      SendTaskFailure: (i) => this.sendTaskFailure(i),
      SendTaskHeartbeat: (i) => this.sendTaskHeartbeat(i),
      DescribeStateMachine: (i) => this.describeStateMachine(i),
      ListStateMachines: () => this.listStateMachines(),
      DescribeMapRun: (i) => this.describeMapRun(i),
      ListMapRuns: (i) => this.listMapRuns(i),
      UpdateMapRun: (i) => this.updateMapRun(i),
    };
  }

  /**
   * Stops the service and releases the SDK client. With a data folder, running executions stay RUNNING
   * in the store and continue on the next start (calls in flight are abandoned, as in a crash, and the
   * state they were in runs again); in memory only, they are stopped (ABORTED).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const executions = [...this.running.values()];
    for (const execution of executions) {
      if (this.store) execution.release();
      else execution.stop('States.Runtime', 'The local Step Functions service stopped');
    }
    await Promise.all(executions.map((e) => e.done));
    this.running.clear();
    this.dynamoClient?.destroy();
    this.dynamoClient = undefined;
    this.s3Client?.destroy();
    this.s3Client = undefined;
  }

  /** Runs an execution in the background, from its start or from `from`, and records its end. */
  private launch(machine: RegisteredMachine, record: ExecutionRecord, from?: Continuation): RunningExecution {
    const execution = runExecution(
      machine,
      record,
      this.runtime,
      {
        event: (event) => this.store?.event(record, event),
        waiting: (wait) => this.store?.waiting(record, wait),
        settled: (token) => this.store?.settled(record, token),
        finished: (finished) => {
          if (this.running.get(finished.executionArn) === execution) this.running.delete(finished.executionArn);
          this.options.log?.('execution finished', {
            executionArn: finished.executionArn,
            status: finished.status,
            error: finished.error,
          });
          this.store?.ended(finished);
          this.announce(finished);
        },
      },
      from,
    );
    this.running.set(record.executionArn, execution);
    return execution;
  }

  /**
   * An execution that was running when the service stopped: it continues in the state it was in, with
   * that state's input, the same task tokens and what was left of its waits. It starts on the next turn
   * of the event loop, once whoever registers the state machine has finished setting up.
   */
  private continueInterrupted(machine: RegisteredMachine, { record, waits }: StoredExecution): void {
    const execution = deferred(() => {
      const ended = endedInHistory(record.history, machine.definition);
      if (ended) {
        // The crash came between the history's last event and the status: only the status is missing.
        const { succeededEvent, ...outcome } = ended;
        if (succeededEvent) {
          const details = { output: ended.output ?? 'null', outputDetails: { truncated: false } };
          this.store?.event(
            record,
            appendEvent(record, 'ExecutionSucceeded', ended.stopDate, { executionSucceededEventDetails: details }),
          );
        }
        Object.assign(record, outcome);
        this.running.delete(record.executionArn);
        this.store?.ended(record);
        this.announce(record);
        return undefined;
      }
      const from = continuePoint(record.history, machine.definition, record);
      const state = machine.stateMap.get(from.stateName);
      this.options.log?.('execution continues', { executionArn: record.executionArn, state: from.stateName });
      return this.launch(machine, record, {
        ...from,
        waits,
        waitEnds: state?.Type === 'Wait' ? waitEnds(state, from.input, from.enteredAt) : undefined,
      });
    });
    this.running.set(record.executionArn, execution);
  }

  /** Puts the execution's status-change event on the local bus (best effort, as on AWS). */
  private announce(record: ExecutionRecord): void {
    if (!this.options.putEvents) return;
    const failed = (error: unknown) => this.options.log?.('status-change event not delivered', { error: String(error) });
    try {
      void Promise.resolve(this.options.putEvents({ Entries: [statusChangeEntry(record)] })).catch(failed);
    } catch (error) {
      failed(error);
    }
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
