import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { documentUploaded } from '../onboarding/documents';
import { logger } from '../shared/powertools';

/** Bucket notification for `documents/`: checks each upload and moves the onboarding on when it can. */
export const handler = middy<S3Event, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    for (const record of event.Records ?? []) {
      if (!record.eventName?.startsWith('ObjectCreated')) continue;
      // Keys arrive URL-encoded, with spaces as '+'; a key that does not decode is no document of ours.
      let key: string;
      try {
        key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      } catch {
        logger.warn('object key with malformed encoding ignored');
        continue;
      }
      await documentUploaded(key);
    }
  });
