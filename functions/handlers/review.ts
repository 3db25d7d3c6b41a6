import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { publicView } from '../onboarding/record';
import { decideReview } from '../onboarding/review';
import { httpErrors, json, jsonRequests, onboardingIdParam, parseJsonBody } from '../shared/middleware';
import { logger } from '../shared/powertools';

/** POST /onboardings/{id}/review: an operator verifies or rejects a profile in review. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .use(jsonRequests())
  .handler(async (event) => {
    const id = onboardingIdParam(event);
    const body = parseJsonBody(event.body, event.isBase64Encoded) as Record<string, unknown>;
    // On API Gateway the caller's IAM identity is the operator; the body cannot claim someone else.
    const caller = event.requestContext?.identity?.userArn ?? event.requestContext?.identity?.user ?? undefined;
    const record = await decideReview(id, caller ? { ...body, operator: caller.split('/').pop() } : body);
    return json(200, publicView(record));
  });
