import { Duration } from 'aws-cdk-lib';
import type { OnboardingFunction } from '../constructs/function';
import type { Monitoring } from '../constructs/monitoring';
import { Recovery } from '../constructs/recovery';
import type { Workflow } from '../constructs/workflow';
import { makeFunction, type StackParts } from './parts';
import type { Workflows } from './workflows';

/** The recovery functions: status changes, the sweeper and the operators' retry route. */
export interface RecoveryParts {
  readonly recovery: Recovery;
  /** `POST /onboardings/{id}/retry`. */
  readonly retry: OnboardingFunction;
  /** Every recovery function, by construct id. */
  readonly functions: Readonly<Record<string, OnboardingFunction>>;
}

/**
 * Failed executions are recorded from Step Functions' own events, redriven by the sweeper up to the
 * cap (then an alarm), and on demand by operators; the sweeper also heals onboardings left without a
 * running execution and measures overdue waits.
 */
export function wireRecovery(
  parts: StackParts,
  { onboarding, connectMigration }: Workflows,
  batch: Workflow,
  monitoring: Monitoring,
): RecoveryParts {
  const { config, table, events } = parts;
  const executionStatus = makeFunction(
    parts,
    'ExecutionStatus',
    'Step Functions status changes: marks failed onboardings FAILED and publishes it once; a redrive moves them on',
  );
  table.grantReadWrite(executionStatus);
  events.grantPublish(executionStatus);

  const sweeper = makeFunction(
    parts,
    'Sweeper',
    'Scheduled: redrives failed onboardings up to the cap, starts or restarts stranded ones, resumes answered waits',
    // Many onboardings may need a look: the longest a scheduled function may take here.
    300,
  );
  table.grantReadWrite(sweeper);
  events.grantPublish(sweeper);
  // Provider notices a webhook kept while the rate budget was full are read back from the provider here.
  parts.secrets.grantProviderRead(sweeper, 'wallex');
  onboarding.grantTaskSuccess(sweeper);
  // A migration taken by a batch waits for the batch to start it: the sweeper checks the batch still runs.
  batch.grantDescribe(sweeper);

  const retry = makeFunction(
    parts,
    'Retry',
    'POST /onboardings/{id}/retry: an operator redrives a failed onboarding, or starts it again where AWS cannot redrive',
  );
  table.grantReadWrite(retry);

  for (const fn of [sweeper, retry]) {
    onboarding.grantRecovery(fn);
    connectMigration.grantRecovery(fn);
  }

  const recovery = new Recovery(parts.stack, 'Recovery', {
    stateMachines: [onboarding.stateMachine, connectMigration.stateMachine],
    executionStatus,
    sweeper,
    sweepInterval: Duration.minutes(config.sweepIntervalMinutes),
  });

  monitoring.watchMetric(
    'RedriveCapReached',
    `Onboardings left FAILED after ${config.redriveCap} automatic recoveries: an operator must look (POST /onboardings/{id}/retry)`,
    'OnboardingsPastRedriveCap',
    'Maximum',
  );
  monitoring.watchMetric(
    'OverdueWait',
    `An open wait is more than ${config.overdueWaitAlarmSeconds} s past its timeout: its execution is not moving on`,
    'OldestOverdueWaitSeconds',
    'Maximum',
    config.overdueWaitAlarmSeconds,
  );

  return {
    recovery,
    retry,
    functions: { ExecutionStatus: executionStatus, Sweeper: sweeper, Retry: retry },
  };
}
