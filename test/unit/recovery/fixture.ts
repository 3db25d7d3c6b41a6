import type { PutEventsRequest } from '@aws-sdk/client-eventbridge';
import type { OnboardingRecord } from '../../../functions/onboarding/record';
import { resetSecrets } from '../../../functions/shared/secrets';
import { AwsServiceError } from '../../../local/cloud/aws-json-server';
import { startAwsFake } from '../aws-fake';

/**
 * Shared set-up of the recovery tests: the table in memory behind a scripted DynamoDB, Step Functions and
 * the bus scripted, all on loopback (../aws-fake.ts), reached through the functions' own client.
 */

export const ID = 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa';
export const OTHER_ID = 'onb_bbbbbbbbbbbbbbbbbbbbbbbbbb';
export const MACHINE = 'arn:aws:states:ap-southeast-1:111122223333:stateMachine:Onboarding-abc';
export const MIGRATION_MACHINE = 'arn:aws:states:ap-southeast-1:111122223333:stateMachine:ConnectMigration-abc';
export const BATCH_MACHINE = 'arn:aws:states:ap-southeast-1:111122223333:stateMachine:ConnectMigrationBatch-abc';
export const executionArn = (name: string, machine = MACHINE) => `${machine.replace(':stateMachine:', ':execution:')}:${name}`;

const cloud = await startAwsFake();
export const { dynamo, sfn, events, secrets } = cloud;
/** Stops the fake services and restores the environment: each test file's afterAll. */
export const stopCloud = () => cloud.stop();

/** The items of the table, by `pk|sk`. */
export const items = new Map<string, Record<string, unknown>>();
const keyOf = (key: Record<string, unknown>) => `${key.pk}|${key.sk}`;
const conditionFailed = () => new AwsServiceError('ConditionalCheckFailedException', 'The conditional request failed');

/** Resets every mock and the table, and sets what the functions read from their environment. */
export function resetCloud(): void {
  cloud.reset();
  items.clear();
  resetSecrets();
  Object.assign(process.env, {
    TABLE_NAME: 'onboarding-table',
    EVENT_BUS_NAME: 'merchant-bus',
    STATE_MACHINE_ARN: MACHINE,
    CONNECT_MIGRATION_STATE_MACHINE_ARN: MIGRATION_MACHINE,
    CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN: BATCH_MACHINE,
    DOCUMENTS_TIMEOUT_SECONDS: '604800',
    VERIFICATION_TIMEOUT_SECONDS: '86400',
    ACCOUNT_TIMEOUT_SECONDS: '86400',
  });
  // Get, conditional Put and the open-records index, as DynamoDB answers them.
  dynamo.on('GetItem').callsFake((input: { Key: Record<string, unknown> }) => {
    const item = items.get(keyOf(input.Key));
    return { Item: item ? structuredClone(item) : undefined };
  });
  dynamo
    .on('PutItem')
    .callsFake(
      (input: {
        Item: Record<string, unknown>;
        ConditionExpression?: string;
        ExpressionAttributeValues?: Record<string, unknown>;
      }) => {
        const existing = items.get(keyOf(input.Item));
        if (input.ConditionExpression === 'attribute_not_exists(pk)' && existing) throw conditionFailed();
        if (
          input.ConditionExpression === '#version = :version' &&
          existing?.version !== input.ExpressionAttributeValues?.[':version']
        )
          throw conditionFailed();
        items.set(keyOf(input.Item), structuredClone(input.Item));
        return {};
      },
    );
  dynamo.on('Query').callsFake((input: { IndexName?: string; ExpressionAttributeValues: Record<string, unknown> }) => {
    // The notices webhooks kept for the sweeper: one partition per provider.
    const pk = input.ExpressionAttributeValues[':pk'];
    if (input.IndexName === undefined && typeof pk === 'string' && pk.startsWith('NOTICE#'))
      return { Items: [...items.values()].filter((item) => item.pk === pk).map((item) => structuredClone(item)) };
    if (input.IndexName !== 'open') throw new Error(`unexpected query on ${input.IndexName}`);
    const Items = [...items.values()]
      .filter((item) => item.openStatus === input.ExpressionAttributeValues[':status'])
      .map(({ pk, sk, openStatus, updatedAt }) => ({ pk, sk, openStatus, updatedAt }));
    return { Items };
  });
  dynamo.on('DeleteItem').callsFake((input: { Key: Record<string, unknown> }) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  events.on('PutEvents').resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
}

/** A record as intake leaves it once its execution started, with the given changes. */
export function record(changes: Partial<OnboardingRecord> = {}): OnboardingRecord {
  const at = '2026-01-15T10:00:00.000Z';
  return {
    onboardingId: ID,
    provider: 'straitsx',
    merchantRef: 'order-42',
    registrationType: 'personal',
    status: 'IN_PROGRESS',
    version: 3,
    fingerprint: 'f'.repeat(64),
    vaultKey: `vault/${ID}/v1.json`,
    executionArn: executionArn(ID),
    providerIds: { profileId: 'cp_123' },
    publishedEvents: [],
    timeline: [],
    createdAt: at,
    updatedAt: at,
    ...changes,
  };
}

/** Stores a record the way the store does (the open-index attribute included). */
export async function store(value: OnboardingRecord): Promise<void> {
  const { createOnboarding } = await import('../../../functions/store/onboardings');
  if (!(await createOnboarding(value))) throw new Error('record exists');
}

/** The record as stored now (without key attributes). */
export function stored(onboardingId = ID): OnboardingRecord & { openStatus?: string } {
  const { pk: _pk, sk: _sk, ...rest } = items.get(`ONB#${onboardingId}|RECORD`) ?? {};
  return rest as unknown as OnboardingRecord & { openStatus?: string };
}

/** Every event put on the bus: detail type and parsed detail. */
export function published(): Array<{ detailType: string; detail: Record<string, unknown> }> {
  return events.calls('PutEvents').flatMap((call) =>
    ((call as unknown as PutEventsRequest).Entries ?? []).map((entry) => ({
      detailType: entry.DetailType ?? '',
      detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>,
    })),
  );
}
