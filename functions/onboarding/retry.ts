import { Refusal } from '../shared/refusals';
import { findOnboarding } from '../store/onboardings';
import { ensureExecutionStarted } from './executions';
import { FINAL_STATUSES, OPEN_STATUSES } from './record';
import { describeExecutionOf, executionTarget, type Recovery, RecoveryConflict, redriveOrRestart, restart } from './recovery';

/** A retry that cannot be done: no such onboarding (404), or nothing to retry (409, the message says why). */
export class RetryNotPossible extends Refusal {
  override readonly name = 'RetryNotPossible';
  constructor(statusCode: 404 | 409, message: string) {
    super(statusCode, message);
  }
}

/**
 * An operator's retry of an onboarding: its failed execution is redriven (from the step that failed),
 * or started anew with the same input where AWS cannot redrive it; an onboarding never started is
 * started, one whose execution is lost starts again. A running or finished one is left alone.
 */
export async function retryOnboarding(onboardingId: string): Promise<Recovery> {
  try {
    return await retryOnce(onboardingId);
  } catch (error) {
    // The record moved on between the read and the claim (it finished, or another recovery took it).
    if (error instanceof RecoveryConflict) throw new RetryNotPossible(409, error.message);
    throw error;
  }
}

async function retryOnce(onboardingId: string): Promise<Recovery> {
  const record = await findOnboarding(onboardingId);
  if (!record) throw new RetryNotPossible(404, 'No onboarding with this id.');
  if (FINAL_STATUSES.includes(record.status)) {
    throw new RetryNotPossible(409, `The onboarding has finished (${record.status}): there is nothing to retry.`);
  }
  if (!record.executionArn) {
    const target = executionTarget(record);
    const started = await ensureExecutionStarted(record, target.stateMachineArn, target.input);
    return { action: 'started', executionArn: started.executionArn ?? '', record: started };
  }
  const execution = await describeExecutionOf(record);
  if (!execution) return restart(record, undefined, 'operator');
  switch (execution.status) {
    case 'RUNNING':
    case 'PENDING_REDRIVE':
      throw new RetryNotPossible(409, 'Its execution is running: there is nothing to retry.');
    case 'SUCCEEDED':
      // An execution that ended while the record still expects one has lost track of it: start again.
      if (OPEN_STATUSES.includes(record.status)) return restart(record, undefined, 'operator');
      throw new RetryNotPossible(
        409,
        `Its execution has finished (the onboarding is ${record.status}): there is nothing to retry.`,
      );
    default:
      return redriveOrRestart(record, execution, 'operator');
  }
}
