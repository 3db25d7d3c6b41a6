import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../shared/aws';
import { requireEnv } from '../shared/env';
import { ProviderRateLimited } from '../shared/errors';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket per provider, kept in the table so that every function and every execution share one
 * budget: a burst of onboardings queues up here instead of collecting 429s from the provider. Each take
 * is a single-item conditional write on the bucket's last refill time, so two takers cannot spend the
 * same token. When no token frees up within `maxWaitMs`, the caller gets ProviderRateLimited and the
 * workflow backs off.
 */
export async function takeProviderToken(provider: string, ratePerSecond: number, maxWaitMs = 3_000): Promise<void> {
  const key = { pk: `RATE#${provider}`, sk: 'BUCKET' };
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const now = Date.now();
    const { Item } = await dynamoClient().send(
      new GetCommand({ TableName: requireEnv('TABLE_NAME'), Key: key, ConsistentRead: true }),
    );
    const last = Item as { tokens: number; at: number } | undefined;
    const elapsed = last ? Math.max(0, now - last.at) : 0;
    const tokens = last ? Math.min(ratePerSecond, last.tokens + (elapsed * ratePerSecond) / 1000) : ratePerSecond;
    if (tokens >= 1) {
      try {
        await dynamoClient().send(
          new PutCommand({
            TableName: requireEnv('TABLE_NAME'),
            Item: { ...key, tokens: tokens - 1, at: Math.max(now, last?.at ?? 0), expiresAt: Math.floor(now / 1000) + 3600 },
            ConditionExpression: last ? '#at = :at' : 'attribute_not_exists(pk)',
            ...(last ? { ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':at': last.at } } : {}),
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await sleep(Math.random() * 10);
        continue;
      }
    }
    const wait = ((1 - tokens) * 1000) / ratePerSecond + Math.random() * 20;
    if (Date.now() + wait > deadline) throw new ProviderRateLimited({ provider, code: 'LOCAL_BUDGET_EXHAUSTED' });
    await sleep(wait);
  }
}
