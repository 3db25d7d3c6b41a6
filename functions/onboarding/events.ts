import { requireEnv } from '../shared/env';
import { putEvents } from '../shared/eventbridge';
import type { OnboardingRecord, OnboardingStatus } from './record';

/** The source of every event this stack publishes; the merchant's rule never matches it. */
export const EVENT_SOURCE = 'onboarding.orchestrator';

export const DETAIL_TYPES = {
  COMPLETED: 'Onboarding Completed',
  REJECTED: 'Onboarding Rejected',
  NEEDS_ATTENTION: 'Onboarding Needs Attention',
  FAILED: 'Onboarding Failed',
  NEEDS_INFORMATION: 'Onboarding Needs Information',
  INVALID_REQUEST: 'Onboarding Request Invalid',
  FUNDING: 'Funding Status Confirmed',
  REFUND: 'Refund Status Confirmed',
} as const;

/** An event's detail: ids and statuses only, never personal data. */
export function outcomeDetail(record: OnboardingRecord, status: OnboardingStatus, eventId: string) {
  return {
    eventId,
    onboardingId: record.onboardingId,
    provider: record.provider,
    merchantRef: record.merchantRef,
    status,
    providerIds: record.providerIds,
    profileStatus: record.profileStatus,
    virtualAccount: record.virtualAccount
      ? { id: record.virtualAccount.id, currency: record.virtualAccount.currency, status: record.virtualAccount.status }
      : undefined,
    reason: record.outcome?.reason,
    retryable: record.outcome?.retryable,
    occurredAt: new Date().toISOString(),
  };
}

/** Publishes one event on the merchant's bus; throws when EventBridge did not take it. */
export async function publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
  const result = await putEvents({
    Entries: [
      {
        EventBusName: requireEnv('EVENT_BUS_NAME'),
        Source: EVENT_SOURCE,
        DetailType: detailType,
        Detail: JSON.stringify(detail),
      },
    ],
  });
  if (result.FailedEntryCount) {
    const entry = result.Entries?.[0];
    throw new Error(`event not accepted: ${entry?.ErrorCode ?? 'unknown'}`);
  }
}
