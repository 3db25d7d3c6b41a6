/**
 * Every Lambda entry point: the CDK function's id and its handler file under `functions/handlers/`.
 * Read by the CDK tests, the local runtime and, in time, lib/wiring: one list, so the deployed stack and
 * the one on this machine cannot run different sets of functions.
 */
export const ENTRY_POINTS = {
  Intake: 'intake',
  GetOnboarding: 'get-onboarding',
  DocumentUpload: 'documents',
  DocumentUploaded: 'document-uploaded',
  ProfileUpdate: 'profile-update',
  Review: 'review',
  MigrationsIntake: 'migrations-intake',
  CreateProfile: 'create-profile',
  SubmitDetails: 'submit-details',
  UploadDocument: 'upload-document',
  StartScreening: 'start-screening',
  CreateVirtualAccount: 'create-virtual-account',
  CheckStatus: 'check-status',
  WaitFor: 'wait-for',
  Finish: 'finish',
  MigrateAccount: 'migrate-account',
  FinishMigration: 'finish-migration',
  Webhook: 'webhook',
  ExecutionStatus: 'execution-status',
  Sweeper: 'sweeper',
  Retry: 'retry',
  BuildBatchReport: 'migration-batch-report',
  MigrationBatches: 'migration-batches',
  MigrationBatchUploaded: 'migration-batch-uploaded',
  MigrationBatchStatus: 'migration-batch-status',
} as const;

/** The CDK id of an entry point's function (`Intake`). */
export type EntryPoint = keyof typeof ENTRY_POINTS;
/** A handler file's name under `functions/handlers/`, without `.ts`. */
export type HandlerFile = (typeof ENTRY_POINTS)[EntryPoint];

export const HANDLER_FILES = Object.values(ENTRY_POINTS) as HandlerFile[];
