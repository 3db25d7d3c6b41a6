import type { EntryPoint } from './entry-points';

/**
 * The environment each entry point's function gets, by variable name: lib/wiring fills the values from
 * the CDK resources, local/runtime.ts from the local cloud, and test/infra checks the synthesized stack
 * sets exactly these. Locally a function sees only its own variables while it runs, so a variable missing
 * here fails on this machine, not first on AWS.
 */

/** What every function gets from the OnboardingFunction construct itself. */
export const BASE_ENVIRONMENT = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'TABLE_NAME',
] as const;

/** Groups of variables that travel together (one resource or one provider each). */
export const ENVIRONMENT_GROUPS = {
  bucket: ['BUCKET_NAME'],
  events: ['EVENT_BUS_NAME'],
  merchant: ['MERCHANT_ID', 'PLATFORM_SECRET_ARN'],
  onboardingWorkflow: ['STATE_MACHINE_ARN'],
  migrationWorkflow: ['CONNECT_MIGRATION_STATE_MACHINE_ARN'],
  batchWorkflow: ['CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN'],
  timeouts: ['DOCUMENTS_TIMEOUT_SECONDS', 'VERIFICATION_TIMEOUT_SECONDS', 'ACCOUNT_TIMEOUT_SECONDS'],
  straitsx: ['STRAITSX_SECRET_ARN', 'STRAITSX_BASE_URL', 'PROVIDER_TIMEOUT_MS'],
  straitsxConnect: ['STRAITSX_CONNECT_BASE_URL'],
  wallex: ['WALLEX_SECRET_ARN', 'WALLEX_BASE_URL', 'PROVIDER_TIMEOUT_MS'],
  straddle: ['STRADDLE_SECRET_ARN', 'STRADDLE_BASE_URL', 'PROVIDER_TIMEOUT_MS'],
  providerRetries: ['PROVIDER_RETRY_POLICY'],
  redrive: ['REDRIVE_CAP', 'REDRIVE_DELAY_SECONDS'],
} as const;

export type EnvironmentGroup = keyof typeof ENVIRONMENT_GROUPS;
/** A variable a function's own configuration may hold (besides the base). */
export type EnvironmentVariable = (typeof ENVIRONMENT_GROUPS)[EnvironmentGroup][number];

/** The provider steps: any provider, with the workflow's retry policy. */
const PROVIDER_STEP: readonly EnvironmentGroup[] = ['bucket', 'events', 'straitsx', 'wallex', 'straddle', 'providerRetries'];

/** Per entry point, the groups its function gets beyond the base. A new entry point adds one line. */
export const ENVIRONMENT: Readonly<Record<EntryPoint, readonly EnvironmentGroup[]>> = {
  Intake: ['bucket', 'events', 'merchant', 'onboardingWorkflow', 'timeouts'],
  GetOnboarding: [],
  DocumentUpload: ['bucket'],
  DocumentUploaded: ['bucket'],
  ProfileUpdate: ['bucket', 'straitsx'],
  Review: ['bucket', 'events', 'straitsx', 'wallex', 'straddle'],
  MigrationsIntake: ['bucket', 'merchant', 'migrationWorkflow'],
  CreateProfile: PROVIDER_STEP,
  SubmitDetails: PROVIDER_STEP,
  UploadDocument: PROVIDER_STEP,
  StartScreening: PROVIDER_STEP,
  CreateVirtualAccount: PROVIDER_STEP,
  CheckStatus: PROVIDER_STEP,
  WaitFor: [],
  Finish: ['events'],
  MigrateAccount: [...PROVIDER_STEP, 'straitsxConnect'],
  FinishMigration: ['events'],
  // Every provider's secret checks its own signatures; Wallex's fundings and refunds are read again.
  Webhook: ['events', 'straitsx', 'wallex', 'straddle'],
  ExecutionStatus: ['events'],
  // Wallex: the fundings and refunds a webhook kept while the rate budget was full are read and published here.
  Sweeper: ['events', 'onboardingWorkflow', 'migrationWorkflow', 'batchWorkflow', 'timeouts', 'redrive', 'wallex'],
  Retry: ['onboardingWorkflow', 'migrationWorkflow', 'timeouts'],
  BuildBatchReport: ['bucket', 'events'],
  MigrationBatches: ['bucket', 'merchant', 'migrationWorkflow', 'batchWorkflow'],
  MigrationBatchUploaded: ['bucket', 'merchant', 'migrationWorkflow', 'batchWorkflow'],
  MigrationBatchStatus: ['bucket'],
};

/** The variables of `groups`, each once, in a stable order. */
export function variablesOf(groups: readonly EnvironmentGroup[]): EnvironmentVariable[] {
  return [...new Set(groups.flatMap((group) => ENVIRONMENT_GROUPS[group]))].sort();
}

/** Every variable any function's own configuration may hold: what a function without it must not see. */
export const CONFIGURED_VARIABLES: readonly string[] = [
  ...new Set<string>([...BASE_ENVIRONMENT, ...Object.values(ENVIRONMENT_GROUPS).flat()]),
].sort();

/** The names an entry point's function gets: the base and its groups' variables. */
export function declaredVariables(
  entryPoint: EntryPoint,
  declaration: Readonly<Record<EntryPoint, readonly EnvironmentGroup[]>> = ENVIRONMENT,
): string[] {
  return [...new Set<string>([...BASE_ENVIRONMENT, ...variablesOf(declaration[entryPoint])])].sort();
}

/**
 * Picks an entry point's variables out of `values` (every variable the stack knows), failing when one is
 * missing there: the declaration names a variable nobody provides.
 */
export function environmentFor(
  entryPoint: EntryPoint,
  values: Readonly<Record<string, string>>,
  declaration: Readonly<Record<EntryPoint, readonly EnvironmentGroup[]>> = ENVIRONMENT,
): Record<string, string> {
  return Object.fromEntries(
    declaredVariables(entryPoint, declaration).map((name) => {
      const value = values[name];
      if (value === undefined) throw new Error(`no value for ${name}, declared for ${entryPoint}`);
      return [name, value];
    }),
  );
}
