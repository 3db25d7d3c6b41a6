import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { AwsServiceError } from '../aws-json-server';
import type { AslObject } from './definition';
import { batches, evaluate, type MapContext, numberField, readItems } from './distributed-map';
import { writeResults } from './result-writer';
import type { ExecutionDescription, ExecutionRecord, ExecutionStatus } from './types';

/**
 * Map Runs: a Distributed Map state runs each item (or batch of items) as a child execution of the
 * state machine its ItemProcessor defines, at most MaxConcurrency at once, and fails with
 * States.ExceedToleratedFailureThreshold once more items failed than it tolerates. A Map Run is kept
 * (and written under the data folder) so that DescribeMapRun answers, a restart carries on with the
 * children that had not succeeded, and a redrive of the parent re-runs only the failed children.
 */

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface MapRunRecord {
  mapRunArn: string;
  mapRunId: string;
  executionArn: string;
  stateName: string;
  /** The child state machine's ARN (`<machine>/<label>`). */
  stateMachineArn: string;
  status: MapRunStatus;
  startDate: string;
  stopDate?: string;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  /** Items per child execution, by child index. */
  batchSizes: number[];
  redriveCount: number;
  redriveDate?: string;
  /** The parent's redrive count when the run last (re)started: a redrive of the parent redrives the run once. */
  parentRedriveCount: number;
  resultsWritten: number;
  /** Which thresholds the state sets: only those apply, and with neither one failed item fails the run. */
  tolerates: { percentage: boolean; count: boolean };
  error?: string;
  cause?: string;
}

/** What a Map Run needs of the service. */
export interface MapRunHost {
  region: string;
  accountId: string;
  s3: () => S3Client;
  record: (executionArn: string) => ExecutionRecord | undefined;
  startExecution: (input: { stateMachineArn: string; name: string; input: string }) => unknown;
  redriveExecution: (input: { executionArn: string }) => unknown;
  stopExecution: (input: { executionArn: string; error?: string; cause?: string }) => Promise<unknown>;
  waitForExecution: (executionArn: string) => Promise<ExecutionDescription>;
  describeExecution: (input: { executionArn: string }) => ExecutionDescription;
  /** Adds an event to the parent's history (and its file). */
  event: (record: ExecutionRecord, type: string, details: Record<string, unknown>) => void;
  /** False once the service stops: a released run records nothing more. */
  active: () => boolean;
}

/** One Distributed Map state entered by one execution. */
export interface MapRunRequest {
  parent: ExecutionRecord;
  parentMachine: { arn: string; name: string };
  stateName: string;
  state: AslObject;
  input: unknown;
  /** Whether the parent still runs (not stopped): when it no longer does, no child is started. */
  isRunning: () => boolean;
}

const FINAL: ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

export class MapRuns {
  private readonly runs = new Map<string, MapRunRecord>();
  /** Map Runs this service is running now. */
  private readonly inProgress = new Set<string>();
  /** Each child execution's Map Run. */
  private readonly childRuns = new Map<string, string>();

  constructor(
    private readonly host: MapRunHost,
    private readonly dir?: string,
  ) {
    const folder = dir && join(dir, 'map-runs');
    if (!folder || !existsSync(folder)) return;
    for (const file of readdirSync(folder)) {
      if (!file.endsWith('.json')) continue;
      try {
        this.remember(JSON.parse(readFileSync(join(folder, file), 'utf8')) as MapRunRecord);
      } catch {
        // A file is replaced whole (rename), so a bad one is not ours: skip it.
      }
    }
  }

