import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { isAwsError } from '../shared/aws-json';
import { requireEnv } from '../shared/env';
import { ConfigurationError } from '../shared/errors';
import { logger, metrics } from '../shared/powertools';
import { describeExecution } from '../shared/sfn';
import { findOnboarding, listOpenOnboardingIds } from '../store/onboardings';
import { ensureExecutionStarted } from './executions';
import { recordFailure, recordRunningAgain } from './failures';
import { waitTimeouts } from './intake';
import { publishKeptNotices } from './notices';
import { type OnboardingRecord, type OnboardingStatus, OPEN_STATUSES } from './record';
import { describeExecutionOf, executionTarget, redriveOrRestart, restart } from './recovery';
import { resumeIfReady } from './waits';

/** The sweeper's rules: how many automatic recoveries an onboarding gets, and how long after a failure. */
export interface SweepSettings {
  /** Automatic redrives and restarts of one onboarding, Step Functions' own redrive count included. */
  redriveCap: number;
  /** A failure is redriven once it is this old. */
  redriveDelaySeconds: number;
  /** A record left ACCEPTED is started once it is this old (intake may still be starting it). */
  startGraceSeconds: number;
}

/** What one sweep did. */
export interface SweepReport {
  checked: number;
  started: number;
  redriven: number;
  restarted: number;
  resumed: number;
  markedFailed: number;
  /** Onboardings left FAILED because they reached the cap: the alarm's metric. */
  pastCap: number;
  /** How far the oldest open wait is past its timeout, in seconds (0 when none is). */
  oldestOverdueWaitSeconds: number;
  errors: number;
  /** Open onboardings not reached before the time ran out: the next sweep takes them. */
  leftForNextSweep: number;
  /** Migrations not started yet because the batch that will start them is still running. */
  heldByBatch: number;
  /** Provider notices (fundings, refunds) a webhook kept while the rate budget was full, now published. */
  noticesPublished: number;
  /** Kept notices the budget still has no room for: the next sweep takes them. */
  noticesLeft: number;
}

