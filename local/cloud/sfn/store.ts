import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionRecord, ExecutionStatus, HistoryEvent } from './types';

/**
 * Executions kept under the data folder as they run: one append-only JSON-lines file per execution
 * (`executions/<machine>/<name>.jsonl`). Each line is one fact (started, a history event, a task token
 * minted, redriven, ended), written with one `write` as it happens, so a kill -9 at any moment leaves
 * every line before it intact and at most a half-written last line, which loading drops. One file per
 * execution keeps the store bounded by what AWS keeps (an execution's history) and needs no compaction:
 * replaying a file gives the record, its history and what a restart needs to resume it.
 */

/** A `.waitForTaskToken` wait as minted: enough to re-register the same token after a restart. */
export interface StoredWait {
  stateName: string;
  token: string;
  /** Epoch ms when the wait began: its timeout counts from here, not from a restart. */
  startedAt: number;
  timeoutSeconds: number;
}

/** An execution as read back: the record, and the task tokens it still waited on, by state name. */
export interface StoredExecution {
  record: ExecutionRecord;
  waits: Map<string, StoredWait>;
}

type Line =
  | { k: 'start'; executionArn: string; stateMachineArn: string; name: string; input: string; startDate: string }
  | { k: 'event'; e: HistoryEvent }
  | ({ k: 'wait' } & StoredWait)
  | { k: 'settled'; token: string }
  | { k: 'redrive'; count: number; date: string; token?: string }
  | { k: 'end'; status: ExecutionStatus; stopDate: string; output?: string; error?: string; cause?: string };

/** Appends and reads back execution files under one folder. */
export class ExecutionStore {
  constructor(private readonly dir: string) {}

  /** Every execution in the folder (and in the single file earlier versions kept finished ones in). */
  loadAll(): StoredExecution[] {
    const found = new Map<string, StoredExecution>();
    for (const record of loadLegacy(join(this.dir, 'executions.jsonl'))) {
      found.set(record.executionArn, { record, waits: new Map() });
    }
    const root = join(this.dir, 'executions');
    if (!existsSync(root)) return [...found.values()];
    for (const machine of readdirSync(root, { withFileTypes: true })) {
      if (!machine.isDirectory()) continue;
      for (const file of readdirSync(join(root, machine.name))) {
        if (!file.endsWith('.jsonl')) continue;
        const stored = replay(readLines(join(root, machine.name, file)));
        if (stored) found.set(stored.record.executionArn, stored);
      }
    }
    return [...found.values()];
  }

  /** A new execution: its identity and input. */
  started(record: ExecutionRecord): void {
    const { executionArn, stateMachineArn, name, input, startDate } = record;
    mkdirSync(join(this.dir, 'executions', encode(machineName(stateMachineArn))), { recursive: true });
    this.append(record, { k: 'start', executionArn, stateMachineArn, name, input, startDate: startDate.toISOString() });
  }

  /** One history event, as it is added. */
  event(record: ExecutionRecord, event: HistoryEvent): void {
    this.append(record, { k: 'event', e: event });
  }

  /** A task token a `.waitForTaskToken` state now waits on. */
  waiting(record: ExecutionRecord, wait: StoredWait): void {
    this.append(record, { k: 'wait', ...wait });
  }

  /** A wait on a task token ended (answered, failed or timed out). */
  settled(record: ExecutionRecord, token: string): void {
    this.append(record, { k: 'settled', token });
  }

  /** A successful RedriveExecution. */
  redriven(record: ExecutionRecord, token?: string): void {
    this.append(record, {
      k: 'redrive',
      count: record.redriveCount,
      date: (record.redriveDate ?? new Date()).toISOString(),
      token,
    });
  }

  /** The final status. */
  ended(record: ExecutionRecord): void {
    const { status, stopDate, output, error, cause } = record;
    this.append(record, { k: 'end', status, stopDate: (stopDate ?? new Date()).toISOString(), output, error, cause });
  }

  private append(record: ExecutionRecord, line: Line): void {
    appendFileSync(this.fileOf(record), `${JSON.stringify(line)}\n`);
  }

  private fileOf(record: ExecutionRecord): string {
    return join(this.dir, 'executions', encode(machineName(record.stateMachineArn)), `${encode(record.name)}.jsonl`);
  }
}

/** The lines of a file; a last line cut short by a crash is cut off the file too, so appends start clean. */
function readLines(file: string): Line[] {
  const text = readFileSync(file, 'utf8');
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, complete)));
  const lines: Line[] = [];
  for (const raw of text.slice(0, complete).split('\n')) {
    if (!raw.trim()) continue;
    try {
      lines.push(JSON.parse(raw) as Line);
    } catch {
      // Not expected before the last line; skipping keeps the rest of the execution readable.
    }
  }
  return lines;
}

/** Rebuilds an execution from its lines, in order. */
function replay(lines: Line[]): StoredExecution | undefined {
  const first = lines[0];
  if (first?.k !== 'start') return undefined;
  const record: ExecutionRecord = {
    executionArn: first.executionArn,
    stateMachineArn: first.stateMachineArn,
    name: first.name,
    input: first.input,
    startDate: new Date(first.startDate),
    status: 'RUNNING',
    history: [],
    stateTransitions: 0,
    redriveCount: 0,
  };
  const waits = new Map<string, StoredWait>();
  for (const line of lines.slice(1)) {
    switch (line.k) {
      case 'event':
        record.history.push({ ...line.e, timestamp: new Date(line.e.timestamp) });
        break;
      case 'wait': {
        const { k: _, ...wait } = line;
        waits.set(wait.stateName, wait);
        break;
      }
      case 'settled':
        for (const [state, wait] of waits) if (wait.token === line.token) waits.delete(state);
        break;
      case 'redrive':
        Object.assign(record, { status: 'RUNNING', redriveCount: line.count, redriveDate: new Date(line.date) });
        for (const key of ['stopDate', 'output', 'error', 'cause'] as const) delete record[key];
        record.redriveToken = line.token;
        waits.clear();
        break;
      case 'end':
        Object.assign(record, {
          status: line.status,
          stopDate: new Date(line.stopDate),
          output: line.output,
          error: line.error,
          cause: line.cause,
        });
        break;
    }
  }
  record.stateTransitions = countTransitions(record.history);
  return { record, waits };
}

/** States entered plus task retries (attempts beyond the first of each entered task). */
export function countTransitions(history: HistoryEvent[]): number {
  let entered = 0;
  let enteredTasks = 0;
  let attempts = 0;
  for (const { type } of history) {
    if (type.endsWith('StateEntered')) entered++;
    if (type === 'TaskStateEntered') enteredTasks++;
    if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled') attempts++;
  }
  return entered + Math.max(0, attempts - enteredTasks);
}

/** Finished executions from the single file earlier versions wrote (read only). */
function loadLegacy(file: string): ExecutionRecord[] {
  if (!existsSync(file)) return [];
  const records: ExecutionRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as ExecutionRecord;
      records.push({
        ...record,
        startDate: new Date(record.startDate),
        stopDate: record.stopDate ? new Date(record.stopDate) : undefined,
        history: record.history.map((event) => ({ ...event, timestamp: new Date(event.timestamp) })),
        redriveCount: record.redriveCount ?? 0,
      });
    } catch {
      // A line cut short by a crash.
    }
  }
  return records;
}

function machineName(stateMachineArn: string): string {
  return stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1);
}

/** A file name that cannot climb out of the folder. */
function encode(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E');
}
