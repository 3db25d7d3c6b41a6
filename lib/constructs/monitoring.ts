import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Encryption } from './encryption';

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The stack key; the alarm topic is encrypted with it. */
  readonly encryption: Encryption;
  /** Where alarm notifications go by email, if anywhere. */
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/** Where the functions' custom metrics go (POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME). */
const METRICS_NAMESPACE = 'Onboarding';
const METRICS_SERVICE = 'onboarding';

/**
 * Alarms on what means "something is broken" (a failed or timed-out execution, a function error, a
 * request stuck in the DLQ, a 5XX from the API), all sent to one encrypted SNS topic.
 */
export class Monitoring extends Construct {
  /** Receives every alarm and OK transition. */
  readonly topic: Topic;
  /** Every alarm made here. */
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', {
      displayName: 'Onboarding alarms',
      masterKey: props.encryption.key,
      enforceSSL: true,
    });
    // CloudWatch alarms publish to the encrypted topic as the CloudWatch service, not as a role of ours.
    props.encryption.allowService('AllowCloudWatchAlarms', 'cloudwatch.amazonaws.com');
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }

  /** Alarms on any failed or timed-out execution: a business rejection ends in success, so a failure is a fault. */
  watchStateMachine(name: string, stateMachine: IStateMachine): void {
    this.alarm(`${name}Failed`, `${name} executions failed`, stateMachine.metricFailed({ period: PERIOD }));
    this.alarm(`${name}TimedOut`, `${name} executions timed out`, stateMachine.metricTimedOut({ period: PERIOD }));
  }

  /** Alarms on any error of a function. */
  watchFunction(name: string, fn: IFunction): void {
    this.alarm(`${name}Errors`, `${name} function errors`, fn.metricErrors({ period: PERIOD }));
  }

  /** Alarms as soon as a message waits in a dead-letter queue. */
  watchDeadLetterQueue(name: string, queue: IQueue): void {
    this.alarm(
      `${name}Messages`,
      `${name}: messages waiting (undelivered requests)`,
      queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
    );
  }

  /** Alarms on any 5XX answer of the API. */
  watchApi(name: string, api: RestApi): void {
    this.alarm(`${name}ServerErrors`, `${name} answered 5XX`, api.metricServerError({ period: PERIOD, statistic: 'Sum' }));
  }

  /** Alarms when one of the functions' own metrics (namespace Onboarding) reaches the threshold in five minutes. */
  watchMetric(id: string, description: string, metricName: string, statistic: 'Sum' | 'Maximum', threshold = 1): void {
    const metric = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      // Powertools adds the service as a dimension to every metric it emits.
      dimensionsMap: { service: METRICS_SERVICE },
      statistic,
      period: PERIOD,
    });
    this.alarm(id, description, metric, threshold);
  }

  private alarm(id: string, description: string, metric: IMetric, threshold = 1): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened, not that something broke.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
