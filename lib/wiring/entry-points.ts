import type { EntryPoint } from '../../manifest/entry-points';
import type { OnboardingApiProps } from '../constructs/api';
import { DOCUMENTS_PREFIX, VAULT_PREFIX } from '../constructs/bucket';
import type { OnboardingFunction } from '../constructs/function';
import { makeFunction, type StackParts } from './parts';
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
  const { table, documents, secrets, events } = parts;
  // Each function's environment is its entry point's declaration in manifest/environment.ts.
  const fn = (id: EntryPoint, description: string) => makeFunction(parts, id, description);

  // Merchant routes.
  const intake = fn(
    'Intake',
    'POST /onboardings and Customer Onboarding Requested events: validates, vaults, starts the workflow',
  );
  table.grantReadWrite(intake);
  documents.grantPut(intake, VAULT_PREFIX);
  secrets.grantPlatformRead(intake);
  onboarding.grantStart(intake);
  events.grantPublish(intake);
  events.routeOnboardingRequests(intake);

  const getOnboarding = fn('GetOnboarding', 'GET /onboardings/{id}: status, provider ids and timeline');
  table.grantRead(getOnboarding);

  // The presigned PUT is signed with this function's role: the upload needs PutObject (and the key) through it.
  const documentUpload = fn('DocumentUpload', 'POST /onboardings/{id}/documents: a presigned URL to upload one document');
  table.grantReadWrite(documentUpload);
  documents.grantPut(documentUpload, DOCUMENTS_PREFIX);

  const documentUploaded = fn(
    'DocumentUploaded',
    'Bucket notification for documents/: checks each upload, resumes a wait for documents',
  );
  table.grantReadWrite(documentUploaded);
  documents.grantRead(documentUploaded, DOCUMENTS_PREFIX);
  documents.notifyOnCreate(documentUploaded, DOCUMENTS_PREFIX);
  onboarding.grantTaskSuccess(documentUploaded);

  // Reads the vault, sends StraitsX the USD-rail fields, vaults the merged customer under a new key.
  const profileUpdate = fn(
    'ProfileUpdate',
    'PATCH /onboardings/{id}/profile: adds USD-rail fields to a verified StraitsX profile',
  );
  table.grantReadWrite(profileUpdate);
  documents.grantRead(profileUpdate, VAULT_PREFIX);
  documents.grantPut(profileUpdate, VAULT_PREFIX);
  secrets.grantProviderRead(profileUpdate, 'straitsx');

  const migrationsIntake = fn('MigrationsIntake', 'POST /migrations/connect: validates, vaults, starts the Connect migration');
  table.grantReadWrite(migrationsIntake);
  documents.grantPut(migrationsIntake, VAULT_PREFIX);
  secrets.grantPlatformRead(migrationsIntake);
  connectMigration.grantStart(migrationsIntake);

  // Operator route: only Straddle profiles are decided by operators (the other adapters refuse before any
  // call), so only Straddle's secret is readable.
  const review = fn('Review', 'POST /onboardings/{id}/review: an operator verifies or rejects a profile in review');
  table.grantReadWrite(review);
  documents.grantRead(review, VAULT_PREFIX);
  secrets.grantProviderRead(review, 'straddle');
  onboarding.grantTaskSuccess(review);

  // Provider webhooks: one function for every provider's route. Each delivery is verified on the raw body
  // with its provider's secret, recorded, then applied (resuming a waiting execution) or published; a
  // provider whose payloads carry ids only (Wallex) is read again, with the customer from the vault.
  const webhook = fn('Webhook', "POST /webhooks/{provider}[/{event}]: provider webhooks, verified by each provider's own rule");
  table.grantReadWrite(webhook);
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
