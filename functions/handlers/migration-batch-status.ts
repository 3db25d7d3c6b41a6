import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { batchProgress } from '../flows/straitsx-connect-batch/report';
import { BATCH_ID } from '../flows/straitsx-connect-batch/store';
import { HttpError, httpErrors, json } from '../shared/middleware';
import { logger } from '../shared/powertools';

/** GET /migrations/connect/batches/{batchId}: the batch's status, its refused rows and counts by outcome. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .handler(async (event) => {
    const batchId = event.pathParameters?.batchId ?? '';
    if (!BATCH_ID.test(batchId)) throw new HttpError(400, 'batchId must be the id POST /migrations/connect/batches answered.');
    const progress = await batchProgress(batchId);
    if (!progress) throw new HttpError(404, 'No such batch.');
    return json(200, progress);
  });
