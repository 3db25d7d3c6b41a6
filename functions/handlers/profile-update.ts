import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { addUsdFields } from '../flows/straitsx-usd/profile-update';
import { publicView } from '../onboarding/record';
import { httpErrors, json, jsonRequests, onboardingIdParam, parseJsonBody } from '../shared/middleware';
import { logger } from '../shared/powertools';

/** PATCH /onboardings/{id}/profile: add the USD-rail fields to a verified basic StraitsX profile. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors())
  .use(jsonRequests())
  .handler(async (event) => {
    const id = onboardingIdParam(event);
    const body = parseJsonBody(event.body, event.isBase64Encoded) as { customer?: unknown };
    const { record, added, missing } = await addUsdFields(id, body?.customer ?? {});
    return json(200, {
      ...publicView(record),
      profileUpdate: { added, usdReady: missing.length === 0, missingForUsd: missing },
    });
  });
