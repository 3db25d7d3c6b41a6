import { logger, metrics } from '../shared/powertools';
import { mutateOnboarding, timelineEntry } from '../store/onboardings';
import { DETAIL_TYPES, outcomeDetail, publish } from './events';
import { FINAL_STATUSES, type OnboardingRecord } from './record';

/**
 * How a kind of record that a flow adds (a Connect migration) announces its failure with the flow's own
 * event; undefined for records of other kinds. The domain knows no flow: the handlers that record
 * failures register the flows' announcers, and a record none claims fails as an onboarding.
 */
export type FailureAnnouncer = (
  record: OnboardingRecord,
  eventId: string,
) => { detailType: string; detail: Record<string, unknown> } | undefined;

const announcers: FailureAnnouncer[] = [];

/** Adds a flow's failure announcer (once, however often it is called). */
export function announceFailuresWith(announcer: FailureAnnouncer): void {
  if (!announcers.includes(announcer)) announcers.push(announcer);
}

/** How an execution ended without success, as Step Functions reports it. */
export interface FailedExecution {
  /** The execution's name. */
  execution: string;
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** Step Functions' redrive count: each redrive's failure is a failure of its own. */
  redriveCount: number;
  /** The error name Step Functions reports; its cause is never read. */
  error?: string;
}

/** Error names are ours or AWS's (`States.Timeout`, `Lambda.ServiceException`); anything else is not kept. */
const ERROR_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,79}$/;

/** The error name to keep: the reported one when it looks like a name, else the status itself. */
export function errorNameOf(failed: Pick<FailedExecution, 'error' | 'status'>): string {
  return failed.error && ERROR_NAME.test(failed.error) ? failed.error : failed.status;
}

/** How long the writer of a failure has to publish its event before a later report publishes it instead. */
const PUBLISH_LEASE_MS = 60_000;

/** The key of one failure in `publishedEvents` and on the record: execution and redrive. */
const failureKey = (failed: Pick<FailedExecution, 'execution' | 'redriveCount'>) =>
  `FAILED#${failed.execution}#${failed.redriveCount}`;

/**
 * Marks the record FAILED after its execution failed, timed out or was aborted, and publishes
 * `Onboarding Failed` (`Connect Migration Failed` for a migration) once per failure. A final record,
 * or one that needs a person, is left alone. Repeats of the same status change change nothing.
 */
export async function recordFailure(onboardingId: string, failed: FailedExecution): Promise<OnboardingRecord> {
  const key = failureKey(failed);
  const error = errorNameOf(failed);
  // Whether this call wrote the failure (the last attempt of the conditional write is the one that counts).
  let wrote = false;
  const record = await mutateOnboarding(onboardingId, (current) => {
    wrote = false;
    if (FINAL_STATUSES.includes(current.status) || current.status === 'NEEDS_ATTENTION') return undefined;
    // A failure already handled (even one since redriven, with the record back in progress) is not applied again.
    if (current.failure && failureKey(current.failure) === key) return undefined;
    if (isPastRun(current, failed)) return undefined;
    wrote = true;
    return {
      status: 'FAILED',
      waiting: undefined,
      retry: undefined,
      failure: {
        execution: failed.execution,
        redriveCount: failed.redriveCount,
        status: failed.status,
        error,
        at: new Date().toISOString(),
      },
      outcome: { reason: error },
      timeline: [...current.timeline, timelineEntry('execution', failed.status, error)],
    };
  });
  if (record.status !== 'FAILED' || record.publishedEvents.includes(key)) return record;
  // The status-change event and the sweeper can report one failure at the same moment: the writer of the
  // failure publishes. Another caller publishes only when that writer has plainly died before marking it.
  const orphaned = record.failure && Date.now() - Date.parse(record.failure.at) > PUBLISH_LEASE_MS;
  if (!wrote && !orphaned) return record;

  const eventId = `${onboardingId}:${key}`;
  // Published before it is marked: a crash in between publishes again (at least once); consumers
  // de-duplicate on the detail's eventId, which is stable per failure.
  const announced = announcers.map((announce) => announce(record, eventId)).find((a) => a !== undefined);
  if (announced) await publish(announced.detailType, announced.detail);
  else await publish(DETAIL_TYPES.FAILED, outcomeDetail(record, 'FAILED', eventId));
  const marked = await mutateOnboarding(onboardingId, (current) =>
    current.publishedEvents.includes(key) ? undefined : { publishedEvents: [...current.publishedEvents, key] },
  );
  metrics.addMetric('OnboardingFailed', 'Count', 1);
  logger.warn('execution failed', { onboardingId, execution: failed.execution, status: failed.status, errorName: error });
  return marked;
}

/** The name of the execution a record points at (the last segment of its ARN). */
export const executionNameOf = (record: Pick<OnboardingRecord, 'executionArn'>): string | undefined =>
  record.executionArn?.split(':').pop();

/**
 * Whether a reported run is one the record has moved past: an execution other than the record's own,
 * or a redrive of it older than the last one seen running. Its status changes nothing.
 */
export function isPastRun(
  record: Pick<OnboardingRecord, 'executionArn' | 'running'>,
  run: { execution: string; redriveCount: number },
): boolean {
  const current = executionNameOf(record);
  if (current && run.execution !== current) return true;
  return !!record.running && record.running.execution === run.execution && run.redriveCount < record.running.redriveCount;
}

/**
 * Moves a FAILED record back to IN_PROGRESS once an execution runs for it again: the failed one
 * redriven (a higher redrive count), or a new one. A late RUNNING event of the execution that then
 * failed changes nothing.
 */
export async function recordRunningAgain(
  onboardingId: string,
  running: { execution: string; redriveCount: number },
): Promise<OnboardingRecord> {
  return mutateOnboarding(onboardingId, (current) => {
    if (isPastRun(current, running)) return undefined;
    const seen = current.running;
    const newer =
      !seen || seen.execution !== running.execution || running.redriveCount > seen.redriveCount
        ? { running: { execution: running.execution, redriveCount: running.redriveCount } }
        : undefined;
    if (current.status !== 'FAILED') return newer;
    const failure = current.failure;
    const again = !failure || failure.execution !== running.execution || running.redriveCount > failure.redriveCount;
    if (!again) return newer;
    const how = failure?.execution === running.execution ? 'REDRIVEN' : 'RESTARTED';
    return { ...newer, status: 'IN_PROGRESS', timeline: [...current.timeline, timelineEntry('execution', how)] };
  });
}
