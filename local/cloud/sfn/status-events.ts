import { redriveStatus } from './redrive';
import type { ExecutionRecord, PutEventsEntry } from './types';

/**
 * `Step Functions Execution Status Change` events, as Standard workflows send them to the account's
 * default event bus: one per status change (RUNNING when started and when redriven, then SUCCEEDED,
 * FAILED, TIMED_OUT or ABORTED), dates in epoch ms, absent values as null.
 */

export const STATUS_CHANGE_SOURCE = 'aws.states';
export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

/** The PutEvents entry for the execution's current status (no bus named: the default bus). */
export function statusChangeEntry(record: ExecutionRecord): PutEventsEntry {
  const redrive = redriveStatus(record);
  const succeeded = record.status === 'SUCCEEDED';
  const detail = {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate.getTime(),
    stopDate: record.status === 'RUNNING' ? null : (record.stopDate?.getTime() ?? null),
    input: record.input,
    output: succeeded ? (record.output ?? null) : null,
    inputDetails: { included: true },
    outputDetails: succeeded ? { included: true } : null,
    error: record.error ?? null,
    cause: record.cause ?? null,
    stateMachineVersionArn: null,
    stateMachineAliasArn: null,
    redriveCount: record.redriveCount,
    redriveDate: record.redriveDate?.getTime() ?? null,
    redriveStatus: redrive.status,
    redriveStatusReason: redrive.reason ?? null,
  };
  return {
    Source: STATUS_CHANGE_SOURCE,
    DetailType: STATUS_CHANGE_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    Resources: [record.executionArn],
    Time: record.status === 'RUNNING' ? (record.redriveDate ?? record.startDate) : (record.stopDate ?? new Date()),
  };
}
