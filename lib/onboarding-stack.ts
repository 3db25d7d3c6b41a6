import { fileURLToPath } from 'node:url';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { OnboardingConfig } from './config';
import { OnboardingApi } from './constructs/api';
import { DocumentsBucket, VAULT_PREFIX } from './constructs/bucket';
import { Encryption } from './constructs/encryption';
import { MerchantEvents } from './constructs/events';
import { OnboardingFunction } from './constructs/function';
import { Monitoring } from './constructs/monitoring';
import { StackOutputs } from './constructs/outputs';
import { ProviderSecrets } from './constructs/secrets';
import { OnboardingTable } from './constructs/table';
import { Workflow } from './constructs/workflow';

/** Props of {@link OnboardingStack}. */
export interface OnboardingStackProps extends StackProps {
  /** The checked configuration (see lib/config.ts). */
  readonly config: OnboardingConfig;
}

const workflowFile = (name: string) => fileURLToPath(new URL(`../workflows/${name}.asl.json`, import.meta.url));

/** The onboarding orchestrator: wires the constructs of lib/constructs, creates nothing of its own. */
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

    const defaults = { table: table.table, logRetention: config.logRetentionDays, logKey: encryption.key };
    const bucketEnv = { BUCKET_NAME: documents.bucket.bucketName };

    // Workflow steps: the same functions serve every provider, so they can read every provider's secret.
    const providerEnv = {
      ...bucketEnv,
      ...secrets.providerEnvironment(),
      STRAITSX_BASE_URL: config.straitsxBaseUrl,
      PROVIDER_TIMEOUT_MS: String(config.providerTimeoutMs),
    };
    const createProfile = new OnboardingFunction(this, 'CreateProfile', {
      ...defaults,
      handler: 'create-profile',
      description: 'Workflow step: creates (or finds) the customer profile at the provider',
      environment: providerEnv,
    });
    const createVirtualAccount = new OnboardingFunction(this, 'CreateVirtualAccount', {
      ...defaults,
      handler: 'create-virtual-account',
      description: 'Workflow step: creates (or finds) the virtual bank account',
      environment: providerEnv,
    });
    for (const step of [createProfile, createVirtualAccount]) {
      table.grantReadWrite(step);
      documents.grantRead(step, VAULT_PREFIX);
      secrets.grantProvidersRead(step);
    }
    const finish = new OnboardingFunction(this, 'Finish', {
      ...defaults,
      handler: 'finish',
      description: 'Workflow step: records the outcome and publishes it on the bus',
      environment: events.environment(),
    });
    table.grantReadWrite(finish);
    events.grantPublish(finish);

    const onboarding = new Workflow(this, 'Onboarding', {
      definitionFile: workflowFile('onboarding'),
      functions: {
        CreateProfileFunctionArn: createProfile,
        CreateVirtualAccountFunctionArn: createVirtualAccount,
        FinishFunctionArn: finish,
      },
      logRetention: config.logRetentionDays,
      logKey: encryption.key,
    });

    const intake = new OnboardingFunction(this, 'Intake', {
      ...defaults,
      handler: 'intake',
      description: 'POST /onboardings and Customer Onboarding Requested events: validates, vaults, starts the workflow',
      environment: {
        ...bucketEnv,
        ...secrets.platformEnvironment(),
        // Refused merchant events are answered with an event on the bus.
        ...events.environment(),
        STATE_MACHINE_ARN: onboarding.stateMachine.stateMachineArn,
        MERCHANT_ID: config.merchantId,
      },
    });
    table.grantReadWrite(intake);
    documents.grantPut(intake, VAULT_PREFIX);
    secrets.grantPlatformRead(intake);
    onboarding.grantStart(intake);
    events.grantPublish(intake);
    events.routeOnboardingRequests(intake);

    const getOnboarding = new OnboardingFunction(this, 'GetOnboarding', {
      ...defaults,
      handler: 'get-onboarding',
      description: 'GET /onboardings/{id}: status, provider ids and timeline',
    });
    table.grantRead(getOnboarding);

    const api = new OnboardingApi(this, 'Api', {
      intake,
      getOnboarding,
      logRetention: config.logRetentionDays,
      logKey: encryption.key,
    });

    const monitoring = new Monitoring(this, 'Monitoring', { encryption, alarmEmail: config.alarmEmail });
    monitoring.watchStateMachine('Onboarding', onboarding.stateMachine);
    const functions = {
      Intake: intake,
      GetOnboarding: getOnboarding,
      CreateProfile: createProfile,
      CreateVirtualAccount: createVirtualAccount,
      Finish: finish,
    };
    for (const [name, fn] of Object.entries(functions)) monitoring.watchFunction(name, fn);
    monitoring.watchDeadLetterQueue('OnboardingRequestsDlq', events.deadLetterQueue);
    monitoring.watchApi('Api', api.api);

    new StackOutputs(this, 'Outputs', {
      ApiUrl: { value: api.api.url, description: 'Base URL of the onboarding API (IAM-signed requests)' },
      EventBusName: { value: events.bus.eventBusName, description: "The merchant's event bus" },
      StateMachineArn: { value: onboarding.stateMachine.stateMachineArn, description: 'The onboarding state machine' },
      TableName: { value: table.table.tableName, description: 'The onboarding table' },
      BucketName: { value: documents.bucket.bucketName, description: 'PII vault and documents bucket' },
      PlatformSecretArn: { value: secrets.platform.secretArn, description: 'Platform secret (generated; never change it)' },
      StraitsxSecretArn: { value: secrets.providers.straitsx.secretArn, description: 'Set to {"apiKey": "..."} after deploy' },
      WallexSecretArn: { value: secrets.providers.wallex.secretArn, description: 'Wallex credentials, set after deploy' },
      StraddleSecretArn: { value: secrets.providers.straddle.secretArn, description: 'Straddle credentials, set after deploy' },
      AlarmTopicArn: { value: monitoring.topic.topicArn, description: 'Alarm notifications' },
    });
  }
}
