import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { requestBatch, UPLOAD_URL_TTL_SECONDS } from '../flows/straitsx-connect-batch/api';
import { httpErrors, json, jsonRequests, parseJsonBody } from '../shared/middleware';
import { logger, metrics } from '../shared/powertools';

/**
 * POST /migrations/connect/batches: 201 with a presigned PUT URL for the manifest, or, for a manifest
 * sent inline, 202 with the batch id and the refused rows (row, field, rule; never a value).
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors())
  .use(jsonRequests())
  .handler(async (event) => {
    const result = await requestBatch(event.body ? parseJsonBody(event.body, event.isBase64Encoded) : {});
    const { batchId, status, refused, items, skipped } = result.state;
    const location = { location: `/migrations/connect/batches/${batchId}` };
    if (!result.inline) {
      metrics.addMetric('ConnectMigrationBatchOpened', 'Count', 1);
      return json(201, { batchId, status, uploadUrl: result.uploadUrl, expiresIn: UPLOAD_URL_TTL_SECONDS }, location);
    }
    metrics.addMetric('ConnectMigrationBatchAccepted', 'Count', 1);
    return json(202, { batchId, status, users: items ?? 0, skipped: skipped ?? 0, refused: refused ?? [] }, location);
  });
