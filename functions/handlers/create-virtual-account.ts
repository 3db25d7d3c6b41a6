import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { pacedStep } from '../onboarding/pacing';
import { retryNotes } from '../onboarding/retry-notes';
import { createVirtualAccountStep } from '../onboarding/steps';
import { logger, metrics } from '../shared/powertools';

/** Workflow step: input and output are ids and statuses only; errors carry the taxonomy's names. */
export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(retryNotes('create-virtual-account'))
  .handler(async (event) => pacedStep('create-virtual-account', event, () => createVirtualAccountStep(event)));
