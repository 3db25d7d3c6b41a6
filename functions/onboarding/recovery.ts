import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { isAwsError } from '../shared/aws-json';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/powertools';
import { describeExecution, redriveExecution, startExecution } from '../shared/sfn';
import { mutateOnboarding, timelineEntry } from '../store/onboardings';
import { waitTimeouts } from './intake';
import { type OnboardingRecord, OPEN_STATUSES } from './record';

/** Who recovers an execution, as the timeline shows it. */
export type RecoveredBy = 'sweeper' | 'operator';

/** What a recovery did: redrove the failed execution, or started a (new) one. */
export interface Recovery {
  action: 'redriven' | 'restarted' | 'started';
  executionArn: string;
  record: OnboardingRecord;
}

/** The state machine a record's executions run on, and the input a first execution starts with (ids only). */
export function executionTarget(record: OnboardingRecord): { stateMachineArn: string; input: Record<string, unknown> } {
  if (record.kind === 'connect-migration') {
    return { stateMachineArn: requireEnv('CONNECT_MIGRATION_STATE_MACHINE_ARN'), input: { onboardingId: record.onboardingId } };
  }
  return {
    stateMachineArn: requireEnv('STATE_MACHINE_ARN'),
    input: { onboardingId: record.onboardingId, timeouts: waitTimeouts() },
  };
}

/** The record's execution as Step Functions describes it; undefined when it has none or it is lost. */
export async function describeExecutionOf(record: OnboardingRecord): Promise<DescribeExecutionOutput | undefined> {
  if (!record.executionArn) return undefined;
  try {
    return await describeExecution({ executionArn: record.executionArn });
  } catch (error) {
    if (isAwsError(error, 'ExecutionDoesNotExist')) return undefined;
    throw error;
  }
}

/** A recovery that must not go ahead: the record moved on (finished, or another recovery took it). */
export class RecoveryConflict extends Error {
  override readonly name = 'RecoveryConflict';
}

/** Statuses a recovery may act on: open work, or a failure. */
const RECOVERABLE = new Set<string>([...OPEN_STATUSES]);

/**
 * Claims the record for one recovery with a conditional write: it must still point at the execution
 * the caller read, with the same restart count, and be open. Made before any Redrive or Start call, so
 * two recoveries of one state cannot both act; the loser gets RecoveryConflict.
 */
export async function claimRecovery(
  read: OnboardingRecord,
  byOperator: boolean,
  patch: (current: OnboardingRecord) => Partial<OnboardingRecord> = () => ({}),
): Promise<OnboardingRecord> {
  let refused: string | undefined;
  const claimed = await mutateOnboarding(read.onboardingId, (current) => {
    refused = undefined;
    if (!RECOVERABLE.has(current.status)) refused = `the onboarding is ${current.status}`;
    else if (current.executionArn !== read.executionArn || (current.restarts ?? 0) !== (read.restarts ?? 0)) {
      refused = 'another recovery has taken it';
    }
    if (refused) return undefined;
    return {
      ...patch(current),
      ...(byOperator ? { operatorRecoveries: (current.operatorRecoveries ?? 0) + 1 } : {}),
    };
  });
  if (refused) throw new RecoveryConflict(`Nothing to recover: ${refused}.`);
  return claimed;
}

/**
 * Redrives a failed, timed-out or aborted execution: it continues from the state that failed, and the
 * steps before it are not run again. Where AWS cannot redrive (older than 14 days, history limit), a new
 * execution starts with the same input. The client token makes two recoveries of one failure one redrive.
 */
