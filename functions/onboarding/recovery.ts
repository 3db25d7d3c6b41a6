import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  RedriveExecutionCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { sfnClient } from '../shared/aws';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/powertools';
import { mutateOnboarding, timelineEntry } from '../store/onboardings';
import { waitTimeouts } from './intake';
import type { OnboardingRecord } from './record';

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
export async function describeExecutionOf(record: OnboardingRecord): Promise<DescribeExecutionCommandOutput | undefined> {
  if (!record.executionArn) return undefined;
  try {
    return await sfnClient().send(new DescribeExecutionCommand({ executionArn: record.executionArn }));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
}

/**
 * Redrives a failed, timed-out or aborted execution: it continues from the state that failed, and the
 * steps before it are not run again. Where AWS cannot redrive (older than 14 days, history limit), a new
 * execution starts with the same input. The client token makes two recoveries of one failure one redrive.
 */
export async function redriveOrRestart(
  record: OnboardingRecord,
  execution: DescribeExecutionCommandOutput,
  by: RecoveredBy,
): Promise<Recovery> {
  const executionArn = execution.executionArn ?? record.executionArn;
  if (executionArn && execution.redriveStatus !== 'NOT_REDRIVABLE') {
    try {
      await sfnClient().send(
        new RedriveExecutionCommand({ executionArn, clientToken: `redrive-${execution.redriveCount ?? 0}-${execution.name}` }),
      );
      const updated = await mutateOnboarding(record.onboardingId, (current) => ({
        ...(current.status === 'FAILED' ? { status: 'IN_PROGRESS' as const } : {}),
        retry: undefined,
        timeline: [...current.timeline, timelineEntry('execution', 'REDRIVEN', by)],
      }));
      metrics.addMetric('ExecutionRedriven', 'Count', 1);
      logger.info('execution redriven', {
        onboardingId: record.onboardingId,
        by,
        redriveCount: (execution.redriveCount ?? 0) + 1,
      });
      return { action: 'redriven', executionArn, record: updated };
    } catch (error) {
      if (!(error instanceof ExecutionNotRedrivable)) throw error;
    }
  }
  return restart(record, execution.input ? (JSON.parse(execution.input) as Record<string, unknown>) : undefined, by);
}

/** How many names a restart tries before giving up (another recovery may have taken the next one). */
const RESTART_NAMES = 5;

/**
 * Starts a new execution for the record, named `<onboardingId>-r<n>`, with the given input (that of the
 * execution it replaces) or a first execution's, and points the record at it. Steps find what exists at
 * the provider before they create anything, and events are published once per onboarding and status,
 * so running the workflow from the start again creates nothing twice.
 */
export async function restart(
  record: OnboardingRecord,
  input: Record<string, unknown> | undefined,
  by: RecoveredBy,
): Promise<Recovery> {
  const target = executionTarget(record);
  const first = (record.restarts ?? 0) + 1;
  for (let n = first; n < first + RESTART_NAMES; n++) {
    let executionArn: string | undefined;
    try {
      const started = await sfnClient().send(
        new StartExecutionCommand({
          stateMachineArn: target.stateMachineArn,
          name: `${record.onboardingId}-r${n}`,
          input: JSON.stringify(input ?? target.input),
        }),
      );
      executionArn = started.executionArn;
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) continue;
      throw error;
    }
    if (!executionArn) break;
    const arn = executionArn;
    const updated = await mutateOnboarding(record.onboardingId, (current) => ({
      executionArn: arn,
      restarts: Math.max(n, current.restarts ?? 0),
      // The old execution's wait is gone with it; the new one registers its own.
      waiting: undefined,
      retry: undefined,
      ...(['FAILED', 'ACCEPTED', 'AWAITING_DOCUMENTS', 'AWAITING_PROVIDER'].includes(current.status)
        ? { status: 'IN_PROGRESS' as const }
        : {}),
      timeline: [...current.timeline, timelineEntry('execution', 'RESTARTED', by)],
    }));
    metrics.addMetric('ExecutionRestarted', 'Count', 1);
    logger.info('execution started again', { onboardingId: record.onboardingId, by, restarts: n });
    return { action: 'restarted', executionArn: arn, record: updated };
  }
  throw new Error(`no free execution name to start ${record.onboardingId} again`);
}
