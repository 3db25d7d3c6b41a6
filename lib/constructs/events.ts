import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ORCHESTRATOR_EVENT_SOURCE } from '../config';
import type { Encryption } from './encryption';

/** The detail type of the merchant's event that asks for an onboarding. */
export const ONBOARDING_REQUESTED = 'Customer Onboarding Requested';

/** Props of {@link MerchantEvents}. */
export interface MerchantEventsProps {
  /** Name of the bus, `<stackName>-merchant`. */
  readonly busName: string;
  /** Source of the merchant's own events. */
  readonly merchantEventSource: string;
  /** The stack key: the dead-letter queue holds requests with personal data. */
  readonly encryption: Encryption;
}

/**
 * The merchant's event bus: the merchant's systems put `Customer Onboarding Requested` on it, and this
 * stack publishes its outcomes there under its own source, which the request rule never matches.
 */
export class MerchantEvents extends Construct {
  /** The bus. */
  readonly bus: EventBus;
  /** Requests EventBridge could not deliver to intake after its retries. */
  readonly deadLetterQueue: Queue;
  private readonly props: MerchantEventsProps;

  constructor(scope: Construct, id: string, props: MerchantEventsProps) {
    super(scope, id);
    this.props = props;
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: props.busName,
      description: "The merchant's events and onboarding outcomes",
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryption.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (of the request rule and of intake failures); an alarm fires on its first message.',
    });
    // EventBridge encrypts what it sends to the queue with the key; only rules on this bus may.
    props.encryption.allowService('AllowEventBridgeDeadLetters', 'events.amazonaws.com', {
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${props.busName}/*` },
    });
  }

  /**
   * Sends the merchant's `Customer Onboarding Requested` events to the intake function. Both ways a
   * request can be lost end in the dead-letter queue: EventBridge failing to hand it to Lambda, and
   * the function failing on it after Lambda's own retries (EventBridge invokes asynchronously, so a
   * function error never reaches the rule's DLQ).
   */
  routeOnboardingRequests(intake: IFunction): Rule {
    intake.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    return new Rule(this, 'OnboardingRequested', {
      eventBus: this.bus,
      description: 'Merchant asks for an onboarding',
      // Matches the merchant's source only: our own events (source onboarding.orchestrator) never loop back.
      eventPattern: { source: [this.props.merchantEventSource], detailType: [ONBOARDING_REQUESTED] },
      targets: [
        new LambdaFunction(intake, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }

  /** `EVENT_BUS_NAME`. */
  environment(): Record<string, string> {
    return { EVENT_BUS_NAME: this.bus.eventBusName };
  }

  /** Lets a function publish on the bus, under this stack's own source only. */
  grantPublish(fn: IFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        // Our own source only: a function cannot forge a merchant's request (an onboarding nobody asked for).
        // events:source is multi-valued (one per entry), hence ForAllValues plus a check that it is present.
        conditions: {
          'ForAllValues:StringEquals': { 'events:source': [ORCHESTRATOR_EVENT_SOURCE] },
          Null: { 'events:source': 'false' },
        },
      }),
    );
  }
}
