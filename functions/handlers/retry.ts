import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { publicView } from '../onboarding/record';
import { retryOnboarding } from '../onboarding/retry';
import { httpErrors, json, onboardingIdParam } from '../shared/middleware';
import { logger } from '../shared/powertools';

/** POST /onboardings/{id}/retry: an operator redrives a failed onboarding (or starts it again where AWS cannot redrive). */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .handler(async (event) => {
    const id = onboardingIdParam(event);
    const { action, executionArn, record } = await retryOnboarding(id);
    return json(202, { ...publicView(record), recovery: { action, executionArn } });
  });
