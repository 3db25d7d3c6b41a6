import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { connectMigrationFailure } from '../flows/straitsx-connect/failure';
import { applyExecutionStatus } from '../onboarding/execution-status';
import { announceFailuresWith } from '../onboarding/failures';
import { logger, metrics } from '../shared/powertools';

// A failed Connect migration is announced with its own event, not as a failed onboarding.
announceFailuresWith(connectMigrationFailure);

/** `Step Functions Execution Status Change` of both workflows: failures mark the record FAILED, a redrive moves it on. */
export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    await applyExecutionStatus(event.detail);
  });
