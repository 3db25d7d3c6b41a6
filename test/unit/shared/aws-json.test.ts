import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetAwsClients } from '../../../functions/shared/aws';
import { AwsError, callAws, isAwsError } from '../../../functions/shared/aws-json';
import { DYNAMODB, getItem, putItem } from '../../../functions/shared/dynamo';
import { EVENTBRIDGE, putEvents } from '../../../functions/shared/eventbridge';
import { readSecret, resetSecrets, SECRETS_MANAGER } from '../../../functions/shared/secrets';
import { describeExecution, SFN, startExecution } from '../../../functions/shared/sfn';

/** A stand-in AWS endpoint: answers from a queue of scripted answers and records each request. */
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Drop the connection instead of answering. */
  hangUp?: boolean;
}
const seen: Seen[] = [];
let answers: Answer[] = [];
let server: Server;
let endpoint: string;
const saved = { ...process.env };

const ENDPOINT_VARIABLES = ['DYNAMODB', 'SFN', 'EVENTBRIDGE', 'SECRETS_MANAGER'].map((name) => `AWS_ENDPOINT_URL_${name}`);

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      const answer = answers.shift() ?? { status: 200, body: '{}' };
      if (answer.hangUp) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const name of ENDPOINT_VARIABLES) process.env[name] = endpoint;
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'AKIDJSONTEST',
    AWS_SECRET_ACCESS_KEY: 'json-secret',
    AWS_SESSION_TOKEN: 'json-session',
  });
  resetAwsClients();
});

afterEach(() => {
  seen.length = 0;
  answers = [];
  vi.restoreAllMocks();
});

afterAll(() => {
  server.close();
  process.env = saved;
  resetAwsClients();
});

const awsError = (code: string, message = 'refused', status = 400): Answer => ({
  status,
  body: JSON.stringify({ __type: code, message }),
});

