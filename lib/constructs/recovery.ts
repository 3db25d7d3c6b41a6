import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { executionStatusPattern } from '../../functions/onboarding/execution-status';

/** Props of {@link Recovery}. */
export interface RecoveryProps {
  /** The state machines whose executions are watched: this stack's own, no other. */
  readonly stateMachines: readonly IStateMachine[];
  /** Receives their status changes (failures, and RUNNING again after a redrive). */
  readonly executionStatus: IFunction;
  /** Runs on a schedule. */
  readonly sweeper: IFunction;
  /** How often the sweeper runs. */
  readonly sweepInterval: Duration;
}

/**
 * What recovers failed and stranded onboardings: a rule on the default bus for Step Functions' own
 * `Execution Status Change` events of this stack's state machines, and the sweeper's schedule.
 */
export class Recovery extends Construct {
  /** Status changes of this stack's executions, to the status function. */
  readonly statusRule: Rule;
  /** The sweeper's schedule. */
  readonly sweepSchedule: Rule;

  constructor(scope: Construct, id: string, props: RecoveryProps) {
    super(scope, id);
    const pattern = executionStatusPattern(props.stateMachines.map((machine) => machine.stateMachineArn));
    this.statusRule = new Rule(this, 'ExecutionStatusChanged', {
      description: 'Failed, timed-out, aborted and redriven executions of the onboarding state machines',
      // Step Functions sends these to the default bus; limited to this stack's machines and the statuses acted on.
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail },
      // A change lost after these retries is found by the sweeper, which reads the execution itself.
      targets: [new LambdaFunction(props.executionStatus, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
    this.sweepSchedule = new Rule(this, 'Sweep', {
      description: 'Heals onboardings that are not final but have no execution working on them',
      schedule: Schedule.rate(props.sweepInterval),
      targets: [new LambdaFunction(props.sweeper, { retryAttempts: 0 })],
    });
  }
}
