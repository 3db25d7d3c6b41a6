import { isAwsError } from '../shared/aws-json';
import { describeExecution, startExecution } from '../shared/sfn';
import { mutateOnboarding, timelineEntry } from '../store/onboardings';
import type { OnboardingRecord } from './record';

/**
 * Starts the execution named after the record's id on the given state machine, once, and records its
 * ARN. Step Functions treats a repeated start with the same name and input as the same execution; a
 * name already used by a closed execution is found and recorded instead. The input must hold ids only:
 * it is kept in the execution's history.
 */
export async function ensureExecutionStarted(
  record: OnboardingRecord,
  stateMachineArn: string,
  input: Record<string, unknown>,
): Promise<OnboardingRecord> {
  if (record.executionArn) return record;
  let executionArn: string;
  try {
    const started = await startExecution({ stateMachineArn, name: record.onboardingId, input: JSON.stringify(input) });
    executionArn = started.executionArn!;
  } catch (error) {
    if (!isAwsError(error, 'ExecutionAlreadyExists')) throw error;
    executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${record.onboardingId}`;
    await describeExecution({ executionArn });
  }
  return mutateOnboarding(record.onboardingId, (current) =>
    current.executionArn ? undefined : { executionArn, timeline: [...current.timeline, timelineEntry('workflow', 'STARTED')] },
  );
}
