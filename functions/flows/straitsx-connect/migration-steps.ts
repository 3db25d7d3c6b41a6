import * as z from 'zod/mini';
import { publish } from '../../onboarding/events';
import { FINAL_STATUSES, type OnboardingRecord, type OnboardingStatus, recordedAccount } from '../../onboarding/record';
import { finishInputSchema, stepInputSchema } from '../../onboarding/step-input';
import { isConnectTokenRefused, type MigrationResult, straitsxConnectMigration } from '../../providers/straitsx/migration';
import { ConfigurationError } from '../../shared/errors';
import { logger, metrics } from '../../shared/powertools';
import { parseOrThrow } from '../../shared/validation';
import { getOnboarding, linkProviderCustomer, mutateOnboarding, timelineEntry } from '../../store/onboardings';
import { getPersonalData } from '../../store/vault';
import type { ConnectMigrationVault } from './migration';
import {
  isMigration,
  MIGRATION_DETAIL_TYPES,
  type MigrationOutcome,
  type MigrationRecord,
  type MigrationStatus,
  migrationDetail,
} from './migration-record';

export { MIGRATION_DETAIL_TYPES, type MigrationOutcome, migrationDetail } from './migration-record';

const METRIC_OF: Record<MigrationOutcome, string> = {
  MIGRATED: 'ConnectMigrationCompleted',
  MISMATCH: 'ConnectMigrationMismatch',
  REJECTED: 'ConnectMigrationRejected',
  NEEDS_ATTENTION: 'ConnectMigrationNeedsAttention',
  FAILED: 'ConnectMigrationFailed',
};

/** The record status each outcome leaves: a number that did not carry over needs a person. */
const STATUS_OF: Record<MigrationOutcome, OnboardingStatus> = {
  MIGRATED: 'COMPLETED',
  MISMATCH: 'NEEDS_ATTENTION',
  REJECTED: 'REJECTED',
  NEEDS_ATTENTION: 'NEEDS_ATTENTION',
  FAILED: 'FAILED',
};

const isFinal = (record: OnboardingRecord) => FINAL_STATUSES.includes(record.status);

async function migrationRecord(onboardingId: string): Promise<MigrationRecord> {
  const record = await getOnboarding(onboardingId);
  if (!isMigration(record)) throw new ConfigurationError(`record ${onboardingId} is not a Connect migration`);
  return record;
}

/** What the migrate-account step tells the workflow; TOKEN_REFUSED and SKIPPED take its default path (needs attention). */
export type MigrateAccountStatus = MigrationStatus | 'SKIPPED' | typeof TOKEN_REFUSED;

/** The step's status when StraitsX refused the user's Connect token (invalid or revoked). */
export const TOKEN_REFUSED = 'TOKEN_REFUSED';

/**
 * Creates the virtual account with the user's Connect token and past merchant_ref, and checks that the
 * old account number carried over. A re-run after the migration ended (completed or rejected) calls
 * nothing; any other repeat gets the same account back from StraitsX (same referenceId). A refused
 * token is an outcome, answered as TOKEN_REFUSED, not a failure of the execution.
 */
export async function migrateAccountStep(input: unknown): Promise<{ migrationStatus: MigrateAccountStatus }> {
  const { onboardingId } = parseOrThrow(stepInputSchema, input);
  const record = await migrationRecord(onboardingId);
  if (isFinal(record)) {
    metrics.addMetric('StepSkipped', 'Count', 1);
    // A rejected migration has no result to route on; SKIPPED ends in a finish that changes nothing.
    return { migrationStatus: record.migration?.status ?? 'SKIPPED' };
  }
  const profileId = record.providerIds.profileId;
  if (!profileId) throw new Error(`migration ${onboardingId} has no profile to attach an account to`);
  const vault = await getPersonalData<ConnectMigrationVault>(record.vaultKey);
  let result: MigrationResult;
  try {
    result = await straitsxConnectMigration().migrate({
      profileId,
      merchantRef: vault.merchantRef,
      userApiToken: vault.userApiToken,
    });
  } catch (error) {
    if (!isConnectTokenRefused(error)) throw error;
    metrics.addMetric('ConnectTokenRefused', 'Count', 1);
    logger.info('migrate-account step done', { onboardingId, migrationStatus: TOKEN_REFUSED });
    return { migrationStatus: TOKEN_REFUSED };
  }
  const { account } = result;
  const migrationStatus: MigrationStatus = result.matched ? 'MIGRATED' : 'MISMATCH';

  await linkProviderCustomer(record.provider, `account:${account.id}`, onboardingId);
  const virtualAccount = recordedAccount(account);
  await mutateOnboarding(onboardingId, (current) =>
    JSON.stringify(current.virtualAccount) === JSON.stringify(virtualAccount)
      ? undefined
      : { virtualAccount, timeline: [...current.timeline, timelineEntry('migrate-account', migrationStatus)] },
  );
  metrics.addMetric(result.matched ? 'ConnectAccountCarriedOver' : 'ConnectAccountMismatch', 'Count', 1);
  // Whether an old number was found at all tells a mismatch from a user who never had one.
  logger.info('migrate-account step done', {
    onboardingId,
    migrationStatus,
    legacyAccountFound: result.legacyAccountNo !== undefined,
  });
  return { migrationStatus };
}

