import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { migrationView, requestConnectMigration } from '../flows/straitsx-connect/migration';
import { OnboardingConflict } from '../onboarding/intake';
import { httpErrors, json, jsonRequests, parseJsonBody } from '../shared/middleware';
import { logger, metrics } from '../shared/powertools';
import { ValidationFailed } from '../shared/validation';

/**
 * POST /migrations/connect: moves a legacy Connect user onto a customer profile. 202 for a new migration,
 * 200 with the existing one for a repeat, 409 for a different payload under the same business key, 400
 * with every failing field (the token is never repeated back).
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors())
  .use(jsonRequests())
  .handler(async (event) => {
    try {
      const { created, record } = await requestConnectMigration(parseJsonBody(event.body, event.isBase64Encoded));
      metrics.addMetric(created ? 'ConnectMigrationAccepted' : 'ConnectMigrationRepeated', 'Count', 1);
      return json(created ? 202 : 200, migrationView(record), { location: `/onboardings/${record.onboardingId}` });
    } catch (error) {
      if (error instanceof ValidationFailed) metrics.addMetric('ConnectMigrationInvalid', 'Count', 1);
      if (error instanceof OnboardingConflict) metrics.addMetric('ConnectMigrationConflict', 'Count', 1);
      throw error;
    }
  });
