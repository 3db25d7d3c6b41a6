import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readSecret, resetSecrets } from '../../../functions/shared/secrets';
import { type EventEnvelope, type LocalCloud, startLocalCloud } from '../../../local/cloud';

const SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-1:000000000000:secret:onboarding/straitsx';

describe('local cloud', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud({
      tableName: 'onboarding',
      bucketName: 'onboarding-data',
      secrets: { [SECRET_ARN]: '{"apiKey":"sandbox_key"}', 'plain-name': 'plain-value' },
    });
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('points the SDK at loopback through the standard variables only', () => {
    for (const name of ['DYNAMODB', 'S3', 'SFN', 'EVENTBRIDGE', 'SECRETS_MANAGER']) {
      expect(process.env[`AWS_ENDPOINT_URL_${name}`]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(process.env.AWS_REGION).toBe('ap-southeast-1');
    expect(cloud.env.AWS_ACCESS_KEY_ID).toBe('S3RVER');
  });

  it('serves DynamoDB with the table in place', async () => {
    const client = new DynamoDBClient({});
    await client.send(
      new PutItemCommand({ TableName: 'onboarding', Item: { pk: { S: 'ONB#1' }, sk: { S: 'RECORD' }, status: { S: 'NEW' } } }),
    );
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'onboarding', Key: { pk: { S: 'ONB#1' }, sk: { S: 'RECORD' } } }),
    );
    client.destroy();
    expect(Item?.status).toEqual({ S: 'NEW' });
  });

  it('serves S3 path-style without any client option, presigned URLs included', async () => {
    const client = new S3Client({});
    await client.send(new PutObjectCommand({ Bucket: 'onboarding-data', Key: 'docs/a.json', Body: '{"a":1}' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'onboarding-data', Key: 'docs/a.json' }));
    expect(await got.Body!.transformToString()).toBe('{"a":1}');

    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'onboarding-data', Key: 'docs/b.txt' }), {
      expiresIn: 300,
    });
    expect(url.startsWith(`${cloud.endpoints.s3}/onboarding-data/docs/b.txt?`)).toBe(true);
    expect((await fetch(url, { method: 'PUT', body: 'uploaded' })).status).toBe(200);
    const uploaded = await client.send(new GetObjectCommand({ Bucket: 'onboarding-data', Key: 'docs/b.txt' }));
    expect(await uploaded.Body!.transformToString()).toBe('uploaded');
    client.destroy();
  });

  it('accepts PutEvents and delivers matching events to rules as EventBridge envelopes', async () => {
    const delivered: EventEnvelope[] = [];
    let failuresLeft = 1;
    const remove = cloud.events.addRule({
      busName: 'merchant',
      pattern: { source: ['merchant.platform'], 'detail-type': ['Customer Onboarding Requested'] },
      target: async (event) => {
        // The first delivery fails: EventBridge retries.
        if (failuresLeft-- > 0) throw new Error('busy');
        delivered.push(event);
      },
    });
    const client = new EventBridgeClient({});
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'merchant',
            Source: 'merchant.platform',
            DetailType: 'Customer Onboarding Requested',
            Detail: '{"merchantRef":"m-1"}',
          },
          { EventBusName: 'merchant', Source: 'merchant.platform', DetailType: 'Something Else', Detail: '{}' },
          { EventBusName: 'merchant', Source: 'merchant.platform', DetailType: 'Broken', Detail: 'not json' },
        ],
      }),
    );
    client.destroy();
    await cloud.events.idle();
    remove();

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries![0]!.EventId).toBeTruthy();
    expect(result.Entries![2]!.ErrorCode).toBe('MalformedDetail');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      version: '0',
      id: result.Entries![0]!.EventId,
      'detail-type': 'Customer Onboarding Requested',
      source: 'merchant.platform',
      account: '000000000000',
      region: 'ap-southeast-1',
      detail: { merchantRef: 'm-1' },
    });
    expect(cloud.events.published().map((e) => e['detail-type'])).toEqual(
      expect.arrayContaining(['Customer Onboarding Requested', 'Something Else']),
    );
  });

  it("serves secrets by ARN and name, to the SDK and to the functions' own reader", async () => {
    const client = new SecretsManagerClient({});
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: SECRET_ARN }));
    expect(byArn).toMatchObject({ ARN: SECRET_ARN, Name: 'onboarding/straitsx', SecretString: '{"apiKey":"sandbox_key"}' });
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'plain-name' }))).SecretString).toBe('plain-value');
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    client.destroy();

    resetSecrets();
    process.env.LOCAL_CLOUD_SECRET_ARN = SECRET_ARN;
    expect(await readSecret('LOCAL_CLOUD_SECRET_ARN', z.object({ apiKey: z.string() }))).toEqual({ apiKey: 'sandbox_key' });
    delete process.env.LOCAL_CLOUD_SECRET_ARN;
    resetSecrets();
  });

  it('answers an unknown operation with an AWS error', async () => {
    const response = await fetch(cloud.endpoints.sfn, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.CreateStateMachine' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('local cloud with a data folder', () => {
  it('keeps items, objects, finished executions and execution names across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-cloud-'));
    const options = { dataDir, tableName: 'onboarding', bucketName: 'onboarding-data' };
    const definition = { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { ok: true }, End: true } } };
    try {
      const first = await startLocalCloud(options);
      const arn = first.sfn.registerStateMachine({ name: 'kept', definition });
      const { executionArn } = first.sfn.startExecution({ stateMachineArn: arn, name: 'run-1', input: '{}' });
      await first.sfn.waitForExecution(executionArn);
      const dynamo = new DynamoDBClient({});
      await dynamo.send(new PutItemCommand({ TableName: 'onboarding', Item: { pk: { S: 'kept' }, sk: { S: 'kept' } } }));
      dynamo.destroy();
      const s3 = new S3Client({});
      await s3.send(new PutObjectCommand({ Bucket: 'onboarding-data', Key: 'kept.txt', Body: 'kept' }));
      s3.destroy();
      await first.stop();

      const second = await startLocalCloud(options);
      try {
        second.sfn.registerStateMachine({ name: 'kept', definition });
        const sfn = new SFNClient({});
        expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
          status: 'SUCCEEDED',
          output: '{"ok":true}',
        });
        sfn.destroy();
        expect(() => second.sfn.startExecution({ stateMachineArn: arn, name: 'run-1', input: '{"other":1}' })).toThrow(
          /Execution Already Exists/,
        );
        const dynamoAgain = new DynamoDBClient({});
        const { Item } = await dynamoAgain.send(
          new GetItemCommand({ TableName: 'onboarding', Key: { pk: { S: 'kept' }, sk: { S: 'kept' } } }),
        );
        dynamoAgain.destroy();
        expect(Item).toBeDefined();
        const s3Again = new S3Client({});
        const object = await s3Again.send(new GetObjectCommand({ Bucket: 'onboarding-data', Key: 'kept.txt' }));
        expect(await object.Body!.transformToString()).toBe('kept');
        s3Again.destroy();
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
