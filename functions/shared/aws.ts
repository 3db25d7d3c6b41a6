import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one place AWS SDK clients are made. Endpoints, region and credentials come from the SDK's own
 * configuration chain (including the per-service `AWS_ENDPOINT_URL_<SERVICE>` variables), so the same
 * code talks to AWS when deployed and to loopback services on one machine, without a branch.
 *
 * Clients are created lazily and kept for the life of the execution environment (connection reuse).
 * Secrets Manager's client is made in secrets.ts, the one module that reads secrets: only provider
 * adapters do, and they load lazily, so a function that meets no provider must not load it either (a
 * client imported here would sit in the chunk every function loads).
 */
export const AWS_CLIENT_DEFAULTS = { maxAttempts: 3 } as const;

let dynamo: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let sfn: SFNClient | undefined;
let events: EventBridgeClient | undefined;

export function dynamoClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(AWS_CLIENT_DEFAULTS), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function s3Client(): S3Client {
  s3 ??= new S3Client(AWS_CLIENT_DEFAULTS);
  return s3;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient(AWS_CLIENT_DEFAULTS);
  return sfn;
}

export function eventsClient(): EventBridgeClient {
  events ??= new EventBridgeClient(AWS_CLIENT_DEFAULTS);
  return events;
}

/** Drops cached clients: used when the process changes its AWS endpoints (tests, local restarts). */
export function resetAwsClients(): void {
  dynamo = undefined;
  s3 = undefined;
  sfn = undefined;
  events = undefined;
}
