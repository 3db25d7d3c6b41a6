import type { OnboardingRecord } from '../../onboarding/record';

/** A user's line in the batch report. */
const OUTCOMES = ['MIGRATED', 'MISMATCH', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED', 'SKIPPED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

type MigrationLike = OnboardingRecord & { migration?: { status: 'MIGRATED' | 'MISMATCH' } };

/**
 * What a migration record says of the user, read from the record rather than from the child execution's
 * output, so a re-run, a redrive or a migration finished outside the batch all read the same way.
 * A record still working counts as FAILED only once the batch is over; before that it is pending.
 */
export function outcomeOf(record: OnboardingRecord | undefined): Outcome | 'PENDING' {
  if (!record) return 'FAILED';
  const migration = (record as MigrationLike).migration;
  switch (record.status) {
    case 'COMPLETED':
      return migration?.status === 'MISMATCH' ? 'MISMATCH' : 'MIGRATED';
    case 'REJECTED':
      return 'REJECTED';
    case 'NEEDS_ATTENTION':
      return migration?.status === 'MISMATCH' ? 'MISMATCH' : 'NEEDS_ATTENTION';
    case 'FAILED':
      return 'FAILED';
    default:
      return 'PENDING';
  }
}

/**
 * Whether a batch leaves the user alone: a migration already at an end (migrated, mismatched, rejected,
 * waiting for a person) or already running on its own. A FAILED one, or one never started, is tried.
 */
export function isSettled(record: OnboardingRecord): boolean {
  if (record.status === 'FAILED') return false;
  if (record.status === 'ACCEPTED' && !record.executionArn) return false;
  return true;
}

/** Counts by outcome, every outcome present (zero when none). */
export function countOutcomes(outcomes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}