const finishMigrationInputSchema = z.extend(finishInputSchema, {
  outcome: z.enum(['MIGRATED', 'MISMATCH', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED']),
});

type FinishState = z.output<typeof finishMigrationInputSchema>['state'];

/** Why a migration ended as it did, in ids, statuses and error names only. */
function reasonFor(outcome: MigrationOutcome, state: FinishState): string | undefined {
  if (state?.error?.Error) return state.error.Error;
  if (outcome === 'MISMATCH') return 'account number did not carry over';
  if (outcome !== 'NEEDS_ATTENTION') return undefined;
  const seen = state as { profile?: { profileStatus?: unknown }; migration?: { migrationStatus?: unknown } } | undefined;
  if (seen?.migration?.migrationStatus === TOKEN_REFUSED) return 'Connect user_api_token refused (invalid or revoked)';
  if (typeof seen?.migration?.migrationStatus === 'string') return `migration status ${seen.migration.migrationStatus}`;
  if (typeof seen?.profile?.profileStatus === 'string') return `profile ${seen.profile.profileStatus}`;
  return undefined;
}

/** The record's outcome after this end: a rejection keeps the provider's own reason when it gave one. */
function outcomeFor(
  outcome: MigrationOutcome,
  current: OnboardingRecord,
  reason: string | undefined,
): OnboardingRecord['outcome'] {
  if (outcome === 'MIGRATED') return undefined;
  if (outcome === 'REJECTED') return { ...current.outcome, reason: current.outcome?.reason ?? reason };
  return reason ? { reason } : current.outcome;
}

/** The outcome a record stands at, which names its event: final ones once per migration, others once per execution. */
function eventKeyOf(record: MigrationRecord, execution: string | undefined): { key: string; outcome: MigrationOutcome } {
  if (record.status === 'COMPLETED') return { key: 'MIGRATED', outcome: 'MIGRATED' };
  if (record.status === 'REJECTED') return { key: 'REJECTED', outcome: 'REJECTED' };
  if (record.status === 'NEEDS_ATTENTION' && record.migration?.status === 'MISMATCH')
    return { key: 'MISMATCH', outcome: 'MISMATCH' };
  const outcome = record.status === 'FAILED' ? 'FAILED' : 'NEEDS_ATTENTION';
  return { key: `${outcome}#${execution ?? 'unknown'}`, outcome };
}

/**
 * Records how the migration ended and publishes it once. A completed or rejected migration is never
 * re-finished; a mismatch found again is not reported again; a failure is reported once per execution.
 */
export async function finishMigrationStep(
  input: unknown,
): Promise<{ status: OnboardingStatus; migrationStatus?: MigrationStatus }> {
  const { onboardingId, outcome, state, execution } = parseOrThrow(finishMigrationInputSchema, input);
  await migrationRecord(onboardingId);
  const status = STATUS_OF[outcome];
  const migration =
    outcome === 'MIGRATED' || outcome === 'MISMATCH'
      ? { status: outcome, expectedAccountMatched: outcome === 'MIGRATED' }
      : undefined;
  const reason = reasonFor(outcome, state);

  const written = (await mutateOnboarding(onboardingId, (current) => {
    const previous = (current as MigrationRecord).migration;
    if (isFinal(current)) return undefined;
    if (current.status === status && (!migration || JSON.stringify(previous) === JSON.stringify(migration))) return undefined;
    const patch: Partial<MigrationRecord> = {
      status,
      ...(migration ? { migration } : {}),
      outcome: outcomeFor(outcome, current, reason),
      timeline: [...current.timeline, timelineEntry('finish', outcome, reason)],
    };
    return patch;
  })) as MigrationRecord;

  const { key, outcome: reported } = eventKeyOf(written, execution);
  if (!written.publishedEvents.includes(key)) {
    // Published before it is marked: a crash in between publishes again on retry (at least once);
    // consumers de-duplicate on the detail's eventId, which is stable per migration and outcome.
    await publish(MIGRATION_DETAIL_TYPES[reported], migrationDetail(written, reported, `${onboardingId}:${key}`));
    await mutateOnboarding(onboardingId, (current) =>
      current.publishedEvents.includes(key) ? undefined : { publishedEvents: [...current.publishedEvents, key] },
    );
  }
  metrics.addMetric(METRIC_OF[reported], 'Count', 1);
  logger.info('connect migration finished', { onboardingId, status: written.status, migrationStatus: written.migration?.status });
  return { status: written.status, migrationStatus: written.migration?.status };
}
