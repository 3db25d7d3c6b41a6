import * as z from 'zod/mini';
import { ONBOARDING_ID } from '../shared/ids';
import { logger } from '../shared/powertools';
import { findOnboarding } from '../store/onboardings';
import { recordFailure, recordRunningAgain } from './failures';

/** The detail type of Step Functions' own events on the default bus. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/** The statuses that change a record: the failures, and RUNNING again after a redrive. */
export const WATCHED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING'] as const;

/**
 * The EventBridge pattern of the status changes acted on, for the given state machines: one pattern
 * for the CDK rule and the local bus alike (EventBridge's JSON form).
 */
export function executionStatusPattern(stateMachineArns: readonly string[]) {
  return {
    source: ['aws.states'],
    'detail-type': [EXECUTION_STATUS_CHANGE],
    detail: { stateMachineArn: [...stateMachineArns], status: [...WATCHED_STATUSES] },
  };
}

/** The fields of the event's detail read here; `cause` and `output` are never read. */
export const statusChangeSchema = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
  input: z.nullish(z.string()),
  error: z.nullish(z.string()),
  redriveCount: z.nullish(z.number().check(z.int(), z.gte(0))),
});

export type StatusChange = z.output<typeof statusChangeSchema>;

/**
 * The onboarding an execution works on: the id in its input (ids only), or its name, which is the
 * onboarding id, followed by `-r<n>` for an execution started again.
 */
export function onboardingIdOf(change: Pick<StatusChange, 'input' | 'name'>): string | undefined {
  try {
    const input = change.input ? (JSON.parse(change.input) as { onboardingId?: unknown }) : undefined;
    if (typeof input?.onboardingId === 'string' && ONBOARDING_ID.test(input.onboardingId)) return input.onboardingId;
  } catch {
    // Not JSON: fall back on the name.
  }
  const fromName = /^(onb_[a-z2-7]{26})(?:-r\d+)?$/.exec(change.name)?.[1];
  return fromName && ONBOARDING_ID.test(fromName) ? fromName : undefined;
}

/** Applies one `Step Functions Execution Status Change` to the record of its onboarding. */
export async function applyExecutionStatus(detail: unknown): Promise<'failed' | 'running' | 'ignored'> {
  const parsed = statusChangeSchema.safeParse(detail);
  if (!parsed.success) {
    logger.warn('status change not understood', { fields: parsed.error.issues.map((i) => i.path.join('.')) });
    return 'ignored';
  }
  const change = parsed.data;
  const onboardingId = onboardingIdOf(change);
  if (!onboardingId || !(await findOnboarding(onboardingId))) {
    logger.info('status change of no onboarding', { execution: change.executionArn, status: change.status });
    return 'ignored';
  }
  const redriveCount = change.redriveCount ?? 0;
  switch (change.status) {
    case 'FAILED':
    case 'TIMED_OUT':
    case 'ABORTED':
      await recordFailure(onboardingId, {
        execution: change.name,
        status: change.status,
        redriveCount,
        error: change.error ?? undefined,
      });
      return 'failed';
    case 'RUNNING':
      await recordRunningAgain(onboardingId, { execution: change.name, redriveCount });
      return 'running';
    default:
      return 'ignored';
  }
}