  /** Runs (or continues, or redrives) the Map Run of a Distributed Map state; resolves with the state's result. */
  async run(request: MapRunRequest): Promise<unknown> {
    const { parent, state, input } = request;
    const context = mapContext(parent, request.parentMachine);
    const items = await readItems(state, input, context, this.host.s3);
    const selected: unknown[] = [];
    for (const [index, value] of items.entries()) {
      const selector = state.ItemSelector ?? state.Parameters;
      const itemContext = { ...context, Map: { Item: { Index: index, Value: value } } };
      selected.push(selector === undefined ? value : await evaluate(selector, input, itemContext));
    }
    const batcher = state.ItemBatcher as AslObject | undefined;
    const childInputs = batcher
      ? batches(
          selected,
          await numberField(batcher, 'MaxItemsPerBatch', input, context),
          await numberField(batcher, 'MaxInputBytesPerBatch', input, context),
          batcher.BatchInput === undefined ? undefined : await evaluate(batcher.BatchInput, input, context),
        )
      : selected;
    const batchSizes = batcher ? (childInputs as Array<{ Items: unknown[] }>).map((b) => b.Items.length) : selected.map(() => 1);

    await new Promise((resolve) => setImmediate(resolve)); // MapStateEntered is written first.
    const run = await this.open(request, batchSizes, context);
    const outcome = await this.execute(run, request, childInputs).finally(() => this.inProgress.delete(run.mapRunArn));
    if (!this.host.active()) return new Promise(() => undefined); // Released: the next start carries on.
    if (run.status === 'ABORTED') throw Object.assign(new Error('The execution was stopped'), { name: 'States.Runtime' });
    let results: Awaited<ReturnType<typeof writeResults>> | undefined;
    try {
      results = state.ResultWriter
        ? await writeResults(state.ResultWriter as AslObject, input, context, run, this.children(run), this.host.s3)
        : undefined;
    } catch (error) {
      // The results could not be written: the run fails with the error AWS reports for it.
      outcome.failed = { error: 'States.ResultWriterFailed', cause: (error as Error).message };
    }
    if (results) run.resultsWritten = results.written;
    Object.assign(run, { status: outcome.failed ? 'FAILED' : 'SUCCEEDED', stopDate: new Date().toISOString() });
    if (outcome.failed) Object.assign(run, outcome.failed);
    this.save(run);
    if (outcome.failed) {
      this.host.event(parent, 'MapRunFailed', { mapRunFailedEventDetails: outcome.failed });
      throw Object.assign(new Error(outcome.failed.cause), { name: outcome.failed.error });
    }
    this.host.event(parent, 'MapRunSucceeded', {});
    return results ? { ResultWriterDetails: results.details } : outcome.outputs;
  }

