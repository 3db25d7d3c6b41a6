import { isAwsError } from '../shared/aws-json';
import { logger } from '../shared/powertools';
import { sendTaskSuccess } from '../shared/sfn';
import { mutateOnboarding, timelineEntry } from '../store/onboardings';
import type { OnboardingRecord, OnboardingStatus, WaitKind } from './record';

const VERDICTS = new Set(['verified', 'rejected', 'needs_documents', 'unknown']);
const ACCOUNT_SETTLED = new Set(['enabled', 'disabled']);

/** Required document slots that have no checked upload yet. */
export function missingDocuments(record: OnboardingRecord): string[] {
  return (record.requiredDocuments ?? [])
    .filter((d) => d.required && record.documents?.[d.slot]?.status !== 'received')
    .map((d) => d.slot);
}

/**
 * What a waiting execution is resumed with once the thing it waits for has happened, or undefined while
 * it has not: the profile's verdict, the account's settled status, or every required document.
 */
export function readiness(record: OnboardingRecord, kind: WaitKind): unknown {
  switch (kind) {
    case 'verification':
      if (record.profileStatus && VERDICTS.has(record.profileStatus)) return record.profileStatus;
      // A notification that proves nothing by itself: the workflow reads the status from the provider.
      return record.profileCheckRequestedAt ? 'unconfirmed' : undefined;
    case 'account':
      return record.virtualAccount && ACCOUNT_SETTLED.has(record.virtualAccount.status)
        ? record.virtualAccount.status
        : undefined;
    case 'documents':
      return missingDocuments(record).length === 0 ? 'received' : undefined;
  }
}

const WAIT_STATUS: Record<WaitKind, OnboardingStatus> = {
  documents: 'AWAITING_DOCUMENTS',
  verification: 'AWAITING_PROVIDER',
  account: 'AWAITING_PROVIDER',
};

/**
 * Registers the task token of a waiting execution on the record. The token and the awaited status live
 * on the same item and every write is conditional on its version, so whichever of "the wait began" and
 * "the provider answered" is written second sees the other and resumes the execution: a webhook that
 * arrives before the wait is never lost.
 */
export async function startWaiting(onboardingId: string, kind: WaitKind, taskToken: string): Promise<void> {
  const record = await mutateOnboarding(onboardingId, (current) => ({
    waiting: { kind, taskToken, since: new Date().toISOString() },
    ...(current.status === 'NEEDS_INFORMATION' ? {} : { status: WAIT_STATUS[kind] }),
    timeline: [...current.timeline, timelineEntry(`wait-for-${kind}`, 'WAITING')],
  }));
  await resumeIfReady(record);
}

/**
 * Resumes the waiting execution when what it waits for has happened; true when it was resumed here. When
 * the token is closed (the other writer resumed it, the wait timed out, or the execution is gone) the record
 * is left as it is: what arrived stays on it for the next wait to pick up, and the status does not claim
 * the onboarding moved on while nothing may be running.
 */
export async function resumeIfReady(record: OnboardingRecord): Promise<boolean> {
  const waiting = record.waiting;
  if (!waiting) return false;
  const output = readiness(record, waiting.kind);
  if (output === undefined) return false;
  try {
    await sendTaskSuccess({ taskToken: waiting.taskToken, output: JSON.stringify(output) });
    logger.info('execution resumed', { onboardingId: record.onboardingId, waitFor: waiting.kind });
  } catch (error) {
    if (!isAwsError(error, 'TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken')) throw error;
    logger.info('waiting task already closed', {
      onboardingId: record.onboardingId,
      waitFor: waiting.kind,
      errorName: (error as Error).name,
    });
    return false;
  }
  await clearWaiting(record.onboardingId, waiting.taskToken);
  return true;
}

/** Forgets a wait's token (resumed, timed out or superseded); leaves a newer wait alone. */
export async function clearWaiting(onboardingId: string, taskToken?: string): Promise<void> {
  await mutateOnboarding(onboardingId, (current) =>
    current.waiting && (!taskToken || current.waiting.taskToken === taskToken)
      ? { waiting: undefined, ...(current.status.startsWith('AWAITING_') ? { status: 'IN_PROGRESS' as const } : {}) }
      : undefined,
  );
}
