import { AwsServiceError } from '../aws-json-server';
import { appendEvent } from './history';
import type { ExecutionRecord, HistoryEvent, RedriveStatus } from './types';

/** RedriveExecution's rules, as AWS documents them for Standard workflows. */

/** RedriveExecution is accepted this long after an execution stopped. */
export const REDRIVABLE_PERIOD_MS = 14 * 24 * 3600 * 1000;

/** Executions with a longer history cannot be redriven. */
const HISTORY_EVENT_LIMIT = 25_000;

/** How long a client token answers its redrive again, as AWS honours a clientToken. */
export const REDRIVE_TOKEN_TTL_MS = 15 * 60 * 1000;

/**
 * Whether a RedriveExecution with this client token repeats the latest redrive (within 15 minutes) and
 * is answered with it; any other request is evaluated as a new one.
 */
export function repeatsLatestRedrive(record: ExecutionRecord, clientToken: string | undefined, now = Date.now()): boolean {
  return (
    clientToken !== undefined &&
    clientToken === record.redriveToken &&
    record.redriveDate !== undefined &&
    now - record.redriveDate.getTime() < REDRIVE_TOKEN_TTL_MS
  );
}

/** Whether RedriveExecution would accept the execution now, and why not. */
export function redriveStatus(record: ExecutionRecord, now = Date.now()): { status: RedriveStatus; reason?: string } {
  if (record.status === 'RUNNING' || record.status === 'SUCCEEDED') {
    return { status: 'NOT_REDRIVABLE', reason: `Execution is ${record.status} and cannot be redriven` };
  }
  if (record.stopDate && now - record.stopDate.getTime() > REDRIVABLE_PERIOD_MS) {
    return { status: 'NOT_REDRIVABLE', reason: 'Execution redrivable period exceeded' };
  }
  if (record.history.length >= HISTORY_EVENT_LIMIT) {
    return { status: 'NOT_REDRIVABLE', reason: 'Execution history event limit exceeded' };
  }
  return { status: 'REDRIVABLE' };
}

/** Throws ExecutionNotRedrivable, with AWS's reason, unless the execution can be redriven now. */
export function assertRedrivable(record: ExecutionRecord): void {
  const { status, reason } = redriveStatus(record);
  if (status !== 'REDRIVABLE') throw new AwsServiceError('ExecutionNotRedrivable', reason ?? 'Execution cannot be redriven');
}

/** The record back to RUNNING, one more redrive counted, and the `ExecutionRedriven` event it adds. */
export function markRedriven(record: ExecutionRecord, clientToken?: string): HistoryEvent {
  const redriveDate = new Date();
  Object.assign(record, { status: 'RUNNING', redriveCount: record.redriveCount + 1, redriveDate });
  for (const key of ['stopDate', 'output', 'error', 'cause'] as const) delete record[key];
  record.redriveToken = clientToken;
  return appendEvent(record, 'ExecutionRedriven', redriveDate, {
    executionRedrivenEventDetails: { redriveCount: record.redriveCount },
  });
}
