import type { OnboardingRecord } from '../../onboarding/record';

/**
 * What a Connect migration record is and how its outcome is announced: plain types and functions, kept
 * apart from the intake and the steps so the failure announcer (sweeper, execution status) loads neither
 * StraitsX's schemas nor its client.
 */

/** Whether the user's old Connect virtual account number came over to the new account. */
export type MigrationStatus = 'MIGRATED' | 'MISMATCH';

/**
 * The fields a Connect migration adds to an onboarding record (ids and statuses only). A migration is
 * an onboarding record with `kind: 'connect-migration'`, so the record store, the id format, the
 * create-profile step and `GET /onboardings/{id}` all work for it unchanged.
 */
export interface ConnectMigrationFields {
  kind?: 'onboarding' | 'connect-migration';
  migration?: { status: MigrationStatus; expectedAccountMatched: boolean };
}

export type MigrationRecord = OnboardingRecord & ConnectMigrationFields;

/** True when a record is a Connect migration. */
export const isMigration = (record: OnboardingRecord): record is MigrationRecord =>
  (record as MigrationRecord).kind === 'connect-migration';

/** Event detail types of a migration's outcomes, on the merchant's bus. */
export const MIGRATION_DETAIL_TYPES = {
  MIGRATED: 'Connect Migration Completed',
  MISMATCH: 'Connect Migration Mismatch',
  REJECTED: 'Connect Migration Rejected',
  NEEDS_ATTENTION: 'Connect Migration Needs Attention',
  FAILED: 'Connect Migration Failed',
} as const;

export type MigrationOutcome = keyof typeof MIGRATION_DETAIL_TYPES;

/** An event's detail: ids, statuses and whether the number matched; never the token or an account number. */
export function migrationDetail(record: MigrationRecord, outcome: MigrationOutcome, eventId: string) {
  return {
    eventId,
    migrationId: record.onboardingId,
    provider: record.provider,
    merchantRef: record.merchantRef,
    status: record.status,
    migrationStatus: record.migration?.status,
    expectedAccountMatched: record.migration?.expectedAccountMatched,
    outcome,
    providerIds: record.providerIds,
    virtualAccount: record.virtualAccount
      ? { id: record.virtualAccount.id, currency: record.virtualAccount.currency, status: record.virtualAccount.status }
      : undefined,
    reason: record.outcome?.reason,
    occurredAt: new Date().toISOString(),
  };
}