describe('AWS JSON-protocol calls over signed fetch', () => {
  it.each([
    ['DynamoDB', '1.0', DYNAMODB, 'GetItem', 'DynamoDB_20120810.GetItem', 'dynamodb'],
    ['Step Functions', '1.0', SFN, 'StartExecution', 'AWSStepFunctions.StartExecution', 'states'],
    ['EventBridge', '1.1', EVENTBRIDGE, 'PutEvents', 'AWSEvents.PutEvents', 'events'],
    ['Secrets Manager', '1.1', SECRETS_MANAGER, 'GetSecretValue', 'secretsmanager.GetSecretValue', 'secretsmanager'],
  ])(
    '%s: POSTs the operation in X-Amz-Target, as JSON %s, signed for its service',
    async (_, version, service, operation, target, signingName) => {
      answers = [{ status: 200, body: '{"ok":true}' }];
      await expect(callAws(service, operation, { Name: 'x' })).resolves.toEqual({ ok: true });

      const [request] = seen as [Seen];
      expect(request.url).toBe('/');
      expect(request.headers['content-type']).toBe(`application/x-amz-json-${version}`);
      expect(request.headers['x-amz-target']).toBe(target);
      expect(JSON.parse(request.body)).toEqual({ Name: 'x' });
      expect(request.headers['x-amz-security-token']).toBe('json-session');
      expect(request.headers.authorization).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=AKIDJSONTEST/\\d{8}/ap-southeast-1/${signingName}/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$`,
        ),
      );
    },
  );

  it("goes to the service's regional AWS endpoint when no endpoint is configured", async () => {
    for (const name of ENDPOINT_VARIABLES) delete process.env[name];
    const fetch = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('{}', { status: 200 }));
    try {
      await startExecution({ stateMachineArn: 'arn:aws:states:ap-southeast-1:1:stateMachine:m', name: 'n' });
      await putEvents({ Entries: [] });
    } finally {
      for (const name of ENDPOINT_VARIABLES) process.env[name] = endpoint;
    }
    expect(fetch.mock.calls.map(([url]) => String(url))).toEqual([
      'https://states.ap-southeast-1.amazonaws.com/',
      'https://events.ap-southeast-1.amazonaws.com/',
    ]);
  });

  it('takes AWS_ENDPOINT_URL when the service has no endpoint of its own', async () => {
    delete process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL = `${endpoint}/`;
    try {
      await startExecution({ stateMachineArn: 'arn:aws:states:ap-southeast-1:1:stateMachine:m', name: 'n' });
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
      process.env.AWS_ENDPOINT_URL_SFN = endpoint;
    }
    expect(seen).toHaveLength(1);
  });

  it("names the error by AWS's code, without its namespace, and keeps the status and message", async () => {
    answers = [awsError('com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', 'The conditional request failed')];
    const error = await putItem({ TableName: 't', Item: { pk: 'a' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      status: 400,
      message: 'The conditional request failed',
    });
    expect(isAwsError(error, 'ConditionalCheckFailedException')).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('reads the code from X-Amzn-ErrorType first, without its suffix, and a capitalised Message', async () => {
    answers = [
      {
        status: 400,
        headers: {
          'x-amzn-errortype': 'ExecutionAlreadyExists:http://internal.amazon.com/coral/com.amazonaws.swf.service.v2.model/',
        },
        body: JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#Other', Message: 'Execution Already Exists' }),
      },
    ];
    const error = await startExecution({ stateMachineArn: 'arn:m', name: 'n' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ExecutionAlreadyExists', message: 'Execution Already Exists' });
  });

  it('gives the item a refused condition returned, unmarshalled, and never among what a log would show', async () => {
    answers = [
      {
        status: 400,
        body: JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
          Item: { pk: { S: 'ONB#1' }, version: { N: '4' } },
        }),
      },
    ];
    const error = (await putItem({
      TableName: 't',
      Item: { pk: 'ONB#1' },
      ConditionExpression: 'version = :v',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }).catch((e: unknown) => e)) as AwsError;
    expect(error.item).toEqual({ pk: 'ONB#1', version: 4 });
    expect(Object.keys(error)).not.toContain('item');
  });

  it.each([
    ['ThrottlingException', awsError('ThrottlingException')],
    [
      'ProvisionedThroughputExceededException',
      awsError('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'),
    ],
    ['TooManyRequestsException', awsError('TooManyRequestsException')],
    ['HTTP 429', { status: 429, body: '' }],
    ['HTTP 500', awsError('InternalServerError', 'oops', 500)],
    ['HTTP 503 without a body', { status: 503, body: '<html>busy</html>' }],
    ['a dropped connection', { status: 0, hangUp: true }],
  ])('tries again after %s and succeeds', async (_, first) => {
    answers = [first, { status: 200, body: '{"Item":{"pk":{"S":"a"}}}' }];
    await expect(getItem({ TableName: 't', Key: { pk: 'a' } })).resolves.toMatchObject({ Item: { pk: 'a' } });
    expect(seen).toHaveLength(2);
  });

  it('gives a throttled service a second before trying again, as the SDK does', async () => {
    // The pause is drawn at random up to its ceiling: drawn at the ceiling, it must reach a second.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      answers = [awsError('ThrottlingException'), { status: 200, body: '{}' }];
      const started = performance.now();
      await getItem({ TableName: 't', Key: { pk: 'a' } });
      expect(performance.now() - started).toBeGreaterThanOrEqual(990);
      expect(seen).toHaveLength(2);
    } finally {
      random.mockRestore();
    }
  });

  it.each([
    ['ConditionalCheckFailedException', awsError('ConditionalCheckFailedException')],
    ['ValidationException', awsError('ValidationException')],
    ['AccessDeniedException', awsError('AccessDeniedException')],
    ['ResourceNotFoundException', awsError('ResourceNotFoundException')],
  ])('never tries again after %s', async (code, answer) => {
    answers = [answer, { status: 200, body: '{}' }];
    await expect(getItem({ TableName: 't', Key: { pk: 'a' } })).rejects.toMatchObject({ name: code });
    expect(seen).toHaveLength(1);
  });

  it('gives up after three attempts with the last answer', async () => {
    answers = [awsError('ThrottlingException'), awsError('ThrottlingException'), { status: 503, body: '' }];
    await expect(getItem({ TableName: 't', Key: { pk: 'a' } })).rejects.toMatchObject({ name: 'Http503', status: 503 });
    expect(seen).toHaveLength(3);
  });

  it('says AWS could not be reached after three dropped connections', async () => {
    answers = [
      { status: 0, hangUp: true },
      { status: 0, hangUp: true },
      { status: 0, hangUp: true },
    ];
    await expect(putEvents({ Entries: [] })).rejects.toThrow('AWSEvents.PutEvents: AWS could not be reached');
    expect(seen).toHaveLength(3);
  });

  it("gives Step Functions' epoch-second timestamps back as Dates", async () => {
    answers = [
      {
        status: 200,
        body: JSON.stringify({ status: 'FAILED', startDate: 1768471200.123, stopDate: 1768474800.5, input: '{"startDate":1}' }),
      },
    ];
    const execution = await describeExecution({ executionArn: 'arn:e' });
    expect(execution.startDate).toEqual(new Date('2026-01-15T10:00:00.123Z'));
    expect(execution.stopDate).toEqual(new Date('2026-01-15T11:00:00.500Z'));
    expect(execution.input).toBe('{"startDate":1}');
  });

  it('sends Dates as epoch seconds and bytes as base64', async () => {
    await putEvents({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', Time: new Date('2026-01-15T10:00:00.250Z') }] });
    await putItem({ TableName: 't', Item: { pk: 'a', blob: new Uint8Array([1, 2, 3]) } });
    expect(JSON.parse(seen[0]!.body).Entries[0].Time).toBe(1768471200.25);
    expect(JSON.parse(seen[1]!.body).Item).toEqual({ pk: { S: 'a' }, blob: { B: 'AQID' } });
  });
});

describe('secrets', () => {
  const schema = { safeParse: (value: unknown) => ({ success: true as const, data: value }) } as never;

  it('reads a JSON secret once and keeps it five minutes', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 15), toFake: ['Date'] });
    try {
      resetSecrets();
      process.env.TEST_SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-1:1:secret:test';
      answers = [
        { status: 200, body: JSON.stringify({ SecretString: '{"apiKey":"one"}', CreatedDate: 1768471200 }) },
        { status: 200, body: JSON.stringify({ SecretString: '{"apiKey":"two"}' }) },
      ];
      expect(await readSecret('TEST_SECRET_ARN', schema)).toEqual({ apiKey: 'one' });
      vi.setSystemTime(Date.UTC(2026, 0, 15, 0, 4, 59));
      expect(await readSecret('TEST_SECRET_ARN', schema)).toEqual({ apiKey: 'one' });
      expect(seen).toHaveLength(1);
      expect(JSON.parse(seen[0]!.body)).toEqual({ SecretId: 'arn:aws:secretsmanager:ap-southeast-1:1:secret:test' });
      vi.setSystemTime(Date.UTC(2026, 0, 15, 0, 5, 1));
      expect(await readSecret('TEST_SECRET_ARN', schema)).toEqual({ apiKey: 'two' });
      expect(seen).toHaveLength(2);
    } finally {
      vi.useRealTimers();
      resetSecrets();
    }
  });

  it('names the variable, never the value, when the secret is not JSON; and caches nothing', async () => {
    resetSecrets();
    process.env.TEST_SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-1:1:secret:test';
    answers = [
      { status: 200, body: JSON.stringify({ SecretString: 'hunter2-not-json' }) },
      { status: 200, body: JSON.stringify({ SecretString: '{"apiKey":"ok"}' }) },
    ];
    const error = (await readSecret('TEST_SECRET_ARN', schema).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('secret named by TEST_SECRET_ARN could not be read as JSON');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('hunter2');
    expect(String((error.cause as Error).message)).not.toContain('hunter2');
    expect(await readSecret('TEST_SECRET_ARN', schema)).toEqual({ apiKey: 'ok' });
    resetSecrets();
  });
});
