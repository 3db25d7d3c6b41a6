import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { connectMigrationFailure } from '../flows/straitsx-connect/failure';
import { announceFailuresWith } from '../onboarding/failures';
import { type SweepReport, sweep } from '../onboarding/sweeper';
import { logger, metrics } from '../shared/powertools';

// A failed Connect migration is announced with its own event, not as a failed onboarding.
announceFailuresWith(connectMigrationFailure);

/** Scheduled: heals onboardings that are not final but have no execution working on them. */
export const handler = middy<unknown, SweepReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (_event, context: Context) =>
    sweep(undefined, undefined, { remainingMs: () => context.getRemainingTimeInMillis() }),
  );
