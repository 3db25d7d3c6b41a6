import type { EntryPoint } from './entry-points';

/** A state machine: its ASL file under `workflows/` and the function each `${...FunctionArn}` placeholder names. */
export interface WorkflowManifest {
  file: string;
  functions: Readonly<Record<string, EntryPoint>>;
}

/** The state machines; CDK and the local Step Functions fill the same placeholders with the same functions. */
export const WORKFLOWS = {
  onboarding: {
    file: 'onboarding.asl.json',
    functions: {
      CreateProfileFunctionArn: 'CreateProfile',
      SubmitDetailsFunctionArn: 'SubmitDetails',
      UploadDocumentFunctionArn: 'UploadDocument',
      StartScreeningFunctionArn: 'StartScreening',
      CreateVirtualAccountFunctionArn: 'CreateVirtualAccount',
      FinishFunctionArn: 'Finish',
      WaitForFunctionArn: 'WaitFor',
      CheckStatusFunctionArn: 'CheckStatus',
    },
  },
  connectMigration: {
    file: 'connect-migration.asl.json',
    functions: {
      CreateProfileFunctionArn: 'CreateProfile',
      MigrateAccountFunctionArn: 'MigrateAccount',
      FinishMigrationFunctionArn: 'FinishMigration',
    },
  },
  // Its other placeholders are the child state machine's ARN and numbers from the context.
  connectMigrationBatch: {
    file: 'connect-migration-batch.asl.json',
    functions: { BuildBatchReportFunctionArn: 'BuildBatchReport' },
  },
} as const satisfies Record<string, WorkflowManifest>;
