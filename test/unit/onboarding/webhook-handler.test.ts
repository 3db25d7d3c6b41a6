import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/webhook';
import { lambdaContext } from '../../../local/api';
import { dynamo, items, resetCloud, secrets, stopCloud } from '../recovery/fixture';

/** The one webhook handler, as API Gateway calls it on each provider's own route. */

const SIGNING_KEY = 'straitsx-callback-key';

const callback = JSON.stringify({
  data: { id: 'customer_profile_a1b2', attributes: { verificationStatus: 'verified' } },
});
const sign = (body: string, key = SIGNING_KEY) => createHmac('sha256', key).update(body).digest('hex');

function request(
  resource: string,
  pathParameters: Record<string, string> | null,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource,
    path: resource,
    pathParameters,
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
}

const call = async (event: APIGatewayProxyEvent) => (await handler(event, lambdaContext('webhook'))) as APIGatewayProxyResult;
const straitsx = (body: string, signature: string, event = 'cpVerificationStatusUpdated') =>
  call(request('/webhooks/straitsx/{event}', { event }, body, { 'Xfers-Signature': signature }));

describe('the webhook handler', () => {
  afterAll(stopCloud);
  beforeEach(() => {
    resetCloud();
    process.env.STRAITSX_SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-1:111122223333:secret:straitsx';
    secrets.on('GetSecretValue').resolves({ SecretString: JSON.stringify({ apiKey: 'k', callbackSigningKey: SIGNING_KEY }) });
  });

  it('answers 404 for a provider this stack does not have, before reading any secret', async () => {
    const byParameter = await call(request('/webhooks/{provider}', { provider: 'acme' }, callback));
    const byResource = await call(request('/webhooks/acme', null, callback));
    expect([byParameter.statusCode, byResource.statusCode]).toEqual([404, 404]);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('answers 404 for a path shape the provider does not have', async () => {
    const wallexWithEvent = await call(request('/webhooks/{provider}/{event}', { provider: 'wallex', event: 'x' }, '{}'));
    const straitsxWithout = await call(request('/webhooks/{provider}', { provider: 'straitsx' }, callback));
    expect([wallexWithEvent.statusCode, straitsxWithout.statusCode]).toEqual([404, 404]);
  });

  it('refuses a forged callback with 401 and changes nothing', async () => {
    const forged = await straitsx(callback, sign(callback, 'not-the-key'));
    expect(forged.statusCode).toBe(401);
    expect(forged.body).not.toContain('customer_profile');
    expect(items.size).toBe(0);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('checks the signature before the callback name, so an unsigned caller learns no event names', async () => {
    expect((await straitsx(callback, sign(callback, 'not-the-key'), 'noSuchEvent')).statusCode).toBe(401);
    expect((await straitsx(callback, sign(callback), 'noSuchEvent')).statusCode).toBe(404);
  });

  it('records a signed callback once, keeps an early one for its onboarding, and says when a repeat arrives', async () => {
    const first = await straitsx(callback, sign(callback));
    const again = await straitsx(callback, sign(callback));
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ received: true, duplicate: false, result: 'parked' });
    expect(JSON.parse(again.body)).toMatchObject({ received: true, duplicate: true });
    expect([...items.keys()].some((key) => key.startsWith('WEBHOOK#straitsx#'))).toBe(true);
  });

  it('answers 400 with the failing fields for a signed callback of the wrong shape', async () => {
    const body = JSON.stringify({ data: { id: 'customer_profile_a1b2', attributes: { verificationStatus: 'maybe' } } });
    const answer = await straitsx(body, sign(body));
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('verificationStatus');
  });
});
