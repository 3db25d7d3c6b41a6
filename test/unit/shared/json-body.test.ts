import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as documents } from '../../../functions/handlers/documents';
import { handler as intake } from '../../../functions/handlers/intake';
import { handler as migrations } from '../../../functions/handlers/migrations-intake';
import { duplicateKeyPath, isJsonMediaType, MAX_JSON_BODY_BYTES } from '../../../functions/shared/json-body';
import { lambdaContext } from '../../../local/api';

describe('duplicateKeyPath', () => {
  it('names the path of a key repeated at any depth', () => {
    expect(duplicateKeyPath('{"a":1,"a":2}')).toBe('a');
    expect(duplicateKeyPath('{"customer":{"address":{"city":"x","zip":"1","city":"y"}}}')).toBe('customer.address.city');
    expect(duplicateKeyPath('{"people":[{"name":"a"},{"name":"b","name":"c"}]}')).toBe('people[1].name');
    expect(duplicateKeyPath('[{"x":1,"x":1}]')).toBe('[0].x');
  });

  it('sees keys written with escapes as the same key', () => {
    expect(duplicateKeyPath('{"name":1,"n\\u0061me":2}')).toBe('name');
  });

  it('accepts the same key in different objects, and keys inside string values', () => {
    expect(duplicateKeyPath('{"a":{"id":1},"b":{"id":2},"c":[{"id":3},{"id":4}]}')).toBeUndefined();
    expect(duplicateKeyPath('{"a":"{\\"a\\":1,\\"a\\":2}","b":"\\\\","c":"]},"}')).toBeUndefined();
  });
});

describe('isJsonMediaType', () => {
  it('takes application/json and +json types, with parameters', () => {
    for (const type of [
      'application/json',
      'Application/JSON; charset=utf-8',
      'application/vnd.api+json',
      'application/merge-patch+json',
    ])
      expect(isJsonMediaType(type)).toBe(true);
  });
  it('refuses anything else', () => {
    for (const type of [
      undefined,
      '',
      'text/plain',
      'text/html',
      'application/x-www-form-urlencoded',
      'application/jsonp',
      'json',
    ])
      expect(isJsonMediaType(type)).toBe(false);
  });
});

const httpEvent = (body: string, contentType?: string, path = '/onboardings'): APIGatewayProxyEvent =>
  ({
    resource: path,
    path,
    httpMethod: 'POST',
    headers: contentType ? { 'Content-Type': contentType } : {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { id: 'onb_aaaaaaaaaaaaaaaaaaaaaaaaaa' },
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {},
  }) as unknown as APIGatewayProxyEvent;

type HttpHandler = (event: APIGatewayProxyEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const call = async (fn: HttpHandler, event: APIGatewayProxyEvent) => {
  const res = (await fn(event, lambdaContext('test'))) as APIGatewayProxyResult;
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any> };
};

// Each answer below comes before any AWS call: these handlers run here with no AWS behind them.
describe('JSON request rules on the API handlers', () => {
  it('answers 415 naming the rule for a body that is not JSON by its Content-Type', async () => {
    for (const fn of [intake, migrations, documents] as HttpHandler[]) {
      for (const type of ['text/plain', 'text/html', undefined]) {
        const res = await call(fn, httpEvent('{"provider":"straddle"}', type));
        expect(res.status).toBe(415);
        expect(res.body.message).toMatch(/application\/json or a \+json media type/);
      }
    }
  });

  it('answers 400 naming the key path for duplicate keys', async () => {
    const res = await call(intake, httpEvent('{"provider":"straddle","customer":{"name":"A","name":"B"}}', 'application/json'));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'customer.name', message: expect.stringMatching(/more than once/) }]);
  });

  it('answers 413 for a JSON body past the bound', async () => {
    const big = JSON.stringify({ provider: 'straddle', pad: 'x'.repeat(MAX_JSON_BODY_BYTES) });
    expect((await call(intake, httpEvent(big, 'application/json; charset=utf-8'))).status).toBe(413);
  });
});
