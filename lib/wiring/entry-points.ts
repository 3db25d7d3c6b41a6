import type { OnboardingApiProps } from '../constructs/api';
import { DOCUMENTS_PREFIX, VAULT_PREFIX } from '../constructs/bucket';
import type { OnboardingFunction } from '../constructs/function';
import { bucketEnvironment, makeFunction, providerEnvironment, type StackParts } from './parts';
import type { Workflows } from './workflows';

/** The functions behind the API routes, the merchant's events and the bucket's upload notifications. */
export interface EntryPoints {
  /** The function of each route, as the API construct takes them. */
  readonly routes: Pick<
    OnboardingApiProps,
    'intake' | 'getOnboarding' | 'documents' | 'profileUpdate' | 'migrationsIntake' | 'review' | 'webhook'
  >;
  /** Every entry-point function, by construct id. */
  readonly functions: Readonly<Record<string, OnboardingFunction>>;
}

/** Wires the functions that start or move an onboarding from outside: merchants, operators, providers, uploads. */
export function wireEntryPoints(parts: StackParts, { onboarding, connectMigration }: Workflows): EntryPoints {
  const { config, table, documents, secrets, events } = parts;
  const fn = (id: string, handler: string, description: string, environment?: Record<string, string>) =>
    makeFunction(parts, id, handler, description, environment);
  const bucketEnv = bucketEnvironment(parts);

  // Merchant routes.
  const intake = fn(
    'Intake',
    'intake',
    'POST /onboardings and Customer Onboarding Requested events: validates, vaults, starts the workflow',
    {
      ...bucketEnv,
      ...secrets.platformEnvironment(),
      // Refused merchant events are answered with an event on the bus.
      ...events.environment(),
      STATE_MACHINE_ARN: onboarding.stateMachine.stateMachineArn,
      MERCHANT_ID: config.merchantId,
      DOCUMENTS_TIMEOUT_SECONDS: String(config.documentsTimeoutSeconds),
      VERIFICATION_TIMEOUT_SECONDS: String(config.verificationTimeoutSeconds),
      ACCOUNT_TIMEOUT_SECONDS: String(config.accountTimeoutSeconds),
    },
  );
  table.grantReadWrite(intake);
  documents.grantPut(intake, VAULT_PREFIX);
  secrets.grantPlatformRead(intake);
  onboarding.grantStart(intake);
  events.grantPublish(intake);
  events.routeOnboardingRequests(intake);

  const getOnboarding = fn('GetOnboarding', 'get-onboarding', 'GET /onboardings/{id}: status, provider ids and timeline');
  table.grantRead(getOnboarding);

  // The presigned PUT is signed with this function's role: the upload needs PutObject (and the key) through it.
  const documentUpload = fn(
    'DocumentUpload',
    'documents',
    'POST /onboardings/{id}/documents: a presigned URL to upload one document',
    bucketEnv,
  );
  table.grantReadWrite(documentUpload);
  documents.grantPut(documentUpload, DOCUMENTS_PREFIX);

  const documentUploaded = fn(
    'DocumentUploaded',
    'document-uploaded',
    'Bucket notification for documents/: checks each upload, resumes a wait for documents',
    bucketEnv,
  );
  table.grantReadWrite(documentUploaded);
  documents.grantRead(documentUploaded, DOCUMENTS_PREFIX);
  documents.notifyOnCreate(documentUploaded, DOCUMENTS_PREFIX);
  onboarding.grantTaskSuccess(documentUploaded);

  // Reads the vault, sends StraitsX the USD-rail fields, vaults the merged customer under a new key.
  const profileUpdate = fn(
    'ProfileUpdate',
    'profile-update',
    'PATCH /onboardings/{id}/profile: adds USD-rail fields to a verified StraitsX profile',
    {
      ...bucketEnv,
      ...secrets.providerSecretEnvironment('straitsx'),
      STRAITSX_BASE_URL: config.straitsxBaseUrl,
      PROVIDER_TIMEOUT_MS: String(config.providerTimeoutMs),
    },
  );
  table.grantReadWrite(profileUpdate);
  documents.grantRead(profileUpdate, VAULT_PREFIX);
  documents.grantPut(profileUpdate, VAULT_PREFIX);
  secrets.grantProviderRead(profileUpdate, 'straitsx');

  const migrationsIntake = fn(
    'MigrationsIntake',
    'migrations-intake',
    'POST /migrations/connect: validates, vaults, starts the Connect migration',
    {
      ...bucketEnv,
      ...secrets.platformEnvironment(),
      CONNECT_MIGRATION_STATE_MACHINE_ARN: connectMigration.stateMachine.stateMachineArn,
      MERCHANT_ID: config.merchantId,
    },
  );
  table.grantReadWrite(migrationsIntake);
  documents.grantPut(migrationsIntake, VAULT_PREFIX);
  secrets.grantPlatformRead(migrationsIntake);
  connectMigration.grantStart(migrationsIntake);

  // Operator route: only Straddle profiles are decided by operators (the other adapters refuse before any
  // call), so only Straddle's secret is readable.
  const review = fn(
    'Review',
    'review',
    'POST /onboardings/{id}/review: an operator verifies or rejects a profile in review',
    providerEnvironment(parts),
  );
  table.grantReadWrite(review);
  documents.grantRead(review, VAULT_PREFIX);
  secrets.grantProviderRead(review, 'straddle');
  onboarding.grantTaskSuccess(review);

  // Provider webhooks: one function for every provider's route. Each delivery is verified on the raw body
  // with its provider's secret, recorded, then applied (resuming a waiting execution) or published; a
  // provider whose payloads carry ids only (Wallex) is read again, with the customer from the vault.
  const webhook = fn(
    'Webhook',
    'webhook',
    "POST /webhooks/{provider}[/{event}]: provider webhooks, verified by each provider's own rule",
    providerEnvironment(parts),
  );
  table.grantReadWrite(webhook);
  documents.grantRead(webhook, VAULT_PREFIX);
  secrets.grantProvidersRead(webhook);
  events.grantPublish(webhook);
  onboarding.grantTaskSuccess(webhook);

  return {
    routes: { intake, getOnboarding, documents: documentUpload, profileUpdate, migrationsIntake, review, webhook },
    functions: {
      Intake: intake,
      GetOnboarding: getOnboarding,
      DocumentUpload: documentUpload,
      DocumentUploaded: documentUploaded,
      ProfileUpdate: profileUpdate,
      MigrationsIntake: migrationsIntake,
      Review: review,
      Webhook: webhook,
    },
  };
}
