import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DocumentNotAccepted, requestDocumentUpload } from '../onboarding/documents';
import { HttpError, httpErrors, json, parseJsonBody } from '../shared/middleware';
import { logger } from '../shared/powertools';

const ID = /^onb_[a-z2-7]{26}$/;

/** POST /onboardings/{id}/documents: a presigned URL to upload one document (PNG, JPEG or PDF, at most 10 MB). */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .handler(async (event) => {
    const id = event.pathParameters?.id ?? '';
    if (!ID.test(id)) throw new HttpError(400, 'id must be an onboarding id (onb_ followed by 26 characters a-z, 2-7).');
    try {
      return json(201, await requestDocumentUpload(id, parseJsonBody(event.body, event.isBase64Encoded)));
    } catch (error) {
      if (error instanceof DocumentNotAccepted) throw new HttpError(error.statusCode, error.message);
      throw error;
    }
  });