/** How much one sweep may do: at once, and in the time the invocation has left. */
export interface SweepLimits {
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`). */
  remainingMs?: () => number;
  /** No new onboarding is taken once less than this is left. */
  reserveMs?: number;
  concurrency?: number;
}

const SWEEP_CONCURRENCY = 8;
const DEFAULT_RESERVE_MS = 10_000;

/** Failures and never-started onboardings first: they are the ones a person is waiting on. */
const SWEEP_ORDER = [
  'FAILED',
  'ACCEPTED',
  ...OPEN_STATUSES.filter((status) => status !== 'FAILED' && status !== 'ACCEPTED'),
] as const satisfies readonly OnboardingStatus[];

const count = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigurationError(`environment variable ${name} must be a whole number`);
  return value;
};

/** The settings the deployment gave (`REDRIVE_CAP`, `REDRIVE_DELAY_SECONDS`). */
export function settingsFromEnv(): SweepSettings {
  return {
    redriveCap: count('REDRIVE_CAP', 3),
    redriveDelaySeconds: count('REDRIVE_DELAY_SECONDS', 900),
    startGraceSeconds: 120,
  };
}

const FAILED_STATUSES = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Heals onboardings that are not final but have no execution working on them: starts one left
 * ACCEPTED, records a failure whose status change was missed and redrives it after a delay (up to the
 * cap), starts again one whose execution is lost or ended, resumes a wait whose answer is on the
 * record, and measures how far open waits are past their timeout. Open records come from the sparse
 * index, never a table scan.
 */
export async function sweep(
  settings: SweepSettings = settingsFromEnv(),
  now = new Date(),
  limits: SweepLimits = {},
): Promise<SweepReport> {
  const report: SweepReport = {
    checked: 0,
    started: 0,
    redriven: 0,
    restarted: 0,
    resumed: 0,
    markedFailed: 0,
    pastCap: 0,
    oldestOverdueWaitSeconds: 0,
    errors: 0,
    leftForNextSweep: 0,
    heldByBatch: 0,
    noticesPublished: 0,
    noticesLeft: 0,
  };
  const remaining = limits.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const ids: string[] = [];
  for (const status of SWEEP_ORDER) ids.push(...(await listOpenOnboardingIds(status)));
  const batches: BatchLookups = new Map();
  let next = 0;
  // A few at once: each is a describe and a write or two, and none may starve the ones after it.
  const worker = async () => {
    while (next < ids.length) {
      if (remaining() < (limits.reserveMs ?? DEFAULT_RESERVE_MS)) return;
      const onboardingId = ids[next++]!;
      report.checked++;
      try {
        await sweepOne(onboardingId, settings, now, report, batches);
      } catch (error) {
        report.errors++;
        logger.warn('sweep of an onboarding failed', { onboardingId, errorName: (error as Error)?.name });
      }
    }
  };
  await Promise.all(Array.from({ length: limits.concurrency ?? SWEEP_CONCURRENCY }, worker));
  report.leftForNextSweep = ids.length - next;
  try {
    const notices = await publishKeptNotices();
    report.noticesPublished = notices.published;
    report.noticesLeft = notices.left;
  } catch (error) {
    report.errors++;
    logger.warn('publishing kept notices failed', { errorName: (error as Error)?.name });
  }
  metrics.addMetric('OnboardingsPastRedriveCap', 'Count', report.pastCap);
  metrics.addMetric('OldestOverdueWaitSeconds', 'Seconds', report.oldestOverdueWaitSeconds);
  if (report.errors > 0) metrics.addMetric('SweepErrors', 'Count', report.errors);
  logger.info('sweep done', { ...report });
  return report;
}

/** Per sweep, whether each batch still runs: a batch's users share one answer, not a DescribeExecution each. */
type BatchLookups = Map<string, Promise<boolean>>;

/** Whether the record waits for a batch that is still running (the batch execution is named after the batch). */
function heldByRunningBatch(record: OnboardingRecord, batches: BatchLookups): Promise<boolean> {
  if (!record.batchId) return Promise.resolve(false);
  let running = batches.get(record.batchId);
  if (!running) {
    running = batchRunning(record.batchId);
    batches.set(record.batchId, running);
  }
  return running;
}

async function batchRunning(batchId: string): Promise<boolean> {
  const machine = requireEnv('CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN');
  const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${batchId}`;
  try {
    const { status } = await describeExecution({ executionArn });
    return status === 'RUNNING' || status === 'PENDING_REDRIVE';
  } catch (error) {
    if (isAwsError(error, 'ExecutionDoesNotExist')) return false;
    throw error;
  }
}

