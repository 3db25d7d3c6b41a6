import {
  canTransition,
  type OnboardingRecord,
  type OnboardingStatus,
  OPEN_STATUSES,
  type TimelineEntry,
} from '../onboarding/record';
import { conditionFailed, getItem, putItem, queryItems } from '../shared/dynamo';
import { requireEnv } from '../shared/env';
import { InvalidStateTransition, OnboardingNotFound } from '../shared/errors';

/**
 * The onboarding records in the one table. Every change is a single-item conditional write on the
 * record's version, so two writers cannot both win and no transaction is needed.
 */
const recordKey = (onboardingId: string) => ({ pk: `ONB#${onboardingId}`, sk: 'RECORD' });
const tableName = () => requireEnv('TABLE_NAME');

/**
 * The sparse index of records an execution should still be working on: only open records carry
 * `openStatus` (their status), so the sweeper queries them by status and age without scanning the table.
 */
export const OPEN_INDEX = { name: 'open', partitionKey: 'openStatus', sortKey: 'updatedAt' } as const;

/** The item of a record: its key, and the open-index attribute while the record is open. */
const itemOf = (record: OnboardingRecord) => ({
  ...recordKey(record.onboardingId),
  ...record,
  ...(OPEN_STATUSES.includes(record.status) ? { [OPEN_INDEX.partitionKey]: record.status } : {}),
});

/** The record of an item: without its key and index attributes. */
function recordOf(item: Record<string, unknown>): OnboardingRecord {
  const { pk: _pk, sk: _sk, [OPEN_INDEX.partitionKey]: _open, ...record } = item;
  return record as unknown as OnboardingRecord;
}

/** Reads a record (strongly consistent), or undefined. */
export async function findOnboarding(onboardingId: string): Promise<OnboardingRecord | undefined> {
  const { Item } = await getItem({ TableName: tableName(), Key: recordKey(onboardingId), ConsistentRead: true });
  return Item ? recordOf(Item) : undefined;
}

/**
 * Ids of the open records in one status, least recently changed first. The index holds keys only and
 * is eventually consistent: read the record before acting on it.
 */
export async function listOpenOnboardingIds(status: OnboardingStatus): Promise<string[]> {
  const ids: string[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await queryItems({
      TableName: tableName(),
      IndexName: OPEN_INDEX.name,
      KeyConditionExpression: '#open = :status',
      ExpressionAttributeNames: { '#open': OPEN_INDEX.partitionKey },
      ExpressionAttributeValues: { ':status': status },
      ExclusiveStartKey,
    });
    for (const item of page.Items ?? []) {
      const pk = String(item.pk ?? '');
      if (pk.startsWith('ONB#')) ids.push(pk.slice('ONB#'.length));
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return ids;
}

/** Reads a record or throws OnboardingNotFound. */
export async function getOnboarding(onboardingId: string): Promise<OnboardingRecord> {
  const record = await findOnboarding(onboardingId);
  if (!record) throw new OnboardingNotFound(onboardingId);
  return record;
}

/** Stores a new record; answers false when one with the same id exists already. */
export async function createOnboarding(record: OnboardingRecord): Promise<boolean> {
  try {
    await putItem({
      TableName: tableName(),
      Item: itemOf(record),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}

/** A change to apply to a record, computed from its current state; undefined means "nothing to do". */
export type Mutation = (current: OnboardingRecord) => Partial<OnboardingRecord> | undefined;

/**
 * Applies a change with optimistic concurrency: read, compute, write if the version is unchanged,
 * and start over when another writer got there first. Returns the record as written (or as found when
 * the mutation had nothing to do).
 */
export async function mutateOnboarding(onboardingId: string, mutation: Mutation, attempts = 8): Promise<OnboardingRecord> {
  for (let attempt = 1; ; attempt++) {
    const current = await getOnboarding(onboardingId);
    const patch = mutation(current);
    if (!patch) return current;
    if (patch.status && patch.status !== current.status && !canTransition(current.status, patch.status)) {
      throw new InvalidStateTransition(onboardingId, current.status, patch.status);
    }
    const next: OnboardingRecord = {
      ...current,
      ...patch,
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
    };
    try {
      await putItem({
        TableName: tableName(),
        Item: itemOf(next),
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': current.version },
      });
      return next;
    } catch (error) {
      if (!conditionFailed(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** A timeline entry stamped now. */
export function timelineEntry(step: string, status: string, detail?: string): TimelineEntry {
  return { step, status, at: new Date().toISOString(), ...(detail ? { detail } : {}) };
}

/** Records which onboarding a provider's customer id belongs to (for webhooks and operators). */
export async function linkProviderCustomer(provider: string, providerId: string, onboardingId: string): Promise<void> {
  await putItem({
    TableName: tableName(),
    Item: { pk: `PROVIDER#${provider}#${providerId}`, sk: 'LOOKUP', onboardingId },
  });
}

/** Finds the onboarding a provider's customer id belongs to. */
export async function onboardingIdForProviderCustomer(provider: string, providerId: string): Promise<string | undefined> {
  const { Item } = await getItem({
    TableName: tableName(),
    Key: { pk: `PROVIDER#${provider}#${providerId}`, sk: 'LOOKUP' },
    ConsistentRead: true,
  });
  return Item?.onboardingId as string | undefined;
}
