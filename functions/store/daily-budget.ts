import { conditionFailed, updateItem } from '../shared/dynamo';
import { requireEnv } from '../shared/env';
import { ProviderRateLimited } from '../shared/errors';

/** Two days: the counter outlives its own day by one, then the table's TTL removes it. */
const KEEP_SECONDS = 2 * 24 * 3600;

/** The UTC day a request counts against, `yyyy-mm-dd`. */
export const budgetDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Counts one request against a provider's daily quota (Wallex: 432,000 a day), shared by every function
 * through one counter item per day, `RATE#<provider>#<yyyy-mm-dd>`. The increment is a single-item
 * conditional update, so concurrent callers can never push the count past the limit. When the day's
 * budget is spent the caller gets ProviderRateLimited and the workflow backs off.
 *
 * Which clock the provider's day follows is not documented: UTC is used, so the local count may reset
 * a few hours before or after the provider's own.
 */
export async function takeDailyToken(provider: string, limit: number, at: Date = new Date()): Promise<void> {
  try {
    await updateItem({
      TableName: requireEnv('TABLE_NAME'),
      Key: { pk: `RATE#${provider}#${budgetDay(at)}`, sk: 'DAY' },
      UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': Math.floor(at.getTime() / 1000) + KEEP_SECONDS },
    });
  } catch (error) {
    if (conditionFailed(error)) {
      throw new ProviderRateLimited({ provider, code: 'DAILY_BUDGET_EXHAUSTED' });
    }
    throw error;
  }
}
