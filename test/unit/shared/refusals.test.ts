import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { OnboardingConflict } from '../../../functions/onboarding/intake';
import { httpErrors } from '../../../functions/shared/middleware';
import { Conflict, NotFound, NotPossibleNow } from '../../../functions/shared/refusals';
import { ValidationFailed } from '../../../functions/shared/validation';
import { lambdaContext } from '../../../local/api';

/** What an API caller gets when the handler's call throws `error`. */
async function answerTo(error: Error): Promise<{ status: number; body: Record<string, unknown> }> {
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpErrors())
    .handler(async () => {
      throw error;
    });
  const event = { httpMethod: 'POST', path: '/x', headers: {}, body: null } as unknown as APIGatewayProxyEvent;
  const res = await handler(event, lambdaContext('test'));
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

describe('one family of refusals, answered by the middleware', () => {
  it('answers a validation failure 400 with every failing field and no submitted value', async () => {
    const errors = [
      { path: 'customer.email', message: 'is required' },
      { path: 'merchantRef', message: 'merchantRef must be 1 to 191 letters' },
    ];
    expect(await answerTo(new ValidationFailed(errors))).toEqual({
      status: 400,
      body: { message: "The request breaks the provider's documented rules.", errors },
    });
  });

  it('answers not found 404, a conflict 409 with its ids, and not-possible-now with the status it names', async () => {
    expect(await answerTo(new NotFound('No onboarding with this id.'))).toEqual({
      status: 404,
      body: { message: 'No onboarding with this id.' },
    });
    expect(await answerTo(new OnboardingConflict('onb_x'))).toEqual({
      status: 409,
      body: { message: 'An onboarding with this business key exists with different customer data.', onboardingId: 'onb_x' },
    });
    expect((await answerTo(new Conflict('taken'))).status).toBe(409);
    expect(await answerTo(new NotPossibleNow('A retry is already running.', {}, 423))).toEqual({
      status: 423,
      body: { message: 'A retry is already running.' },
    });
  });

  it('answers any other error with a plain 500 that says nothing of it', async () => {
    expect(await answerTo(new Error('table onboarding-x not found: secret detail'))).toEqual({
      status: 500,
      body: { message: 'Internal error' },
    });
  });
});
