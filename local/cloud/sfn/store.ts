import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutionRecord } from './types';

/**
 * Finished executions kept as JSON lines, so DescribeExecution, GetExecutionHistory and the uniqueness
 * of execution names survive a restart. Running executions are not kept: a restart stops them
 * (recorded as ABORTED).
 */

/** Every execution recorded in `file` (the last line of an ARN wins). */
export function loadExecutions(file: string): ExecutionRecord[] {
  if (!existsSync(file)) return [];
  const byArn = new Map<string, ExecutionRecord>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = revive(JSON.parse(line) as ExecutionRecord);
      byArn.set(record.executionArn, record);
    } catch {
      // A line cut short by a crash: the rest of the file is still good.
    }
  }
  return [...byArn.values()];
}

/** Appends one finished execution. */
export function saveExecution(file: string, record: ExecutionRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

function revive(record: ExecutionRecord): ExecutionRecord {
  return {
    ...record,
    startDate: new Date(record.startDate),
    stopDate: record.stopDate ? new Date(record.stopDate) : undefined,
    history: record.history.map((event) => ({ ...event, timestamp: new Date(event.timestamp) })),
  };
}
