import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { applyProviderUpdate, firstDelivery } from '../onboarding/provider-updates';
import { straddleSecretSchema } from '../providers/straddle/adapter';
import { parseStraddleEvent, verifyStraddleWebhook } from '../providers/straddle/webhook';
import { ConfigurationError } from '../shared/errors';
import { assertJsonContentType, HttpError, httpErrors, json, webhookJson } from '../shared/middleware';
import { logger, metrics } from '../shared/powertools';
import { readSecret } from '../shared/secrets';

/**
 * POST /webhooks/straddle: Svix-signed (webhook-id, webhook-timestamp, webhook-signature over the raw
 * body, 5-minute tolerance). Deliveries are de-duplicated by webhook id and applied in the order of
 * the customer's own change time, not arrival: a late older event changes nothing.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors())
  .handler(async (event) => {
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    const { webhookSecret } = await readSecret('STRADDLE_SECRET_ARN', straddleSecretSchema);
    if (!webhookSecret) throw new ConfigurationError('the Straddle secret has no webhookSecret');
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
    const verification = verifyStraddleWebhook(raw, headers, webhookSecret);
    if (!verification.valid) {
      metrics.addMetric('WebhookSignatureRejected', 'Count', 1);
      throw new HttpError(401, 'Invalid signature.');
    }
    // Svix posts JSON; the media type is checked after the signature, so an unsigned caller learns nothing.
    assertJsonContentType(event.headers);
    const body = webhookJson(raw);
    const parsed = parseStraddleEvent(body, verification.webhookId);
    if (!parsed.success) throw new HttpError(400, 'The event does not have the documented shape.', { errors: parsed.errors });
    const first = await firstDelivery('straddle', parsed.event.dedupeKey);
    metrics.addMetric(first ? 'WebhookReceived' : 'WebhookDuplicate', 'Count', 1);
    if (parsed.event.kind !== 'profile') return json(200, { received: true, duplicate: !first, result: 'ignored' });
    const { profileId, status, providerStatus, changedAt } = parsed.event;
    const result = await applyProviderUpdate('straddle', {
      kind: 'profile',
      profileId,
      status,
      providerStatus,
      changedAt,
      ...(status === 'rejected'
        ? { rejection: { reason: providerStatus === 'inactive' ? 'inactive' : 'rejected by Straddle', retryable: false } }
        : {}),
    });
    return json(200, { received: true, duplicate: !first, result });
  });