  /** The Map Run to use: the one a restart or a redrive continues, else a new one. */
  private async open(request: MapRunRequest, batchSizes: number[], context: MapContext) {
    const { parent, stateName, state, input } = request;
    const previous = [...this.runs.values()]
      .filter((r) => r.executionArn === parent.executionArn && r.stateName === stateName)
      .sort((a, b) => b.startDate.localeCompare(a.startDate))[0];
    // RUNNING and not in progress here: the service stopped while it ran (in progress: the same state
    // entered again at once, in another iteration of an enclosing inline Map or Parallel).
    if (previous?.status === 'RUNNING' && !this.inProgress.has(previous.mapRunArn)) {
      this.inProgress.add(previous.mapRunArn);
      return previous;
    }
    if (previous && previous.status !== 'SUCCEEDED' && parent.redriveCount > previous.parentRedriveCount) {
      const redriveDate = new Date().toISOString();
      Object.assign(previous, { status: 'RUNNING', redriveCount: previous.redriveCount + 1, redriveDate });
      Object.assign(previous, { parentRedriveCount: parent.redriveCount, batchSizes });
      for (const key of ['stopDate', 'error', 'cause'] as const) delete previous[key];
      this.save(previous);
      this.host.event(parent, 'MapRunRedriven', {
        mapRunRedrivenEventDetails: { mapRunArn: previous.mapRunArn, redriveCount: previous.redriveCount },
      });
      this.inProgress.add(previous.mapRunArn);
      return previous;
    }
    const mapRunId = randomUUID();
    const label = `${request.parentMachine.name}/${state.Label ?? stateName}`;
    const run: MapRunRecord = {
      mapRunArn: `arn:aws:states:${this.host.region}:${this.host.accountId}:mapRun:${label}:${mapRunId}`,
      mapRunId,
      executionArn: parent.executionArn,
      stateName,
      stateMachineArn: childMachineArn(request.parentMachine.arn, state.Label ?? stateName),
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      maxConcurrency: (await numberField(state, 'MaxConcurrency', input, context)) ?? 0,
      toleratedFailurePercentage: (await numberField(state, 'ToleratedFailurePercentage', input, context)) ?? 0,
      toleratedFailureCount: (await numberField(state, 'ToleratedFailureCount', input, context)) ?? 0,
      batchSizes,
      redriveCount: 0,
      parentRedriveCount: parent.redriveCount,
      resultsWritten: 0,
      tolerates: {
        percentage: 'ToleratedFailurePercentage' in state || 'ToleratedFailurePercentagePath' in state,
        count: 'ToleratedFailureCount' in state || 'ToleratedFailureCountPath' in state,
      },
    };
    this.remember(run);
    this.inProgress.add(run.mapRunArn);
    this.save(run);
    this.host.event(parent, 'MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: run.mapRunArn } });
    return run;
  }

  /**
   * Starts, waits for and redrives the children, at most MaxConcurrency running at once (read before
   * each start, so UpdateMapRun takes effect). A child that ended unsuccessfully before the run's
   * latest redrive is redriven; one that succeeded is only read back.
   */
  private async execute(run: MapRunRecord, request: MapRunRequest, childInputs: unknown[]) {
    const outputs: unknown[] = new Array(childInputs.length).fill(null);
    const total = run.batchSizes.reduce((a, b) => a + b, 0);
    let failedItems = 0;
    let exceeded = false;
    const running = new Set<string>();
    const inFlight = new Set<Promise<void>>();
    const settle = (index: number, done: ExecutionDescription) => {
      if (done.status === 'SUCCEEDED') outputs[index] = done.output === undefined ? null : JSON.parse(done.output);
      else if (FINAL.includes(done.status)) {
        failedItems += run.batchSizes[index] ?? 1;
        outputs[index] = { Error: done.error ?? null, Cause: done.cause ?? null };
        if (this.exceeds(run, failedItems, total)) exceeded = true;
      }
    };
    const limit = () => (run.maxConcurrency > 0 ? run.maxConcurrency : Number.POSITIVE_INFINITY);
    const redriveDate = run.redriveDate ? new Date(run.redriveDate) : undefined;
    for (let index = 0; index < childInputs.length; index++) {
      while (inFlight.size >= limit()) await Promise.race(inFlight);
      if (exceeded || run.status !== 'RUNNING' || !request.isRunning() || !this.host.active()) break;
      const executionArn = this.childArn(run, index);
      const existing = this.host.record(executionArn);
      const redrive =
        existing && existing.status !== 'SUCCEEDED' && existing.status !== 'RUNNING' && redriveDate && existing.stopDate
          ? existing.stopDate < redriveDate
          : false;
      if (existing && existing.status !== 'RUNNING' && !redrive) {
        settle(index, this.host.describeExecution({ executionArn }));
        continue;
      }
      this.childRuns.set(executionArn, run.mapRunArn);
      if (!existing) {
        this.host.startExecution({
          stateMachineArn: run.stateMachineArn,
          name: childName(run.mapRunId, index),
          input: JSON.stringify(childInputs[index]),
        });
      } else if (redrive) this.host.redriveExecution({ executionArn });
      running.add(executionArn);
      const waiting: Promise<void> = this.host.waitForExecution(executionArn).then(async (done) => {
        running.delete(executionArn);
        if (!this.host.active()) return;
        settle(index, done);
        if (exceeded) await this.abortRunning(running);
      });
      inFlight.add(waiting);
      void waiting.finally(() => inFlight.delete(waiting));
    }
    // Failures read back after a restart can exceed the threshold too: what is still running stops.
    if (exceeded) await this.abortRunning(running);
    await Promise.all(inFlight);
    if (exceeded) {
      return {
        outputs,
        failed: {
          error: 'States.ExceedToleratedFailureThreshold',
          cause: 'The specified tolerated failure threshold was exceeded',
        },
      };
    }
    return { outputs };
  }

  /** StopExecution of the parent: its running Map Runs end ABORTED, and so do their running children. */
  async abortFor(executionArn: string): Promise<void> {
    for (const run of this.runs.values()) {
      if (run.executionArn !== executionArn || run.status !== 'RUNNING') continue;
      Object.assign(run, { status: 'ABORTED', stopDate: new Date().toISOString() });
      this.save(run);
      const running = run.batchSizes
        .map((_, index) => this.childArn(run, index))
        .filter((arn) => this.host.record(arn)?.status === 'RUNNING');
      await this.abortRunning(new Set(running), 'The parent execution was stopped');
    }
  }

  /** When the run fails, its running children are stopped, as on AWS. */
  private async abortRunning(running: Set<string>, cause = 'The Map Run failed'): Promise<void> {
    await Promise.all(
      [...running].map((executionArn) =>
        this.host.stopExecution({ executionArn, error: 'States.Runtime', cause }).catch(() => undefined),
      ),
    );
  }

  private exceeds(run: MapRunRecord, failedItems: number, total: number): boolean {
    const applies = run.tolerates;
    if (!applies.percentage && !applies.count) return failedItems > 0;
    if (applies.count && failedItems > run.toleratedFailureCount) return true;
    return applies.percentage && total > 0 && (failedItems / total) * 100 > run.toleratedFailurePercentage;
  }

  /** The child executions the run has started, by index (undefined where none was started). */
  children(run: MapRunRecord): Array<ExecutionDescription | undefined> {
    return run.batchSizes.map((_, index) => {
      const executionArn = this.childArn(run, index);
      return this.host.record(executionArn) ? this.host.describeExecution({ executionArn }) : undefined;
    });
  }

  /** The Map Run a child execution belongs to. */
  mapRunOf(executionArn: string): string | undefined {
    return this.childRuns.get(executionArn);
  }

  /** DescribeMapRun. */
  describe(input: { mapRunArn: string }) {
    const run = this.find(input.mapRunArn);
    const children = this.children(run);
    const executionCounts = counts(children.map((child) => ({ child, weight: 1 })));
    const itemCounts = counts(children.map((child, i) => ({ child, weight: run.batchSizes[i] ?? 1 })));
    return {
      mapRunArn: run.mapRunArn,
      executionArn: run.executionArn,
      status: run.status,
      startDate: new Date(run.startDate),
      stopDate: run.stopDate ? new Date(run.stopDate) : undefined,
      maxConcurrency: run.maxConcurrency,
      toleratedFailurePercentage: run.toleratedFailurePercentage,
      toleratedFailureCount: run.toleratedFailureCount,
      itemCounts: { ...itemCounts, resultsWritten: run.resultsWritten },
      executionCounts: { ...executionCounts, resultsWritten: run.resultsWritten > 0 ? executionCounts.total : 0 },
      redriveCount: run.redriveCount,
      redriveDate: run.redriveDate ? new Date(run.redriveDate) : undefined,
    };
  }

  /** ListMapRuns of one execution. */
  list(input: { executionArn: string }) {
    const mapRuns = [...this.runs.values()]
      .filter((r) => r.executionArn === input.executionArn)
      .sort((a, b) => b.startDate.localeCompare(a.startDate))
      .map((r) => ({
        executionArn: r.executionArn,
        mapRunArn: r.mapRunArn,
        stateMachineArn: r.stateMachineArn,
        startDate: new Date(r.startDate),
        stopDate: r.stopDate ? new Date(r.stopDate) : undefined,
      }));
    return { mapRuns };
  }

  /** UpdateMapRun: MaxConcurrency and the tolerated failures, for a run in progress. */
  update(input: {
    mapRunArn: string;
    maxConcurrency?: number;
    toleratedFailurePercentage?: number;
    toleratedFailureCount?: number;
  }) {
    const run = this.find(input.mapRunArn);
    if (input.maxConcurrency !== undefined) run.maxConcurrency = input.maxConcurrency;
    if (input.toleratedFailurePercentage !== undefined) {
      run.toleratedFailurePercentage = input.toleratedFailurePercentage;
      run.tolerates.percentage = true;
    }
    if (input.toleratedFailureCount !== undefined) {
      run.toleratedFailureCount = input.toleratedFailureCount;
      run.tolerates.count = true;
    }
    this.save(run);
    return {};
  }

  /** The executions of one Map Run, with the items each ran (for ListExecutions with mapRunArn). */
  executionsOf(mapRunArn: string): Array<{ executionArn: string; itemCount: number }> {
    const run = this.find(mapRunArn);
    return run.batchSizes
      .map((itemCount, index) => ({ executionArn: this.childArn(run, index), itemCount }))
      .filter(({ executionArn }) => this.host.record(executionArn));
  }

  private find(mapRunArn: string): MapRunRecord {
    const run = this.runs.get(mapRunArn);
    if (!run) throw new AwsServiceError('ResourceNotFound', `Map Run Does Not Exist: '${mapRunArn}'`);
    return run;
  }

  private childArn(run: MapRunRecord, index: number): string {
    const machine = run.stateMachineArn.slice(run.stateMachineArn.indexOf(':stateMachine:') + ':stateMachine:'.length);
    return `arn:aws:states:${this.host.region}:${this.host.accountId}:execution:${machine}:${childName(run.mapRunId, index)}`;
  }

  private remember(run: MapRunRecord): void {
    this.runs.set(run.mapRunArn, run);
    for (const index of run.batchSizes.keys()) this.childRuns.set(this.childArn(run, index), run.mapRunArn);
  }

  /** The whole record, replaced at once (write then rename), so a crash leaves the old or the new one. */
  private save(run: MapRunRecord): void {
    if (!this.dir || !this.host.active()) return;
    const folder = join(this.dir, 'map-runs');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${run.mapRunId}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(run));
    renameSync(`${file}.tmp`, file);
  }
}

