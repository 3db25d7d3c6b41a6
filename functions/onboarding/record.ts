import type { ProviderName } from './request';

/**
 * Where an onboarding stands. COMPLETED and REJECTED are final: a business rejection is a normal end.
 * FAILED means a step broke and the execution failed; a redrive or a re-run may carry it on.
 */
export const STATUSES = [
  'ACCEPTED',
  'IN_PROGRESS',
  'AWAITING_PROVIDER',
  'NEEDS_ATTENTION',
  'COMPLETED',
  'REJECTED',
  'FAILED',
] as const;
export type OnboardingStatus = (typeof STATUSES)[number];

export const FINAL_STATUSES: readonly OnboardingStatus[] = ['COMPLETED', 'REJECTED'];

const ALLOWED: Record<OnboardingStatus, readonly OnboardingStatus[]> = {
  ACCEPTED: ['IN_PROGRESS', 'FAILED', 'REJECTED', 'NEEDS_ATTENTION'],
  IN_PROGRESS: ['IN_PROGRESS', 'AWAITING_PROVIDER', 'NEEDS_ATTENTION', 'COMPLETED', 'REJECTED', 'FAILED'],
  AWAITING_PROVIDER: ['IN_PROGRESS', 'NEEDS_ATTENTION', 'COMPLETED', 'REJECTED', 'FAILED'],
  NEEDS_ATTENTION: ['IN_PROGRESS', 'COMPLETED', 'REJECTED', 'FAILED'],
  FAILED: ['IN_PROGRESS', 'FAILED', 'REJECTED', 'NEEDS_ATTENTION'],
  COMPLETED: [],
  REJECTED: [],
};

/** Whether a record may move from one status to another. */
export function canTransition(from: OnboardingStatus, to: OnboardingStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Statuses a record may be in for a move to `to` to be allowed. */
export function statusesAllowingMoveTo(to: OnboardingStatus): OnboardingStatus[] {
  return STATUSES.filter((from) => canTransition(from, to));
}

/** One entry of the step timeline shown by `GET /onboardings/{id}`. */
export interface TimelineEntry {
  step: string;
  status: string;
  at: string;
  /** Error name or provider code: never provider text, never personal data. */
  detail?: string;
}

export interface VirtualAccount {
  id: string;
  currency: string;
  status: 'enabled' | 'pending' | 'disabled';
  accountNo?: string;
  bankShortCode?: string;
  referenceId: string;
}

/** The onboarding record as stored. Every attribute here is free of personal data. */
export interface OnboardingRecord {
  onboardingId: string;
  provider: ProviderName;
  merchantRef: string;
  registrationType: string;
  status: OnboardingStatus;
  version: number;
  /** HMAC of the whole request: a repeat matches, a different customer under the same key does not. */
  fingerprint: string;
  /** S3 key of the personal data in the vault. */
  vaultKey: string;
  executionArn?: string;
  providerIds: { profileId?: string };
  profileStatus?: string;
  virtualAccount?: VirtualAccount;
  outcome?: { reason?: string; retryable?: boolean };
  publishedEvents: string[];
  timeline: TimelineEntry[];
  createdAt: string;
  updatedAt: string;
}

/** What `GET /onboardings/{id}` and the intake answer show of a record. */
export function publicView(record: OnboardingRecord) {
  return {
    onboardingId: record.onboardingId,
    provider: record.provider,
    merchantRef: record.merchantRef,
    registrationType: record.registrationType,
    status: record.status,
    providerIds: record.providerIds,
    profileStatus: record.profileStatus,
    virtualAccount: record.virtualAccount
      ? {
          id: record.virtualAccount.id,
          currency: record.virtualAccount.currency,
          status: record.virtualAccount.status,
          accountNo: record.virtualAccount.accountNo,
          bankShortCode: record.virtualAccount.bankShortCode,
        }
      : undefined,
    outcome: record.outcome,
    timeline: record.timeline,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
