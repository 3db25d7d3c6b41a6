import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { publicView } from '../onboarding/record';
import { httpErrors, json, onboardingIdParam } from '../shared/middleware';
import { logger } from '../shared/powertools';
import { NotFound } from '../shared/refusals';
import { findOnboarding } from '../store/onboardings';

/** GET /onboardings/{id}: status, provider ids, virtual account and the step timeline. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .handler(async (event) => {
    const id = onboardingIdParam(event);
    const record = await findOnboarding(id);
    if (!record) throw new NotFound('No onboarding with this id.');
    return json(200, publicView(record));
  });
