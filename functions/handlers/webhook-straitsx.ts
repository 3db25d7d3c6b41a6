import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { applyProviderUpdate, firstDelivery } from '../onboarding/provider-updates';
import { readStraitsxSecret } from '../providers/straitsx/transport';
import { toProviderUpdate } from '../providers/straitsx/updates';
import {
  isStraitsxCallbackEvent,
  parseStraitsxCallback,
  STRAITSX_SIGNATURE_HEADER,
  verifyStraitsxSignature,
} from '../providers/straitsx/webhook';
import { ConfigurationError } from '../shared/errors';
import { assertJsonContentType, HttpError, httpErrors, json, webhookJson } from '../shared/middleware';
import { logger, metrics } from '../shared/powertools';

const header = (headers: APIGatewayProxyEvent['headers'], name: string) =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

/**
 * POST /webhooks/straitsx/{event}: one URL per callback type, since StraitsX payloads do not name
 * their event. The signature over the raw body is checked before anything else; a forged callback
 * changes nothing and learns nothing (401 with no detail).
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors())
  .handler(async (event) => {
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
    const { callbackSigningKey } = await readStraitsxSecret();
    if (!callbackSigningKey) throw new ConfigurationError('the StraitsX secret has no callbackSigningKey');
    if (!verifyStraitsxSignature(raw, header(event.headers, STRAITSX_SIGNATURE_HEADER), callbackSigningKey)) {
      metrics.addMetric('WebhookSignatureRejected', 'Count', 1);
      throw new HttpError(401, 'Invalid signature.');
    }
    const name = event.pathParameters?.event ?? '';
    if (!isStraitsxCallbackEvent(name)) throw new HttpError(404, 'Unknown callback event.');
    // StraitsX posts JSON; the media type is checked after the signature, so an unsigned caller learns nothing.
    assertJsonContentType(event.headers);
    const body = webhookJson(raw.toString('utf8'));
    const parsed = parseStraitsxCallback(name, body);
    if (!parsed.success) throw new HttpError(400, 'The callback does not have the documented shape.', { errors: parsed.errors });

    const first = await firstDelivery('straitsx', parsed.callback.dedupeKey);
    metrics.addMetric(first ? 'WebhookReceived' : 'WebhookDuplicate', 'Count', 1);
    const update = toProviderUpdate(parsed.callback);
    // A duplicate is applied again on purpose: applying is idempotent, and it heals a delivery whose
    // first handling stopped after recording but before resuming the execution.
    const result = update ? await applyProviderUpdate('straitsx', update) : 'ignored';
    return json(200, { received: true, duplicate: !first, result });
  });
