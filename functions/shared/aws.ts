import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one place AWS SDK clients are made. Endpoints, region and credentials come from the SDK's own
 * configuration chain (including the per-service `AWS_ENDPOINT_URL_<SERVICE>` variables), so the same
 * code talks to AWS when deployed and to loopback services on one machine, without a branch.
 *
 * Clients are created lazily and kept for the life of the execution environment (connection reuse).
 */
const common = { maxAttempts: 3 } as const;

let dynamo: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let sfn: SFNClient | undefined;
let events: EventBridgeClient | undefined;
let secrets: SecretsManagerClient | undefined;

export function dynamoClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(common), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function s3Client(): S3Client {
  s3 ??= new S3Client(common);
  return s3;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient(common);
  return sfn;
}

export function eventsClient(): EventBridgeClient {
  events ??= new EventBridgeClient(common);
  return events;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient(common);
  return secrets;
}

/** Drops cached clients: used when the process changes its AWS endpoints (tests, local restarts). */
export function resetAwsClients(): void {
  dynamo = undefined;
  s3 = undefined;
  sfn = undefined;
  events = undefined;
  secrets = undefined;
}
