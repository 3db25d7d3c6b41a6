import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { pacedStep } from '../onboarding/pacing';
import { submitDetailsStep } from '../onboarding/profile-steps';
import { retryNotes } from '../onboarding/retry-notes';
import { logger, metrics } from '../shared/powertools';

/** Workflow step: input and output are ids and statuses only; errors carry the taxonomy's names. */
export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(retryNotes('submit-details'))
  .handler(async (event) => pacedStep('submit-details', event, () => submitDetailsStep(event)));
