import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { applyExecutionStatus } from '../onboarding/execution-status';
import { logger, metrics } from '../shared/powertools';

/** `Step Functions Execution Status Change` of both workflows: failures mark the record FAILED, a redrive moves it on. */
export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    await applyExecutionStatus(event.detail);
  });