async function sweepOne(
  onboardingId: string,
  settings: SweepSettings,
  now: Date,
  report: SweepReport,
  batches: BatchLookups,
): Promise<void> {
  // The index is eventually consistent: act on the record as it is now.
  const record = await findOnboarding(onboardingId);
  if (!record || !OPEN_STATUSES.includes(record.status)) return;
  const ageSeconds = (now.getTime() - Date.parse(record.updatedAt)) / 1000;

  if (!record.executionArn) {
    if (record.status !== 'ACCEPTED' || ageSeconds < settings.startGraceSeconds) return;
    // A batch starts its users at the provider's pace, so they wait ACCEPTED for as long as it runs.
    if (await heldByRunningBatch(record, batches)) {
      report.heldByBatch++;
      return;
    }
    const target = executionTarget(record);
    await ensureExecutionStarted(record, target.stateMachineArn, target.input);
    report.started++;
    return;
  }

  if (pastCapAlready(record, settings)) {
    report.pastCap++;
    return;
  }
  const execution = await describeExecutionOf(record);
  if (!execution) {
    if (!withinCap(record, undefined, settings, report)) return;
    await restart(record, undefined, 'sweeper');
    report.restarted++;
    return;
  }
  const status = execution.status ?? 'RUNNING';
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    await sweepRunning(record, execution, now, report);
    return;
  }
  // The record may have changed while the execution was described (it may have just completed): read it again.
  const latest = await findOnboarding(onboardingId);
  if (!latest || !OPEN_STATUSES.includes(latest.status) || latest.executionArn !== record.executionArn) return;
  if (FAILED_STATUSES.has(status)) {
    let failed = latest;
    const key = `FAILED#${execution.name ?? onboardingId}#${execution.redriveCount ?? 0}`;
    // A failure not yet recorded, or recorded but never published: recordFailure's lease publishes it.
    if (latest.status !== 'FAILED' || !latest.publishedEvents.includes(key)) {
      // The status change was missed (or arrived before the record existed): record it now.
      failed = await recordFailure(onboardingId, {
        execution: execution.name ?? onboardingId,
        status: status as 'FAILED' | 'TIMED_OUT' | 'ABORTED',
        redriveCount: execution.redriveCount ?? 0,
        error: execution.error,
      });
      if (latest.status !== 'FAILED') report.markedFailed++;
      if (failed.status !== 'FAILED') return;
    }
    // An operator's StopExecution is deliberate: recorded as a failure, left to an operator's retry.
    if (status === 'ABORTED') return;
    // Counted from the last failure, not the redrive before it.
    const failedAt = execution.stopDate ?? now;
    if (now.getTime() - failedAt.getTime() < settings.redriveDelaySeconds * 1000) return;
    if (!withinCap(failed, execution, settings, report)) return;
    const recovery = await redriveOrRestart(failed, execution, 'sweeper');
    if (recovery.action === 'redriven') report.redriven++;
    else report.restarted++;
    return;
  }
  // SUCCEEDED while the record still expects work: the execution that ends it is gone.
  if (!withinCap(latest, undefined, settings, report)) return;
  await restart(latest, undefined, 'sweeper');
  report.restarted++;
}

/**
 * A failure recorded and published whose automatic budget is spent: it stays FAILED for an operator
 * (the alarm is the signal), and costs the sweep no DescribeExecution.
 */
function pastCapAlready(record: OnboardingRecord, settings: SweepSettings): boolean {
  const failure = record.failure;
  if (record.status !== 'FAILED' || !failure || !record.executionArn?.endsWith(`:${failure.execution}`)) return false;
  if (!record.publishedEvents.includes(`FAILED#${failure.execution}#${failure.redriveCount}`)) return false;
  return automaticRecoveries(record, failure.redriveCount) >= settings.redriveCap;
}

/** Automatic recoveries so far: redrives (AWS's own count) plus restarts, less those an operator asked for. */
const automaticRecoveries = (record: OnboardingRecord, redriveCount: number) =>
  Math.max(0, redriveCount + (record.restarts ?? 0) - (record.operatorRecoveries ?? 0));

/** Whether the onboarding may be recovered once more: redrives (AWS's own count) plus restarts under the cap. */
function withinCap(
  record: OnboardingRecord,
  execution: DescribeExecutionOutput | undefined,
  settings: SweepSettings,
  report: SweepReport,
): boolean {
  const recoveries = automaticRecoveries(record, execution?.redriveCount ?? 0);
  if (recoveries < settings.redriveCap) return true;
  report.pastCap++;
  logger.warn('automatic recovery cap reached', { onboardingId: record.onboardingId, recoveries, status: record.status });
  return false;
}

/** A running execution: the record follows it, a wait whose answer is on the record is resumed, overdue waits are measured. */
async function sweepRunning(
  record: OnboardingRecord,
  execution: DescribeExecutionOutput,
  now: Date,
  report: SweepReport,
): Promise<void> {
  let current = record;
  if (record.status === 'FAILED') {
    current = await recordRunningAgain(record.onboardingId, {
      execution: execution.name ?? record.onboardingId,
      redriveCount: execution.redriveCount ?? 0,
    });
  }
  const waiting = current.waiting;
  if (!waiting) return;
  if (await resumeIfReady(current)) {
    report.resumed++;
    return;
  }
  const timeoutSeconds = waitTimeouts()[waiting.kind];
  const overdue = (now.getTime() - Date.parse(waiting.since)) / 1000 - timeoutSeconds;
  if (overdue > report.oldestOverdueWaitSeconds) report.oldestOverdueWaitSeconds = Math.round(overdue);
}
