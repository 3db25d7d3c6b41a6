import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type SweepReport, sweep } from '../onboarding/sweeper';
import { logger, metrics } from '../shared/powertools';

/** Scheduled: heals onboardings that are not final but have no execution working on them. */
export const handler = middy<unknown, SweepReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (_event, context: Context) =>
    sweep(undefined, undefined, { remainingMs: () => context.getRemainingTimeInMillis() }),
  );
