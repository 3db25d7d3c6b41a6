import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { publicView } from '../onboarding/record';
import { findOnboarding } from '../store/onboardings';
import { HttpError, httpErrors, json } from '../shared/middleware';
import { logger } from '../shared/powertools';

const ID = /^onb_[a-z2-7]{26}$/;

/** GET /onboardings/{id}: status, provider ids, virtual account and the step timeline. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .handler(async (event) => {
    const id = event.pathParameters?.id ?? '';
    if (!ID.test(id)) throw new HttpError(400, 'id must be an onboarding id (onb_ followed by 26 characters a-z, 2-7).');
    const record = await findOnboarding(id);
    if (!record) throw new HttpError(404, 'No onboarding with this id.');
    return json(200, publicView(record));
  });
