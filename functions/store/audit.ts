import { conditionFailed, putItem, queryItems } from '../shared/dynamo';
import { requireEnv } from '../shared/env';

/** One recorded use of an operator-only action: who, when, why; never what was seen. */
export interface AuditEntry {
  onboardingId: string;
  action: string;
  operator: string;
  reason: string;
  at: string;
}

/** Records an operator action on an onboarding (who, why, when): an audit item, not a record attribute. */
export async function recordAudit(onboardingId: string, action: string, operator: string, reason: string): Promise<void> {
  const at = new Date().toISOString();
  await putItem({
    TableName: requireEnv('TABLE_NAME'),
    Item: { pk: `AUDIT#${onboardingId}`, sk: `${at}#${action}`, onboardingId, action, operator, reason, at },
  });
}

/**
 * Records a decision on an onboarding once: one audit item per decision and onboarding, however often
 * the decision is sent (a repeat after a lost answer, or after a crash before the first write).
 */
export async function recordDecisionAudit(onboardingId: string, decision: string, operator: string, reason: string) {
  const at = new Date().toISOString();
  try {
    await putItem({
      TableName: requireEnv('TABLE_NAME'),
      Item: { pk: `AUDIT#${onboardingId}`, sk: `decision#${decision}`, onboardingId, action: decision, operator, reason, at },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
}

/** The recorded operator actions on an onboarding, oldest first. */
export async function auditTrail(onboardingId: string): Promise<AuditEntry[]> {
  const { Items = [] } = await queryItems({
    TableName: requireEnv('TABLE_NAME'),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `AUDIT#${onboardingId}` },
    ConsistentRead: true,
  });
  // Decisions are keyed by name, other actions by time: order all by time.
  return Items.map(
    ({ onboardingId: id, action, operator, reason, at }) => ({ onboardingId: id, action, operator, reason, at }) as AuditEntry,
  ).sort((a, b) => a.at.localeCompare(b.at));
}
