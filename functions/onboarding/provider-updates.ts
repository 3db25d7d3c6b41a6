import { createHash } from 'node:crypto';
import type { ProviderUpdate } from '../providers/port';
import { conditionFailed, getItem, putItem, queryItems } from '../shared/dynamo';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/powertools';
import { mutateOnboarding, onboardingIdForProviderCustomer, timelineEntry } from '../store/onboardings';
import { DETAIL_TYPES, outcomeDetail, publish } from './events';
import { FINAL_STATUSES, type OnboardingRecord } from './record';
import { resumeIfReady } from './waits';

export type { ProviderUpdate } from '../providers/port';

const DAY = 24 * 3600;

/**
 * True the first time a delivery is seen. The key is hashed: it is made of provider ids and statuses,
 * but it need not be readable, and a fixed length suits any provider.
 */
export async function firstDelivery(provider: string, dedupeKey: string): Promise<boolean> {
  const hash = createHash('sha256').update(dedupeKey).digest('base64url');
  try {
    await putItem({
      TableName: requireEnv('TABLE_NAME'),
      Item: {
        pk: `WEBHOOK#${provider}#${hash}`,
        sk: 'SEEN',
        seenAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 30 * DAY,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}

/** True when a delivery with this key has been recorded (see firstDelivery). */
export async function seenDelivery(provider: string, dedupeKey: string): Promise<boolean> {
  const hash = createHash('sha256').update(dedupeKey).digest('base64url');
  const { Item } = await getItem({
    TableName: requireEnv('TABLE_NAME'),
    Key: { pk: `WEBHOOK#${provider}#${hash}`, sk: 'SEEN' },
    ConsistentRead: true,
  });
  return Boolean(Item);
}

/** The key under which an update's provider id is linked to its onboarding. */
export const lookupKeyOf = (update: ProviderUpdate) =>
  update.kind === 'account'
    ? `account:${update.accountId}`
    : update.kind === 'bankAccount'
      ? `bank:${update.bankAccountId}`
      : update.profileId;

/**
 * A late or generic "pending" never undoes these: a verdict, or a request for new documents (only the
 * profile step, once new documents are in, moves a profile on from there).
 */
const SETTLED_PROFILE = new Set(['verified', 'rejected', 'needs_documents']);

function profilePatch(
  current: OnboardingRecord,
  update: Extract<ProviderUpdate, { kind: 'profile' }>,
): Partial<OnboardingRecord> | undefined {
  if (update.changedAt && current.profileStatusAt && update.changedAt <= current.profileStatusAt) return undefined;
  // The same verdict again (e.g. the provider's echo of an operator's decision) adds nothing; a reason
  // recorded first (the operator's) is kept.
  if (current.profileStatus === update.status && (!update.rejection || current.outcome?.reason)) return undefined;
  if (update.status === 'pending' && current.profileStatus && SETTLED_PROFILE.has(current.profileStatus)) return undefined;
  return {
    profileStatus: update.status,
    providerStatus: update.providerStatus,
    ...(update.changedAt ? { profileStatusAt: update.changedAt } : {}),
    ...(update.rejection
      ? {
          outcome: {
            reason: current.outcome?.reason ?? update.rejection.reason,
            retryable: update.rejection.retryable ?? current.outcome?.retryable,
          },
        }
      : {}),
    timeline: [...current.timeline, timelineEntry('provider-update', update.status, 'profile')],
  };
}

function patchFor(current: OnboardingRecord, update: ProviderUpdate): Partial<OnboardingRecord> | undefined {
  switch (update.kind) {
    case 'profile':
      return profilePatch(current, update);
    case 'account':
      if (!current.virtualAccount || current.virtualAccount.status === update.status) return undefined;
      // A late "pending" never undoes an enabled or disabled account.
      if (update.status === 'pending') return undefined;
      return {
        virtualAccount: { ...current.virtualAccount, status: update.status },
        timeline: [...current.timeline, timelineEntry('provider-update', update.status, 'virtual account')],
      };
    case 'information': {
      const requests = { ...current.informationRequests, [update.requestId]: update.status };
      if (current.informationRequests?.[update.requestId] === update.status) return undefined;
      const open = Object.entries(requests).some(([id, status]) =>
        id === update.requestId ? update.open : status !== 'completed' && status !== 'expired',
      );
      // A request for information changes how a running onboarding stands, never an ended, failed or
      // escalated one: FAILED stays the truth until a recovery runs it again (the request is still shown).
      const settled =
        FINAL_STATUSES.includes(current.status) || current.status === 'FAILED' || current.status === 'NEEDS_ATTENTION';
      return {
        informationRequests: requests,
        ...(settled ? {} : { status: open ? 'NEEDS_INFORMATION' : current.waiting ? 'AWAITING_PROVIDER' : 'IN_PROGRESS' }),
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
async function publishOnce(
  record: OnboardingRecord,
  key: string,
  detailType: string,
  extra: Record<string, unknown>,
): Promise<void> {
  if (record.publishedEvents.includes(key)) return;
  await publish(detailType, { ...outcomeDetail(record, record.status, `${record.onboardingId}:${key}`), ...extra });
  await mutateOnboarding(record.onboardingId, (current) =>
    current.publishedEvents.includes(key) ? undefined : { publishedEvents: [...current.publishedEvents, key] },
  );
}

/**
 * What applying an update did. `final`: the onboarding had ended (COMPLETED or REJECTED), so the update
 * changed nothing on it (its delivery is still recorded as seen): a late or replayed webhook never
 * rewrites an outcome. Notices about what follows the outcome (a held payment) are still published, and
 * the customer's own bank account, verified on its own time, is still recorded.
 */
export type UpdateResult = 'applied' | 'unchanged' | 'parked' | 'final';

/**
 * Applies a provider's update to the onboarding it belongs to, publishes what the merchant must hear
 * about, and resumes a waiting execution. Safe to repeat: an update already applied changes nothing,
 * and the resume check runs again (a crash after the write but before the resume is healed by the
 * provider's redelivery).
 */
export async function applyProviderUpdate(
  provider: string,
  update: ProviderUpdate,
  /** The onboarding the caller already looked up for this update's customer, to spare a second read. */
  knownOnboardingId?: string,
): Promise<UpdateResult> {
  let onboardingId = knownOnboardingId ?? (await onboardingIdForProviderCustomer(provider, lookupKeyOf(update)));
  if (!onboardingId) {
    // The provider can answer before the step that created the customer has recorded its id: keep the
    // update, then look again. Either this second look finds the link, or the step, which links first and
    // then replays what was kept, finds the update.
    await park(provider, update);
    onboardingId = await onboardingIdForProviderCustomer(provider, lookupKeyOf(update));
    if (!onboardingId) {
      logger.info('update kept until its customer is known', { provider, kind: update.kind });
      metrics.addMetric('ProviderUpdateParked', 'Count', 1);
      return 'parked';
    }
  }
  return applyTo(provider, onboardingId, update);
}

/** Applies the updates kept for a provider id before it was linked to an onboarding. */
export async function replayParkedUpdates(provider: string, lookupKey: string, onboardingId: string): Promise<void> {
  const { Items = [] } = await queryItems({
    TableName: requireEnv('TABLE_NAME'),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `PARKED#${provider}#${lookupKey}` },
    ConsistentRead: true,
  });
  for (const item of Items.sort((a, b) => String(a.sk).localeCompare(String(b.sk)))) {
    await applyTo(provider, onboardingId, item.update as ProviderUpdate);
  }
}

async function park(provider: string, update: ProviderUpdate): Promise<void> {
  await putItem({
    TableName: requireEnv('TABLE_NAME'),
    Item: {
      pk: `PARKED#${provider}#${lookupKeyOf(update)}`,
      sk: `${new Date().toISOString()}#${createHash('sha256').update(JSON.stringify(update)).digest('hex').slice(0, 12)}`,
      update,
      expiresAt: Math.floor(Date.now() / 1000) + 7 * DAY,
    },
  });
}

async function applyTo(provider: string, onboardingId: string, update: ProviderUpdate): Promise<Exclude<UpdateResult, 'parked'>> {
  let changed = false;
  let ended = false;
  const record = await mutateOnboarding(onboardingId, (current) => {
    // The customer's own bank account is verified on its own time, after the onboarding may have ended:
    // the one thing an ended record still takes. Its outcome, profile and virtual account stay as they are.
    ended = FINAL_STATUSES.includes(current.status) && update.kind !== 'bankAccount';
    if (ended) return undefined;
    const patch = patchFor(current, update);
    changed = Boolean(patch);
    return patch;
  });
  if (update.kind === 'information' && update.open) {
    await publishOnce(record, `INFO#${update.requestId}#${update.status}`, DETAIL_TYPES.NEEDS_INFORMATION, {
      informationRequestId: update.requestId,
    });
  }
  if (update.kind === 'attention') {
    await publishOnce(record, `ATTENTION#${update.reference}#${update.codes.join(',')}`, DETAIL_TYPES.NEEDS_ATTENTION, {
      attention: update.codes,
      reason: update.codes.join(','),
      reference: update.reference,
    });
  }
  if (update.kind === 'bankAccount' && update.status === 'rejected') {
    await publishOnce(record, `BANK#${update.bankAccountId}#rejected`, DETAIL_TYPES.NEEDS_ATTENTION, {
      attention: ['BANK_ACCOUNT_REJECTED'],
      reason: 'bank account rejected',
      reference: update.bankAccountId,
    });
  }
  if (ended) {
    // The outcome stands; notices about what happens after it (a held payment) were still published above.
    metrics.addMetric('ProviderUpdateAfterEnd', 'Count', 1);
    logger.info('update for an ended onboarding left unapplied', { provider, onboardingId, kind: update.kind });
    return 'final';
  }
  await resumeIfReady(record);
  metrics.addMetric(changed ? 'ProviderUpdateApplied' : 'ProviderUpdateUnchanged', 'Count', 1);
  logger.info('provider update', { provider, onboardingId, kind: update.kind, changed });
  return changed ? 'applied' : 'unchanged';
}
