import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { receiveWebhook, webhookProviderOf } from '../onboarding/webhooks';
import { httpErrors, json } from '../shared/middleware';
import { logger, metrics } from '../shared/powertools';

const lowerCased = (headers: APIGatewayProxyEvent['headers']) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value ?? '']));

/**
 * POST /webhooks/{provider} and /webhooks/{provider}/{event}, for every provider: each provider's port
 * definition says how its deliveries are verified and read, so this handler names none of them.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors())
  .handler(async (event) => {
    const provider = webhookProviderOf(event);
    // The body exactly as sent: signatures are over these bytes, never over a re-encoded string.
    const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    const eventName = event.pathParameters?.event;
    const answer = await receiveWebhook(provider, {
      raw,
      headers: lowerCased(event.headers),
      ...(eventName !== undefined ? { event: eventName } : {}),
    });
    return json(200, answer);
  });
