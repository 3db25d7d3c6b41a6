/**
 * What the deployed stack must give each function, as local/runtime.ts wires them on one machine: the
 * entry point, the environment it reads, and what its role may do (in the words of permissionsOf).
 */

import { ENTRY_POINTS } from '../../manifest/entry-points';

/** Every Lambda entry point and the function that runs it (manifest/entry-points.ts). */
export const HANDLERS = ENTRY_POINTS;
export type FunctionName = keyof typeof HANDLERS;
export const FUNCTIONS = Object.keys(HANDLERS) as FunctionName[];

export const COMMON_ENV = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', 'TABLE_NAME'];
const PROVIDER_ENV = [
  'BUCKET_NAME',
  'STRAITSX_SECRET_ARN',
  'STRAITSX_BASE_URL',
  'WALLEX_SECRET_ARN',
  'WALLEX_BASE_URL',
  'STRADDLE_SECRET_ARN',
  'STRADDLE_BASE_URL',
  'PROVIDER_TIMEOUT_MS',
  'EVENT_BUS_NAME',
];
/** Provider-calling workflow steps also learn the retry policy, to say when their next attempt starts. */
const PROVIDER_STEP_ENV = [...PROVIDER_ENV, 'PROVIDER_RETRY_POLICY'];
const MACHINES_ENV = ['STATE_MACHINE_ARN', 'CONNECT_MIGRATION_STATE_MACHINE_ARN'];
const TIMEOUTS_ENV = ['DOCUMENTS_TIMEOUT_SECONDS', 'VERIFICATION_TIMEOUT_SECONDS', 'ACCOUNT_TIMEOUT_SECONDS'];
const BATCH_INTAKE_ENV = [
  'BUCKET_NAME',
  'PLATFORM_SECRET_ARN',
  'MERCHANT_ID',
  'CONNECT_MIGRATION_STATE_MACHINE_ARN',
  'CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN',
];
export const ENV: Record<FunctionName, string[]> = {
  Intake: [
    'BUCKET_NAME',
    'STATE_MACHINE_ARN',
    'PLATFORM_SECRET_ARN',
    'MERCHANT_ID',
    'EVENT_BUS_NAME',
    'DOCUMENTS_TIMEOUT_SECONDS',
    'VERIFICATION_TIMEOUT_SECONDS',
    'ACCOUNT_TIMEOUT_SECONDS',
  ],
  GetOnboarding: [],
  DocumentUpload: ['BUCKET_NAME'],
  DocumentUploaded: ['BUCKET_NAME'],
  ProfileUpdate: ['BUCKET_NAME', 'STRAITSX_SECRET_ARN', 'STRAITSX_BASE_URL', 'PROVIDER_TIMEOUT_MS'],
  Review: PROVIDER_ENV,
  MigrationsIntake: ['BUCKET_NAME', 'PLATFORM_SECRET_ARN', 'CONNECT_MIGRATION_STATE_MACHINE_ARN', 'MERCHANT_ID'],
  CreateProfile: PROVIDER_STEP_ENV,
  SubmitDetails: PROVIDER_STEP_ENV,
  UploadDocument: PROVIDER_STEP_ENV,
  StartScreening: PROVIDER_STEP_ENV,
  CreateVirtualAccount: PROVIDER_STEP_ENV,
  CheckStatus: PROVIDER_STEP_ENV,
  WaitFor: [],
  Finish: ['EVENT_BUS_NAME'],
  MigrateAccount: [...PROVIDER_STEP_ENV, 'STRAITSX_CONNECT_BASE_URL'],
  FinishMigration: ['EVENT_BUS_NAME'],
  // No vault: a profile a notification announces is read by the workflow, not the webhook.
  Webhook: PROVIDER_ENV.filter((name) => name !== 'BUCKET_NAME'),
  ExecutionStatus: ['EVENT_BUS_NAME'],
  Sweeper: [
    ...MACHINES_ENV,
    ...TIMEOUTS_ENV,
    'CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN',
    'EVENT_BUS_NAME',
    'REDRIVE_CAP',
    'REDRIVE_DELAY_SECONDS',
    // The Wallex notices a webhook kept while the rate budget was full.
    'WALLEX_SECRET_ARN',
    'WALLEX_BASE_URL',
    'PROVIDER_TIMEOUT_MS',
  ],
  Retry: [...MACHINES_ENV, ...TIMEOUTS_ENV],
  BuildBatchReport: ['BUCKET_NAME', 'EVENT_BUS_NAME'],
  MigrationBatches: BATCH_INTAKE_ENV,
  MigrationBatchUploaded: BATCH_INTAKE_ENV,
  MigrationBatchStatus: ['BUCKET_NAME'],
};

