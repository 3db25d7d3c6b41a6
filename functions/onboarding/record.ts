import type { AccountResult } from '../providers/port';
import type { ProviderName } from './request';

/**
 * Where an onboarding stands. COMPLETED and REJECTED are final: a business rejection is a normal end.
 * FAILED means a step broke and the execution failed; a redrive or a re-run may carry it on.
 */
export const STATUSES = [
  'ACCEPTED',
  'IN_PROGRESS',
  'AWAITING_DOCUMENTS',
  'AWAITING_PROVIDER',
  'NEEDS_INFORMATION',
  'NEEDS_ATTENTION',
  'COMPLETED',
  'REJECTED',
  'FAILED',
] as const;
export type OnboardingStatus = (typeof STATUSES)[number];

export const FINAL_STATUSES: readonly OnboardingStatus[] = ['COMPLETED', 'REJECTED'];

/**
 * Statuses in which an execution should be working on the record (or a failed one be redriven): the
 * sweeper looks after these. NEEDS_ATTENTION waits for a person, with its execution ended on purpose.
 */
export const OPEN_STATUSES: readonly OnboardingStatus[] = [
  'ACCEPTED',
  'IN_PROGRESS',
  'AWAITING_DOCUMENTS',
  'AWAITING_PROVIDER',
  'NEEDS_INFORMATION',
  'FAILED',
];

const WORKING: readonly OnboardingStatus[] = ['IN_PROGRESS', 'AWAITING_DOCUMENTS', 'AWAITING_PROVIDER', 'NEEDS_INFORMATION'];
const ALLOWED: Record<OnboardingStatus, readonly OnboardingStatus[]> = {
  ACCEPTED: [...WORKING, 'FAILED', 'REJECTED', 'NEEDS_ATTENTION'],
  IN_PROGRESS: [...WORKING, 'NEEDS_ATTENTION', 'COMPLETED', 'REJECTED', 'FAILED'],
  AWAITING_DOCUMENTS: [...WORKING, 'NEEDS_ATTENTION', 'COMPLETED', 'REJECTED', 'FAILED'],
  AWAITING_PROVIDER: [...WORKING, 'NEEDS_ATTENTION', 'COMPLETED', 'REJECTED', 'FAILED'],
  NEEDS_INFORMATION: [...WORKING, 'NEEDS_ATTENTION', 'COMPLETED', 'REJECTED', 'FAILED'],
  NEEDS_ATTENTION: [...WORKING, 'COMPLETED', 'REJECTED', 'FAILED'],
  FAILED: [...WORKING, 'FAILED', 'REJECTED', 'NEEDS_ATTENTION'],
  COMPLETED: [],
  REJECTED: [],
};

/** Whether a record may move from one status to another. */
export function canTransition(from: OnboardingStatus, to: OnboardingStatus): boolean {
  return ALLOWED[from].includes(to);
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

/** The virtual account as the record keeps it, from the provider's answer (its `created` flag is not kept). */
export function recordedAccount(account: AccountResult): VirtualAccount {
  return {
    id: account.id,
    referenceId: account.referenceId,
    currency: account.currency,
    status: account.status,
    accountNo: account.accountNo,
    bankShortCode: account.bankShortCode,
  };
}

/** What a waiting execution waits for; the task token resumes it. */
export type WaitKind = 'documents' | 'verification' | 'account';

/** A document the merchant uploaded into our bucket, after its content was checked. */
export interface DocumentEntry {
  status: 'received' | 'rejected' | 'superseded';
  key: string;
  contentType?: string;
  size?: number;
  at: string;
  /** Why a document was refused (a rule, never content). */
  reason?: string;
}

/**
 * What a presigned upload was granted for: the slot, the content type and the size the merchant declared.
 * The upload counts only if the object that lands matches it.
 */
export interface UploadGrant {
  slot: string;
  contentType: string;
  size: number;
  expiresAt: string;
}

/** What `GET /onboardings/{id}` shows while a step waits out provider trouble. */
export interface ProviderRetry {
  step: string;
  /** The attempt that failed (1 for the first call). */
  attempt: number;
  /** The error name (ProviderUnavailable, ProviderRateLimited...), never provider text. */
  error: string;
  /** The latest time the next attempt starts, from the retry policy; absent when no attempt is left. */
  nextAttemptBy?: string;
  at: string;
}

/** A failed, timed-out or aborted execution of a record. */
export interface ExecutionFailure {
  /** The execution's name. */
  execution: string;
  /** Step Functions' redrive count of the execution when it failed. */
  redriveCount: number;
  /** FAILED, TIMED_OUT or ABORTED. */
  status: string;
  /** The error name, never the cause. */
  error: string;
  at: string;
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
  providerIds: { profileId?: string; bankAccountId?: string };
  profileStatus?: string;
  /** The provider's own time of the last profile status applied: older updates are ignored. */
  profileStatusAt?: string;
  /** The provider's own status word when it is not one the workflow knows. */
  providerStatus?: string;
  /**
   * When a notification said the profile's status changed without proving to what (Wallex's): the
   * workflow asks the provider, paced by the rate budget, instead of the webhook handler.
   */
  profileCheckRequestedAt?: string;
  /** Document slots the provider needs, fixed at intake (slot names only). */
  requiredDocuments?: { slot: string; required: boolean }[];
  documents?: Record<string, DocumentEntry>;
  /** Upload grants by upload id (the last segment of the object key), pruned as they expire. */
  uploadGrants?: Record<string, UploadGrant>;
  /** The execution waiting for a provider verdict, documents or an account, and its task token. */
  waiting?: { kind: WaitKind; taskToken: string; since: string };
  bankAccount?: { id: string; status: string };
  /** Open requests for information from the provider (RFIs): ids and statuses. */
  informationRequests?: Record<string, string>;
  /** An onboarding, or the migration of a legacy Connect user (StraitsX). */
  kind?: 'onboarding' | 'connect-migration';
  /** The batch whose workflow starts this migration (a batch takes records without starting them). */
  batchId?: string;
  migration?: { status: 'MIGRATED' | 'MISMATCH'; expectedAccountMatched: boolean };
  virtualAccount?: VirtualAccount;
  outcome?: { reason?: string; retryable?: boolean };
  /** A provider call the workflow is retrying after transient trouble; cleared once the step succeeds. */
  retry?: ProviderRetry;
  /** The last failure of an execution, from Step Functions' own status change (error name only). */
  failure?: ExecutionFailure;
  /** New executions started for this record after its execution was lost or could not be redriven. */
  restarts?: number;
  /** The last run seen running (execution name and redrive count): failures of earlier runs are ignored. */
  running?: { execution: string; redriveCount: number };
  /** Recoveries an operator asked for: they do not use up the automatic budget. */
  operatorRecoveries?: number;
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
    waitingFor: record.waiting?.kind ?? (record.retry ? 'provider' : undefined),
    retry: record.retry,
    documents: record.requiredDocuments?.map(({ slot, required }) => ({
      slot,
      required,
      status: record.documents?.[slot]?.status ?? 'missing',
      ...(record.documents?.[slot]?.reason ? { reason: record.documents[slot]!.reason } : {}),
    })),
    bankAccount: record.bankAccount,
    informationRequests: record.informationRequests,
    ...(record.kind === 'connect-migration' ? { kind: record.kind, migration: record.migration } : {}),
    timeline: record.timeline,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
