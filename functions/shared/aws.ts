import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
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
 * client imported here would sit in the chunk every function loads). S3 is reached without a client, by
 * signed fetch (s3-objects.ts).
 */
export const AWS_CLIENT_DEFAULTS = { maxAttempts: 3 } as const;

let dynamo: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let events: EventBridgeClient | undefined;

export function dynamoClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(AWS_CLIENT_DEFAULTS), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
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
const resets: (() => void)[] = [];

/** Registers how a client or signer made elsewhere (signed-fetch.ts) is dropped by {@link resetAwsClients}. */
export function onAwsClientsReset(reset: () => void): void {
  resets.push(reset);
}

export function resetAwsClients(): void {
  for (const reset of resets) reset();
  dynamo = undefined;
  sfn = undefined;
  events = undefined;
}