export async function redriveOrRestart(
  record: OnboardingRecord,
  execution: DescribeExecutionOutput,
  by: RecoveredBy,
): Promise<Recovery> {
  const executionArn = execution.executionArn ?? record.executionArn;
  if (executionArn && execution.redriveStatus !== 'NOT_REDRIVABLE') {
    const claimed = await claimRecovery(record, by === 'operator');
    try {
      await redriveExecution({ executionArn, clientToken: `redrive-${execution.redriveCount ?? 0}-${execution.name}` });
    } catch (error) {
      if (!isAwsError(error, 'ExecutionNotRedrivable')) throw error;
      // AWS says so for RUNNING and PENDING_REDRIVE too: start anew only if it is still a failure AWS cannot redrive.
      const again = await describeExecutionOf(claimed);
      if (!again || !ENDED_UNSUCCESSFULLY.has(again.status ?? '') || again.redriveStatus !== 'NOT_REDRIVABLE') {
        throw new RecoveryConflict('Nothing to recover: its execution is running again.');
      }
      // Already counted as one operator recovery by the claim above.
      const input = again.input ? (JSON.parse(again.input) as Record<string, unknown>) : undefined;
      return restart(claimed, input, by === 'operator' ? 'operator-counted' : by);
    }
    const updated = await mutateOnboarding(record.onboardingId, (current) =>
      current.executionArn !== executionArn
        ? undefined
        : {
            ...(current.status === 'FAILED' ? { status: 'IN_PROGRESS' as const } : {}),
            retry: undefined,
            timeline: [...current.timeline, timelineEntry('execution', 'REDRIVEN', by)],
          },
    );
    metrics.addMetric('ExecutionRedriven', 'Count', 1);
    logger.info('execution redriven', {
      onboardingId: record.onboardingId,
      by,
      redriveCount: (execution.redriveCount ?? 0) + 1,
    });
    return { action: 'redriven', executionArn, record: updated };
  }
  return restart(record, execution.input ? (JSON.parse(execution.input) as Record<string, unknown>) : undefined, by);
}

const ENDED_UNSUCCESSFULLY = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Starts a new execution for the record, named `<onboardingId>-r<n>`, with the given input (that of the
 * execution it replaces) or a first execution's, and points the record at it. The name is claimed on
 * the record first, so a finished record or a second recovery starts nothing. Steps find what exists at
 * the provider before they create anything, and events are published once per onboarding and status,
 * so running the workflow from the start again creates nothing twice.
 */
export async function restart(
  record: OnboardingRecord,
  input: Record<string, unknown> | undefined,
  who: RecoveredBy | 'operator-counted',
): Promise<Recovery> {
  const by: RecoveredBy = who === 'operator-counted' ? 'operator' : who;
  const target = executionTarget(record);
  const replaced = record.executionArn;
  const claimed = await claimRecovery(record, who === 'operator', (current) => ({
    restarts: (current.restarts ?? 0) + 1,
  }));
  const n = claimed.restarts ?? 1;
  const name = `${record.onboardingId}-r${n}`;
  let executionArn: string | undefined;
  try {
    const started = await startExecution({
      stateMachineArn: target.stateMachineArn,
      name,
      input: JSON.stringify(input ?? target.input),
    });
    executionArn = started.executionArn;
  } catch (error) {
    if (!isAwsError(error, 'ExecutionAlreadyExists')) throw error;
    // A recovery that claimed this name died after starting it: adopt its execution if it runs.
    const arn = `${target.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = await describeExecutionOf({ ...claimed, executionArn: arn });
    if (existing?.status !== 'RUNNING') throw new RecoveryConflict(`Nothing to recover: ${name} exists and is not running.`);
    executionArn = existing.executionArn ?? arn;
  }
  if (!executionArn) throw new Error(`no execution started for ${record.onboardingId}`);
  const arn = executionArn;
  let moved = false;
  const updated = await mutateOnboarding(record.onboardingId, (current) => {
    // Only the claim's holder points the record at its execution, and only from the one it replaced.
    moved = current.executionArn !== replaced || (current.restarts ?? 0) !== n;
    if (moved) return undefined;
    return {
      executionArn: arn,
      // The old execution's wait is gone with it; the new one registers its own.
      waiting: undefined,
      retry: undefined,
      running: { execution: name, redriveCount: 0 },
      ...(['FAILED', 'ACCEPTED', 'AWAITING_DOCUMENTS', 'AWAITING_PROVIDER'].includes(current.status)
        ? { status: 'IN_PROGRESS' as const }
        : {}),
      timeline: [...current.timeline, timelineEntry('execution', 'RESTARTED', by)],
    };
  });
  if (moved) throw new RecoveryConflict('Nothing to recover: another recovery has taken it.');
  metrics.addMetric('ExecutionRestarted', 'Count', 1);
  logger.info('execution started again', { onboardingId: record.onboardingId, by, restarts: n });
  return { action: 'restarted', executionArn: arn, record: updated };
}
