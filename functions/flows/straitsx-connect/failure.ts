import type { FailureAnnouncer } from '../../onboarding/failures';
import { isMigration, MIGRATION_DETAIL_TYPES, migrationDetail } from './migration-record';

/** A failed Connect migration is announced as `Connect Migration Failed`, with the migration's own detail. */
export const connectMigrationFailure: FailureAnnouncer = (record, eventId) =>
  isMigration(record)
    ? { detailType: MIGRATION_DETAIL_TYPES.FAILED, detail: migrationDetail(record, 'FAILED', eventId) }
    : undefined;
