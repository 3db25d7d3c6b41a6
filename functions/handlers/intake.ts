import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, EventBridgeEvent } from 'aws-lambda';
import { DETAIL_TYPES, publish } from '../onboarding/events';
import { OnboardingConflict, requestOnboarding } from '../onboarding/intake';
import { publicView } from '../onboarding/record';
import { httpErrors, isHttpEvent, json, jsonRequests, parseJsonBody } from '../shared/middleware';
import { logger, metrics } from '../shared/powertools';
import { ValidationFailed } from '../shared/validation';

/** The merchant's event that asks for an onboarding; its detail is the body of POST /onboardings. */
export const REQUEST_DETAIL_TYPE = 'Customer Onboarding Requested';

type IntakeEvent = APIGatewayProxyEvent | EventBridgeEvent<string, unknown>;

async function fromApi(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    const { created, record } = await requestOnboarding(parseJsonBody(event.body, event.isBase64Encoded));
    metrics.addMetric(created ? 'OnboardingAccepted' : 'OnboardingRepeated', 'Count', 1);
    return json(created ? 202 : 200, publicView(record), { location: `/onboardings/${record.onboardingId}` });
  } catch (error) {
    if (error instanceof ValidationFailed) metrics.addMetric('OnboardingInvalid', 'Count', 1);
    if (error instanceof OnboardingConflict) metrics.addMetric('OnboardingConflict', 'Count', 1);
    throw error;
  }
}

/** Merchant events get no answer: a request that can never succeed is reported on the bus instead of retried. */
async function fromBus(event: EventBridgeEvent<string, unknown>): Promise<undefined> {
  if (event['detail-type'] !== REQUEST_DETAIL_TYPE) {
    logger.warn('ignored event', { detailType: event['detail-type'] });
    metrics.addMetric('EventIgnored', 'Count', 1);
    return undefined;
  }
  try {
    const { created, record } = await requestOnboarding(event.detail);
    metrics.addMetric(created ? 'OnboardingAccepted' : 'OnboardingRepeated', 'Count', 1);
    logger.info('onboarding requested by event', { onboardingId: record.onboardingId, created, eventId: event.id });
    return undefined;
  } catch (error) {
    if (!(error instanceof ValidationFailed) && !(error instanceof OnboardingConflict)) throw error;
    const detail = event.detail as { merchantRef?: unknown } | undefined;
    const merchantRef =
      typeof detail?.merchantRef === 'string' && /^[A-Za-z0-9._:-]{1,191}$/.test(detail.merchantRef)
        ? detail.merchantRef
        : undefined;
    const errors =
      error instanceof ValidationFailed
        ? error.errors
        : [{ path: '', message: 'different customer data under an existing business key' }];
    logger.warn('onboarding event refused', { eventId: event.id, fields: errors.map((e) => e.path) });
    metrics.addMetric('OnboardingRequestInvalid', 'Count', 1);
    await publish(DETAIL_TYPES.INVALID_REQUEST, {
      requestEventId: event.id,
      merchantRef,
      ...(error instanceof OnboardingConflict ? { onboardingId: error.onboardingId, status: 'CONFLICT' } : { status: 'INVALID' }),
      errors,
    });
    return undefined;
  }
}

/** POST /onboardings and the merchant's `Customer Onboarding Requested` events: one handler, one set of rules. */
export const handler = middy<IntakeEvent, APIGatewayProxyResult | undefined>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors())
  .use(jsonRequests())
  .handler(async (event) =>
    isHttpEvent(event) ? fromApi(event as APIGatewayProxyEvent) : fromBus(event as EventBridgeEvent<string, unknown>),
  );
