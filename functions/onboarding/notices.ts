import { createHash } from 'node:crypto';
import type { WebhookNotice } from '../providers/port';
import { PROVIDERS, type ProviderName, providerOf } from '../providers/registry';
import { deleteItem, putItem, queryItems } from '../shared/dynamo';
import { requireEnv } from '../shared/env';
import { ProviderRateLimited } from '../shared/errors';
import { logger, metrics } from '../shared/powertools';
import { DETAIL_TYPES, publish } from './events';

/**
 * A provider's notices (fundings, refunds): read back from the provider, then published. The read goes
 * through the provider's shared rate budget, which never makes a webhook wait: when it has no room, the
 * notice is kept (ids and statuses only) and the sweeper confirms and publishes it on its next run. A
 * provider's quick redeliveries can then never all be refused while a burst of onboardings fills the budget.
 */

const DAY = 24 * 3600;
const noticeKey = (provider: string) => `NOTICE#${provider}`;

/** Confirms one notice with its provider and publishes it under `eventId`. */
export async function publishNotice(provider: ProviderName, eventId: string, notice: WebhookNotice): Promise<void> {
  const { webhook } = await providerOf(provider);
  if (!webhook.confirmNotice) throw new Error(`${provider} gives notices but cannot confirm them`);
  const confirmed = await webhook.confirmNotice(notice);
  await publish(notice.kind === 'funding' ? DETAIL_TYPES.FUNDING : DETAIL_TYPES.REFUND, {
    eventId,
    provider,
    ...confirmed,
    occurredAt: new Date().toISOString(),
  });
}

/**
 * Publishes a delivery's notices, keeping for the sweeper any the rate budget has no room for now.
 * Answers how many were kept.
 */
export async function publishOrKeepNotices(provider: ProviderName, eventId: string, notices: WebhookNotice[]): Promise<number> {
  let kept = 0;
  for (const [index, notice] of notices.entries()) {
    try {
      await publishNotice(provider, eventId, notice);
    } catch (error) {
      if (!(error instanceof ProviderRateLimited)) throw error;
      await keepNotice(provider, eventId, index, notice);
      kept += 1;
    }
  }
  if (kept > 0) metrics.addMetric('NoticeKeptForLater', 'Count', kept);
  return kept;
}

async function keepNotice(provider: string, eventId: string, index: number, notice: WebhookNotice): Promise<void> {
  const hash = createHash('sha256').update(eventId).digest('base64url');
  await putItem({
    TableName: requireEnv('TABLE_NAME'),
    Item: {
      pk: noticeKey(provider),
      sk: `${hash}#${index}`,
      eventId,
      notice: { kind: notice.kind, id: notice.id, notifiedStatus: notice.notifiedStatus },
      keptAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 7 * DAY,
    },
  });
}

/**
 * Confirms and publishes the notices kept by webhooks, oldest first, for every provider; a provider whose
 * budget is still full keeps the rest for the next run. Answers how many were published and how many are left.
 */
export async function publishKeptNotices(): Promise<{ published: number; left: number }> {
  let published = 0;
  let left = 0;
  for (const provider of PROVIDERS) {
    const { Items = [] } = await queryItems({
      TableName: requireEnv('TABLE_NAME'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': noticeKey(provider) },
      ConsistentRead: true,
    });
    const kept = Items.sort((a, b) => String(a.keptAt).localeCompare(String(b.keptAt)));
    for (const [i, item] of kept.entries()) {
      try {
        await publishNotice(provider, String(item.eventId), item.notice as WebhookNotice);
      } catch (error) {
        if (!(error instanceof ProviderRateLimited)) throw error;
        left += kept.length - i;
        break;
      }
      await deleteItem({ TableName: requireEnv('TABLE_NAME'), Key: { pk: item.pk, sk: item.sk } });
      published += 1;
    }
  }
  if (published > 0) logger.info('kept notices published', { published, left });
  return { published, left };
}