// What each role may do, in the words of permissionsOf (KMS, logs and X-Ray are checked apart).
// CDK's table grants cover the table's indexes (the sparse open-records index) as `table/index/*`.
const tableRead = ['dynamodb:read table', 'dynamodb:read table/index/*'];
const tableReadWrite = [...tableRead, 'dynamodb:write table', 'dynamodb:write table/index/*'];
// Reading a prefix lists it too, so a missing key is S3's 404, not a 403.
const readObjects = (prefix: string) => [`s3:GetObject bucket/${prefix}*`, `s3:ListBucket bucket prefix ${prefix}*`];
const putObjects = (prefix: string) => [`s3:PutObject bucket/${prefix}*`];
const readSecret = (name: string) => [
  `secretsmanager:DescribeSecret secret:${name}`,
  `secretsmanager:GetSecretValue secret:${name}`,
];
const publish = ['events:PutEvents bus'];
const resume = ['states:SendTaskSuccess onboarding'];
const start = (stateMachine: string) => [
  `states:StartExecution ${stateMachine}`,
  `states:DescribeExecution arn::states:::execution:${stateMachine}.Name:*`,
];
/** Redrive is an action on executions: granted on this machine's executions, never on the state machine. */
const recover = (stateMachine: string) => [
  ...start(stateMachine),
  `states:RedriveExecution arn::states:::execution:${stateMachine}.Name:*`,
];
const providerStep = [
  ...tableReadWrite,
  ...readObjects('vault/'),
  ...readObjects('documents/'),
  ...readSecret('straitsx'),
  ...readSecret('wallex'),
  ...readSecret('straddle'),
  ...publish,
  ...resume,
];
const batchIntake = [
  ...tableReadWrite,
  ...putObjects('vault/'),
  ...readObjects('migration-batches/'),
  ...putObjects('migration-batches/'),
  ...readSecret('platform'),
  ...start('connect-migration-batch'),
];
export const PERMISSIONS: Record<FunctionName, string[]> = {
  Intake: [
    ...tableReadWrite,
    ...putObjects('vault/'),
    ...readSecret('platform'),
    ...start('onboarding'),
    ...publish,
    // Requests it failed on go to the dead-letter queue.
    'sqs:GetQueueAttributes dlq',
    'sqs:GetQueueUrl dlq',
    'sqs:SendMessage dlq',
  ],
  GetOnboarding: tableRead,
  DocumentUpload: [...tableReadWrite, ...putObjects('documents/')],
  DocumentUploaded: [...tableReadWrite, ...readObjects('documents/'), ...resume],
  // The merged customer goes back to the vault under a new key.
  ProfileUpdate: [...tableReadWrite, ...readObjects('vault/'), ...putObjects('vault/'), ...readSecret('straitsx')],
  Review: [...tableReadWrite, ...readObjects('vault/'), ...readSecret('straddle'), ...resume],
  MigrationsIntake: [...tableReadWrite, ...putObjects('vault/'), ...readSecret('platform'), ...start('connect-migration')],
  CreateProfile: providerStep,
  SubmitDetails: providerStep,
  UploadDocument: providerStep,
  StartScreening: providerStep,
  CreateVirtualAccount: providerStep,
  CheckStatus: providerStep,
  WaitFor: [...tableReadWrite, ...resume],
  Finish: [...tableReadWrite, ...publish],
  MigrateAccount: [...tableReadWrite, ...readObjects('vault/'), ...readSecret('straitsx')],
  FinishMigration: [...tableReadWrite, ...publish],
  // One function for every provider's webhook: each provider's secret, the vault (a re-read needs the customer).
  Webhook: [
    ...tableReadWrite,
    ...readSecret('straitsx'),
    ...readSecret('wallex'),
    ...readSecret('straddle'),
    ...publish,
    ...resume,
  ],
  ExecutionStatus: [...tableReadWrite, ...publish],
  // Marks missed failures (publishing them) and resumes waits whose answer is on the record.
  // It also asks whether the batch that took a migration still runs, before starting the migration itself.
  Sweeper: [
    ...tableReadWrite,
    ...publish,
    ...resume,
    ...recover('onboarding'),
    ...recover('connect-migration'),
    'states:DescribeExecution arn::states:::execution:connect-migration-batch.Name:*',
    ...readSecret('wallex'),
  ],
  Retry: [...tableReadWrite, ...recover('onboarding'), ...recover('connect-migration')],
  BuildBatchReport: [...tableRead, ...readObjects('migration-batches/'), ...putObjects('migration-batches/'), ...publish],
  // Intake of a batch: the single migration's rights (records, vault), the batch folder, and the batch's start.
  MigrationBatches: [...batchIntake, ...putObjects('migration-uploads/')],
  MigrationBatchUploaded: [...batchIntake, ...readObjects('migration-uploads/'), 's3:DeleteObject bucket/migration-uploads/*'],
  MigrationBatchStatus: [
    ...tableRead,
    ...readObjects('migration-batches/'),
    'states:DescribeExecution arn::states:::execution:connect-migration-batch.Name:*',
  ],
};
