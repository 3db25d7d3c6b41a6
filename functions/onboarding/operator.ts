import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { straddleOperations } from '../providers/straddle/operator';
import { dynamoClient } from '../shared/aws';
import { requireEnv } from '../shared/env';
import { ONBOARDING_ID } from '../shared/ids';
import { parseOrThrow } from '../shared/validation';
import { getOnboarding } from '../store/onboardings';

export const unmaskRequestSchema = z.strictObject({
  onboardingId: z.string().regex(ONBOARDING_ID, 'onboardingId must be an onboarding id'),
  operator: z.string().regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'operator must be 1 to 128 letters, digits or . _ @ : -'),
  reason: z
    .string()
    .trim()
    .min(10, 'reason must say why, in at least 10 characters')
    .max(500, 'reason must be at most 500 characters'),
});

/** One recorded use of an operator-only action: who, when, why; never what was seen. */
export interface AuditEntry {
  onboardingId: string;
  action: string;
  operator: string;
  reason: string;
  at: string;
}

/**
 * Straddle's unmasked customer (full date of birth, SSN or EIN), for an operator who states why. The
 * use is recorded before the provider is asked, so a look that fails half-way is still on record; the
 * answer goes back to the caller only: it is never logged or stored.
 */
export async function unmaskedStraddleCustomer(input: unknown): Promise<Record<string, unknown>> {
  const { onboardingId, operator, reason } = parseOrThrow(unmaskRequestSchema, input);
  const record = await getOnboarding(onboardingId);
  if (record.provider !== 'straddle' || !record.providerIds.profileId) {
    throw new Error(`onboarding ${onboardingId} has no Straddle customer`);
  }
  await recordAudit(onboardingId, 'unmasked-customer', operator, reason);
  return (await straddleOperations().getUnmaskedCustomer(record.providerIds.profileId)) as unknown as Record<string, unknown>;
}

/** Records an operator action on an onboarding (who, why, when): an audit item, not a record attribute. */
export async function recordAudit(onboardingId: string, action: string, operator: string, reason: string): Promise<void> {
  const at = new Date().toISOString();
  await dynamoClient().send(
    new PutCommand({
      TableName: requireEnv('TABLE_NAME'),
      Item: { pk: `AUDIT#${onboardingId}`, sk: `${at}#${action}`, onboardingId, action, operator, reason, at },
    }),
  );
}

/**
 * Records a decision on an onboarding once: one audit item per decision and onboarding, however often
 * the decision is sent (a repeat after a lost answer, or after a crash before the first write).
 */
export async function recordDecisionAudit(onboardingId: string, decision: string, operator: string, reason: string) {
  const at = new Date().toISOString();
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: requireEnv('TABLE_NAME'),
        Item: { pk: `AUDIT#${onboardingId}`, sk: `decision#${decision}`, onboardingId, action: decision, operator, reason, at },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** The recorded operator actions on an onboarding, oldest first. */
export async function auditTrail(onboardingId: string): Promise<AuditEntry[]> {
  const { Items = [] } = await dynamoClient().send(
    new QueryCommand({
      TableName: requireEnv('TABLE_NAME'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `AUDIT#${onboardingId}` },
      ConsistentRead: true,
    }),
  );
  // Decisions are keyed by name, other actions by time: order all by time.
  return Items.map(
    ({ onboardingId: id, action, operator, reason, at }) => ({ onboardingId: id, action, operator, reason, at }) as AuditEntry,
  ).sort((a, b) => a.at.localeCompare(b.at));
}
