import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { takeUploadedManifest } from '../flows/straitsx-connect-batch/intake';
import { BATCH_ID, UPLOADS_PREFIX } from '../flows/straitsx-connect-batch/store';
import { logger } from '../shared/powertools';

/** Bucket notification for `migration-uploads/`: takes a batch's manifest once it has landed. */
export const handler = middy<S3Event, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    for (const record of event.Records ?? []) {
      if (!record.eventName?.startsWith('ObjectCreated')) continue;
      const batchId = record.s3.object.key.slice(UPLOADS_PREFIX.length);
      if (!record.s3.object.key.startsWith(UPLOADS_PREFIX) || !BATCH_ID.test(batchId)) continue;
      await takeUploadedManifest(batchId);
    }
  });
