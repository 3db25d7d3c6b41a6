import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { requestDocumentUpload } from '../onboarding/documents';
import { httpErrors, json, jsonRequests, onboardingIdParam, parseJsonBody } from '../shared/middleware';
import { logger } from '../shared/powertools';

/** POST /onboardings/{id}/documents: a presigned URL to upload one document (PNG, JPEG or PDF, at most 10 MB). */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .use(jsonRequests())
  .handler(async (event) => {
    const id = onboardingIdParam(event);
    return json(201, await requestDocumentUpload(id, parseJsonBody(event.body, event.isBase64Encoded)));
  });
