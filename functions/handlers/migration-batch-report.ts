import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { buildReport } from '../flows/straitsx-connect-batch/report';
import { BATCH_ID } from '../flows/straitsx-connect-batch/store';
import { logger } from '../shared/powertools';

const inputSchema = z.object({ batchId: z.string().check(z.regex(BATCH_ID, 'batchId must be a batch id')) });

/** Batch workflow step: the report under the batch's prefix and the completion event; answers the totals. */
export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => buildReport(inputSchema.parse(event).batchId));
