import { ensureExecutionStarted } from '../../onboarding/executions';
import { OnboardingConflict, platformSecretSchema } from '../../onboarding/intake';
import { type OnboardingRecord, publicView } from '../../onboarding/record';
import { businessKeyOf } from '../../onboarding/request';
import { adapterFor } from '../../providers/registry';
import { type StraitsxOnboardingRequest, straitsxRequestSchema } from '../../providers/straitsx/request';
import { requireEnv } from '../../shared/env';
import { onboardingIdFor, requestFingerprint } from '../../shared/ids';
import { logger } from '../../shared/powertools';
import { readSecret } from '../../shared/secrets';
import { parseOrThrow } from '../../shared/validation';
import { createOnboarding, findOnboarding, timelineEntry } from '../../store/onboardings';
import { putPersonalData } from '../../store/vault';
import type { MigrationRecord } from './migration-record';
import { parseConnectMigrationRequest } from './migration-request';

export { type ConnectMigrationFields, isMigration, type MigrationRecord, type MigrationStatus } from './migration-record';

/**
 * What the vault holds for a migration: a StraitsX onboarding request (basic profile, SGD over FAST, the
 * past merchant_ref as merchantRef), so the create-profile step reads it as it reads any onboarding,
 * plus the Connect token, which nothing but the migrate-account step reads.
 */
export type ConnectMigrationVault = StraitsxOnboardingRequest & { userApiToken: string };

/** The business-key tag that keeps a migration's id apart from an onboarding of the same customer. */
export const MIGRATION_KEY_TAG = 'straitsx-connect';

export interface MigrationIntakeResult {
  /** True when this call created the migration; false for a repeat of an earlier request. */
  created: boolean;
  record: MigrationRecord;
}

/**
 * Takes a Connect migration request: validates it (nothing is stored when it fails), derives the
 * migration id from the business key, answers a repeat with the existing migration, refuses a different
 * payload under the same key, stores the request (token included) in the vault and starts the
 * `connect-migration` workflow with the id only.
 */
export async function requestConnectMigration(
  input: unknown,
  options: { start?: boolean; batchId?: string } = {},
): Promise<MigrationIntakeResult> {
  // A batch takes the records without starting them: its own workflow starts them at StraitsX's pace.
  const start = options.start ?? true;
  const { userApiToken, ...rest } = parseConnectMigrationRequest(input);
  // The onboarding part goes through the onboarding schema itself, so it gets the same defaults
  // (profile type, account) and the create-profile step sees an ordinary StraitsX request.
  const request = parseOrThrow(straitsxRequestSchema, {
    provider: 'straitsx',
    merchantRef: rest.merchantRef,
    customer: rest.customer,
    virtualAccount: { currency: 'SGD', network: 'fast' },
  });
  const vault: ConnectMigrationVault = { ...request, userApiToken };

  const { idKey } = await readSecret('PLATFORM_SECRET_ARN', platformSecretSchema);
  const key = await businessKeyOf(request);
  const migrationId = onboardingIdFor(idKey, [
    requireEnv('MERCHANT_ID'),
    MIGRATION_KEY_TAG,
    key.registrationType,
    key.registrationId,
  ]);
  // Keyed: the fingerprint covers the token, and must not let anyone test guesses of it.
  const fingerprint = requestFingerprint(idKey, vault);

  const existing = await findOnboarding(migrationId);
  if (existing) return { created: false, record: await repeatOf(existing, fingerprint, start) };

  const vaultKey = await putPersonalData(migrationId, fingerprint, vault);
  const now = new Date().toISOString();
  const record: MigrationRecord = {
    onboardingId: migrationId,
    kind: 'connect-migration',
    provider: 'straitsx',
    merchantRef: request.merchantRef,
    registrationType: request.customer.registrationType,
    status: 'ACCEPTED',
    ...(options.batchId ? { batchId: options.batchId } : {}),
    version: 1,
    fingerprint,
    vaultKey,
    providerIds: {},
    requiredDocuments: (await adapterFor('straitsx')).requiredDocuments(request),
    publishedEvents: [],
    timeline: [timelineEntry('accepted', 'ACCEPTED')],
    createdAt: now,
    updatedAt: now,
  };
  if (!(await createOnboarding(record))) {
    // Another request with the same business key won the race: answer as a repeat of it.
    const winner = await findOnboarding(migrationId);
    if (!winner) throw new Error(`migration ${migrationId} vanished after a conflicting write`);
    return { created: false, record: await repeatOf(winner, fingerprint, start) };
  }
  logger.info('connect migration accepted', { migrationId });
  return { created: true, record: start ? await started(record) : record };
}

async function repeatOf(existing: OnboardingRecord, fingerprint: string, start: boolean): Promise<MigrationRecord> {
  if (existing.fingerprint !== fingerprint) {
    throw new OnboardingConflict(
      existing.onboardingId,
      'A Connect migration for this customer exists with a different request.',
      {
        migrationId: existing.onboardingId,
      },
    );
  }
  // A repeat also heals a migration whose first request stored the record but could not start it.
  return start ? started(existing) : existing;
}

// The execution input is the id alone: the token and the profile stay in the vault.
const started = async (record: OnboardingRecord): Promise<MigrationRecord> =>
  ensureExecutionStarted(record, requireEnv('CONNECT_MIGRATION_STATE_MACHINE_ARN'), { onboardingId: record.onboardingId });

/** What the migration API shows of a record: the onboarding view plus the migration's own fields. */
export function migrationView(record: MigrationRecord) {
  return {
    migrationId: record.onboardingId,
    kind: 'connect-migration' as const,
    ...publicView(record),
    migration: record.migration,
  };
}