/** The child state machine of a Distributed Map state: `<machine>/<label>`. */
export function childMachineArn(parentArn: string, label: string): string {
  return `${parentArn}/${label}`;
}

/** A child's name: a UUID fixed by the run and the index, so a restart finds the child it started. */
function childName(mapRunId: string, index: number): string {
  const hex = createHash('sha256').update(`${mapRunId}:${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function mapContext(parent: ExecutionRecord, machine: { arn: string; name: string }): MapContext {
  return {
    Execution: {
      Id: parent.executionArn,
      Name: parent.name,
      Input: JSON.parse(parent.input),
      StartTime: parent.startDate.toISOString(),
      RedriveCount: parent.redriveCount,
    },
    StateMachine: { Id: machine.arn, Name: machine.name },
  };
}

function counts(entries: Array<{ child: ExecutionDescription | undefined; weight: number }>) {
  const c = { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0 };
  for (const { child, weight } of entries) {
    c.total += weight;
    const status = child?.status;
    if (!status) c.pending += weight;
    else if (status === 'RUNNING') c.running += weight;
    else if (status === 'SUCCEEDED') c.succeeded += weight;
    else if (status === 'FAILED') c.failed += weight;
    else if (status === 'TIMED_OUT') c.timedOut += weight;
    else c.aborted += weight;
  }
  return { ...c, failuresNotRedrivable: 0, pendingRedrive: 0 };
}
