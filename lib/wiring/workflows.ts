import { fileURLToPath } from 'node:url';
import { providerRetryPolicy, retryPlaceholders } from '../../functions/onboarding/retry-policy';
import type { EntryPoint } from '../../manifest/entry-points';
import { WORKFLOWS, type WorkflowManifest } from '../../manifest/workflows';
import { DOCUMENTS_PREFIX, VAULT_PREFIX } from '../constructs/bucket';
import type { OnboardingFunction } from '../constructs/function';
import { Workflow } from '../constructs/workflow';
import { makeFunction, type StackParts } from './parts';

export const workflowFile = (file: string) => fileURLToPath(new URL(`../../workflows/${file}`, import.meta.url));

/** The functions that fill a workflow's placeholders, as the manifest names them (the local runtime reads the same). */
export function placeholders<W extends WorkflowManifest>(
  workflow: W,
  functions: { readonly [E in W['functions'][keyof W['functions']]]: OnboardingFunction },
): Record<string, OnboardingFunction> {
  return Object.fromEntries(
    Object.entries(workflow.functions).map(([placeholder, entryPoint]) => [
      placeholder,
      functions[entryPoint as W['functions'][keyof W['functions']]],
    ]),
  );
}

/** The two state machines and the step functions they invoke. */
export interface Workflows {
  readonly onboarding: Workflow;
  readonly connectMigration: Workflow;
  /** Every step function, by construct id. */
  readonly functions: Readonly<Record<string, OnboardingFunction>>;
}

/**
 * The onboarding workflow (profile, documents, verdict and account waits, virtual account, outcome) and
 * the StraitsX Connect migration, which reuses the profile step.
 */
export function wireWorkflows(parts: StackParts): Workflows {
  const { config, encryption, table, documents, secrets, events } = parts;
  // A step makes one provider call (Wallex: sign-up, details, one upload, screening are steps of their own),
  // with look-ups before it and waits for the shared rate budget: 90 s, inside the longest task timeout (120 s).
  const step = (id: EntryPoint, description: string) => makeFunction(parts, id, description, 90);

  // Steps that reach a provider also replay webhooks that arrived before the customer was linked, which
  // can publish an outcome and resume a waiting execution.
  // The same policy fills the ASL's Retry fields and tells the steps when the next attempt starts.
  const retryPolicy = providerRetryPolicy({
    outageHours: config.providerOutageHours,
    maxDelaySeconds: config.providerRetryMaxDelaySeconds,
  });
  const retryNumbers = retryPlaceholders(retryPolicy);
  parts.environment.PROVIDER_RETRY_POLICY = JSON.stringify(retryPolicy);
  const createProfile = step('CreateProfile', 'Workflow step: creates (or finds) the customer profile at the provider');
  const createVirtualAccount = step(
    'CreateVirtualAccount',
    'Workflow step: adds the bank account, creates (or finds) the virtual account',
  );
  const submitDetails = step('SubmitDetails', 'Workflow step: sends the profile details, where the provider takes them apart');
  const uploadDocument = step('UploadDocument', 'Workflow step: uploads one document to the provider');
  const startScreening = step('StartScreening', "Workflow step: starts the provider's screening of the profile");
  const checkStatus = step('CheckStatus', 'Workflow step: asks the provider directly once a wait has timed out');
  const providerSteps = [createProfile, submitDetails, uploadDocument, startScreening, createVirtualAccount, checkStatus];
  for (const fn of providerSteps) {
    table.grantReadWrite(fn);
    // The vault for the customer; documents to presign links for StraitsX and to upload to Wallex.
    documents.grantRead(fn, VAULT_PREFIX);
    documents.grantRead(fn, DOCUMENTS_PREFIX);
    secrets.grantProvidersRead(fn);
    events.grantPublish(fn);
  }
  const waitFor = step('WaitFor', 'Workflow step: records the task token of a wait (documents, verdict, account)');
  table.grantReadWrite(waitFor);
  const finish = step('Finish', 'Workflow step: records the outcome and publishes it on the bus');
  table.grantReadWrite(finish);
  events.grantPublish(finish);

  const onboarding = new Workflow(parts.stack, 'Onboarding', {
    definitionFile: workflowFile(WORKFLOWS.onboarding.file),
    functions: placeholders(WORKFLOWS.onboarding, {
      CreateProfile: createProfile,
      SubmitDetails: submitDetails,
      UploadDocument: uploadDocument,
      StartScreening: startScreening,
      CreateVirtualAccount: createVirtualAccount,
      Finish: finish,
      WaitFor: waitFor,
      CheckStatus: checkStatus,
    }),
    numbers: retryNumbers,
    logRetention: config.logRetentionDays,
    logKey: encryption.key,
  });
  for (const fn of [...providerSteps, waitFor]) onboarding.grantTaskSuccess(fn);

  // Connect migration: the same profile step, then the account with the user's Connect token (vaulted).
  const migrateAccount = step('MigrateAccount', 'Migration step: moves the Connect virtual account onto the profile');
  table.grantReadWrite(migrateAccount);
  documents.grantRead(migrateAccount, VAULT_PREFIX);
  secrets.grantProviderRead(migrateAccount, 'straitsx');
  const finishMigration = step('FinishMigration', 'Migration step: records the outcome and publishes it on the bus');
  table.grantReadWrite(finishMigration);
  events.grantPublish(finishMigration);

  const connectMigration = new Workflow(parts.stack, 'ConnectMigration', {
    definitionFile: workflowFile(WORKFLOWS.connectMigration.file),
    functions: placeholders(WORKFLOWS.connectMigration, {
      CreateProfile: createProfile,
      MigrateAccount: migrateAccount,
      FinishMigration: finishMigration,
    }),
    numbers: retryNumbers,
    logRetention: config.logRetentionDays,
    logKey: encryption.key,
  });

  // Functions made from here on may declare the state machines.
  parts.environment.STATE_MACHINE_ARN = onboarding.stateMachine.stateMachineArn;
  parts.environment.CONNECT_MIGRATION_STATE_MACHINE_ARN = connectMigration.stateMachine.stateMachineArn;

  return {
    onboarding,
    connectMigration,
    functions: {
      CreateProfile: createProfile,
      SubmitDetails: submitDetails,
      UploadDocument: uploadDocument,
      StartScreening: startScreening,
      CreateVirtualAccount: createVirtualAccount,
      CheckStatus: checkStatus,
      WaitFor: waitFor,
      Finish: finish,
      MigrateAccount: migrateAccount,
      FinishMigration: finishMigration,
    },
  };
}
