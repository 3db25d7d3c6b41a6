import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { STRAITSX_CALLBACK_EVENTS } from '../functions/providers/straitsx/webhook';
import type { OnboardingConfig } from './config';
import { OnboardingApi } from './constructs/api';
import { DocumentsBucket } from './constructs/bucket';
import { Encryption } from './constructs/encryption';
import { MerchantEvents } from './constructs/events';
import { Monitoring } from './constructs/monitoring';
import { StackOutputs } from './constructs/outputs';
import { ProviderSecrets } from './constructs/secrets';
import { OnboardingTable } from './constructs/table';
import { wireConnectMigrationBatch } from './wiring/connect-migration-batch';
import { wireEntryPoints } from './wiring/entry-points';
import { stackEnvironment } from './wiring/parts';
import { wireRecovery } from './wiring/recovery';
import { wireWorkflows } from './wiring/workflows';

/** Props of {@link OnboardingStack}. */
export interface OnboardingStackProps extends StackProps {
  /** The checked configuration (see lib/config.ts). */
  readonly config: OnboardingConfig;
}

/**
 * The onboarding orchestrator: wires the constructs of lib/constructs, creates nothing of its own. The
 * functions are wired in lib/wiring (workflow steps, entry points), directly in this stack.
 */
export class OnboardingStack extends Stack {
  constructor(scope: Construct, id: string, props: OnboardingStackProps) {
    super(scope, id, props);
    const { config } = props;

    const encryption = new Encryption(this, 'Encryption');
    const table = new OnboardingTable(this, 'Onboardings', { key: encryption.key });
    const documents = new DocumentsBucket(this, 'Documents', { key: encryption.key });
    const secrets = new ProviderSecrets(this, 'Secrets', { namePrefix: config.stackName, key: encryption.key });
    const events = new MerchantEvents(this, 'Events', {
      busName: `${config.stackName}-merchant`,
      merchantEventSource: config.merchantEventSource,
      encryption,
    });

    const shared = { stack: this, config, encryption, table, documents, secrets, events };
    const parts = { ...shared, environment: stackEnvironment(shared) };
    const workflows = wireWorkflows(parts);
    const { onboarding, connectMigration } = workflows;
    const entryPoints = wireEntryPoints(parts, workflows);
    const batch = wireConnectMigrationBatch(parts, workflows);
    const monitoring = new Monitoring(this, 'Monitoring', { encryption, alarmEmail: config.alarmEmail });
    const recovery = wireRecovery(parts, workflows, batch.workflow, monitoring);

    const api = new OnboardingApi(this, 'Api', {
      ...entryPoints.routes,
      ...batch.routes,
      retry: recovery.retry,
      wallexSourceIps: config.wallexSourceIps,
      logRetention: config.logRetentionDays,
      logKey: encryption.key,
    });

    monitoring.watchStateMachine('Onboarding', onboarding.stateMachine);
    monitoring.watchStateMachine('ConnectMigration', connectMigration.stateMachine);
    monitoring.watchStateMachine('ConnectMigrationBatch', batch.workflow.stateMachine);
    const functions = { ...entryPoints.functions, ...workflows.functions, ...recovery.functions, ...batch.functions };
    for (const [name, fn] of Object.entries(functions)) monitoring.watchFunction(name, fn);
    monitoring.watchDeadLetterQueue('OnboardingRequestsDlq', events.deadLetterQueue);
    monitoring.watchApi('Api', api.api);

    new StackOutputs(this, 'Outputs', {
      ApiUrl: { value: api.api.url, description: 'Base URL of the onboarding API' },
      MerchantApiAccessPolicyArn: {
        value: api.merchantAccess.managedPolicyArn,
        description: "Attach to the merchant backend's role: IAM-signed calls to the merchant routes",
      },
      OperatorApiAccessPolicyArn: {
        value: api.operatorAccess.managedPolicyArn,
        description: 'Attach to authorised operators only: IAM-signed POST /onboardings/{id}/review and /retry',
      },
      StraitsxWebhookUrlPattern: {
        value: api.webhookUrls.straitsx,
        description: `Register at StraitsX once per callback, <event> being each of: ${STRAITSX_CALLBACK_EVENTS.join(', ')}`,
      },
      StraddleWebhookUrl: { value: api.webhookUrls.straddle, description: 'Register as the Straddle webhook endpoint' },
      WallexWebhookUrl: {
        value: api.webhookUrls.wallex,
        description: 'Register as the Wallex notification URL, with the secret header',
      },
      EventBusName: { value: events.bus.eventBusName, description: "The merchant's event bus" },
      StateMachineArn: { value: onboarding.stateMachine.stateMachineArn, description: 'The onboarding state machine' },
      ConnectMigrationStateMachineArn: {
        value: connectMigration.stateMachine.stateMachineArn,
        description: 'The StraitsX Connect migration state machine',
      },
      TableName: { value: table.table.tableName, description: 'The onboarding table' },
      BucketName: { value: documents.bucket.bucketName, description: 'PII vault and documents bucket' },
      PlatformSecretArn: { value: secrets.platform.secretArn, description: 'Platform secret (generated; never change it)' },
      StraitsxSecretArn: {
        value: secrets.providers.straitsx.secretArn,
        description: 'Set to {"apiKey": "...", "callbackSigningKey": "..."} after deploy',
      },
      WallexSecretArn: {
        value: secrets.providers.wallex.secretArn,
        description: 'Wallex credentials and webhook header, set after deploy',
      },
      StraddleSecretArn: {
        value: secrets.providers.straddle.secretArn,
        description: 'Straddle API key and webhook secret, set after deploy',
      },
      AlarmTopicArn: { value: monitoring.topic.topicArn, description: 'Alarm notifications' },
    });
  }
}
