import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ProfileStatus } from '../providers/port';
import { dynamoClient } from '../shared/aws';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/powertools';
import { mutateOnboarding, onboardingIdForProviderCustomer, timelineEntry } from '../store/onboardings';
import { DETAIL_TYPES, outcomeDetail, publish } from './events';
import { FINAL_STATUSES, type OnboardingRecord } from './record';
import { resumeIfReady } from './waits';

/** What a provider's webhook says, reduced to ids and statuses (each adapter's webhook module maps to this). */
export type ProviderUpdate =
  | {
      kind: 'profile';
      profileId: string;
      status: ProfileStatus;
      providerStatus?: string;
      rejection?: { reason?: string; retryable?: boolean };
      /** The provider's own time of the change: an older update never overwrites a newer one. */
      changedAt?: string;
    }
  | { kind: 'account'; accountId: string; status: 'enabled' | 'disabled' | 'pending' }
  | { kind: 'information'; profileId: string; requestId: string; status: string; open: boolean }
  | { kind: 'attention'; profileId: string; reference: string; codes: string[] }
  | { kind: 'bankAccount'; bankAccountId: string; status: string };

const DAY = 24 * 3600;

/**
 * True the first time a delivery is seen. The key is hashed: it is made of provider ids and statuses,
 * but it need not be readable, and a fixed length suits any provider.
 */
export async function firstDelivery(provider: string, dedupeKey: string): Promise<boolean> {
  const hash = createHash('sha256').update(dedupeKey).digest('base64url');
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: requireEnv('TABLE_NAME'),
        Item: { pk: `WEBHOOK#${provider}#${hash}`, sk: 'SEEN', seenAt: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + 30 * DAY },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

const lookupKeyOf = (update: ProviderUpdate) =>
  update.kind === 'account' ? `account:${update.accountId}` : update.kind === 'bankAccount' ? `bank:${update.bankAccountId}` : update.profileId;

const SETTLED_PROFILE = new Set(['verified', 'rejected']);

function profilePatch(current: OnboardingRecord, update: Extract<ProviderUpdate, { kind: 'profile' }>): Partial<OnboardingRecord> | undefined {
  if (update.changedAt && current.profileStatusAt && update.changedAt <= current.profileStatusAt) return undefined;
  if (current.profileStatus === update.status && !update.rejection) return undefined;
  // A late "pending" never undoes a verdict.
  if (update.status === 'pending' && current.profileStatus && SETTLED_PROFILE.has(current.profileStatus)) return undefined;
  return {
    profileStatus: update.status,
    providerStatus: update.providerStatus,
    ...(update.changedAt ? { profileStatusAt: update.changedAt } : {}),
    ...(update.rejection ? { outcome: { reason: update.rejection.reason, retryable: update.rejection.retryable } } : {}),
    timeline: [...current.timeline, timelineEntry('provider-update', update.status, 'profile')],
  };
}

function patchFor(current: OnboardingRecord, update: ProviderUpdate): Partial<OnboardingRecord> | undefined {
  switch (update.kind) {
    case 'profile':
      return profilePatch(current, update);
    case 'account':
      if (!current.virtualAccount || current.virtualAccount.status === update.status) return undefined;
      return {
        virtualAccount: { ...current.virtualAccount, status: update.status },
        timeline: [...current.timeline, timelineEntry('provider-update', update.status, 'virtual account')],
      };
    case 'information': {
      const requests = { ...current.informationRequests, [update.requestId]: update.status };
      if (current.informationRequests?.[update.requestId] === update.status) return undefined;
      const open = Object.entries(requests).some(([id, status]) => (id === update.requestId ? update.open : status !== 'completed' && status !== 'expired'));
      const final = FINAL_STATUSES.includes(current.status);
      return {
        informationRequests: requests,
        ...(final ? {} : { status: open ? 'NEEDS_INFORMATION' : current.waiting ? 'AWAITING_PROVIDER' : 'IN_PROGRESS' }),
        timeline: [...current.timeline, timelineEntry('provider-update', update.status, 'request for information')],
      };
    }
    case 'attention':
      return { timeline: [...current.timeline, timelineEntry('provider-update', 'ATTENTION', update.codes.join(','))] };
    case 'bankAccount':
      if (current.bankAccount?.status === update.status) return undefined;
      return {
        bankAccount: { id: update.bankAccountId, status: update.status },
        timeline: [...current.timeline, timelineEntry('provider-update', update.status, 'bank account')],
      };
  }
}

/** Publishes a notice once per onboarding and key (tracked in the record's publishedEvents). */
async function publishOnce(record: OnboardingRecord, key: string, detailType: string, extra: Record<string, unknown>): Promise<void> {
  if (record.publishedEvents.includes(key)) return;
  await publish(detailType, { ...outcomeDetail(record, record.status, `${record.onboardingId}:${key}`), ...extra });
  await mutateOnboarding(record.onboardingId, (current) =>
    current.publishedEvents.includes(key) ? undefined : { publishedEvents: [...current.publishedEvents, key] },
  );
}

/**
 * Applies a provider's update to the onboarding it belongs to, publishes what the merchant must hear
 * about, and resumes a waiting execution. Safe to repeat: an update already applied changes nothing,
 * and the resume check runs again (a crash after the write but before the resume is healed by the
 * provider's redelivery).
 */
export async function applyProviderUpdate(provider: string, update: ProviderUpdate): Promise<'applied' | 'unchanged' | 'unknown'> {
  const onboardingId = await onboardingIdForProviderCustomer(provider, lookupKeyOf(update));
  if (!onboardingId) {
    logger.warn('update for a customer this stack does not know', { provider, kind: update.kind });
    metrics.addMetric('ProviderUpdateUnknown', 'Count', 1);
    return 'unknown';
  }
  let changed = false;
  const record = await mutateOnboarding(onboardingId, (current) => {
    const patch = patchFor(current, update);
    changed = Boolean(patch);
    return patch;
  });
  if (update.kind === 'information' && update.open) {
    await publishOnce(record, `INFO#${update.requestId}#${update.status}`, DETAIL_TYPES.NEEDS_INFORMATION, { informationRequestId: update.requestId });
  }
  if (update.kind === 'attention') {
    await publishOnce(record, `ATTENTION#${update.reference}#${update.codes.join(',')}`, DETAIL_TYPES.NEEDS_ATTENTION, {
      attention: update.codes,
      reason: update.codes.join(','),
      reference: update.reference,
    });
  }
  await resumeIfReady(record);
  metrics.addMetric(changed ? 'ProviderUpdateApplied' : 'ProviderUpdateUnchanged', 'Count', 1);
  logger.info('provider update', { provider, onboardingId, kind: update.kind, changed });
  return changed ? 'applied' : 'unchanged';
}
