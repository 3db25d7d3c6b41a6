import '../shared/polyfills';
import { join } from 'node:path';
import { resetAwsClients } from '../../functions/shared/aws';
import { type AwsJsonServer, startAwsJsonServer } from './aws-json-server';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './constants';
import { type LocalDynamo, type LocalIndex, startLocalDynamo } from './dynamodb';
import { LocalEventBridge } from './eventbridge';
import { type LocalS3, startLocalS3 } from './s3';
import { LocalSecretsManager } from './secretsmanager';
import type { LocalLogger } from './sfn/types';
import { LocalStepFunctions } from './stepfunctions';

export { AwsServiceError } from './aws-json-server';
export { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from './constants';
export type { EventEnvelope, EventPattern, EventRule, PublishedEvent } from './eventbridge';
export { LocalEventBridge } from './eventbridge';
export { LocalSecretsManager, loadSecretsFile } from './secretsmanager';
export type * from './sfn/types';
export { LocalStepFunctions } from './stepfunctions';

export interface LocalCloudOptions {
  /**
   * Where DynamoDB, S3, executions (written as they run, continued after a restart) and published events
   * are kept; memory / temp folders when omitted.
   */
  dataDir?: string;
  tableName: string;
  /** Secondary indexes created with the table. */
  tableIndexes?: LocalIndex[];
  bucketName: string;
  /** More buckets to create. */
  extraBuckets?: string[];
  /** Secret strings by secret ARN or name. */
  secrets?: Record<string, string>;
  /** Fixed ports (0 or omitted: a free one). `aws` serves SFN, EventBridge and Secrets Manager. */
  ports?: { dynamodb?: number; s3?: number; aws?: number };
  /** Scale of the workflows' Retry pauses; 1 (default) keeps the ASL's timing. */
  retryScale?: number;
  /** Sets the variables of `env` on `process.env` (default true) and restores them on stop. */
  setProcessEnv?: boolean;
  log?: LocalLogger;
}

export interface LocalCloud {
  /** The SDK configuration that points every client at the local services. */
  env: Record<string, string>;
  endpoints: { dynamodb: string; s3: string; sfn: string; eventbridge: string; secretsManager: string };
  sfn: LocalStepFunctions;
  events: LocalEventBridge;
  secrets: LocalSecretsManager;
  /** DynamoDB requests served so far, by operation. */
  dynamoOperations(): Record<string, number>;
  /** Bucket notifications: the listener gets each object change as S3 would send it to Lambda. */
  onS3Event: LocalS3['onEvent'];
  /** Closes every server; running executions stop (memory only) or continue on the next start (data folder). */
  stop(): Promise<void>;
}

/**
 * Starts the AWS services the functions use, on 127.0.0.1: DynamoDB (dynalite), S3 (s3rver), and one
 * JSON-protocol server for Step Functions, EventBridge and Secrets Manager. State machines and event
 * rules are registered by the caller on `sfn` and `events`.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const { dataDir, log } = options;
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    const dynamo: LocalDynamo = await startLocalDynamo({
      tableName: options.tableName,
      indexes: options.tableIndexes,
      path: dataDir ? join(dataDir, 'dynamodb') : undefined,
      port: options.ports?.dynamodb,
    });
    started.push(dynamo);
    const s3: LocalS3 = await startLocalS3({
      buckets: [options.bucketName, ...(options.extraBuckets ?? [])],
      directory: dataDir ? join(dataDir, 's3') : undefined,
      port: options.ports?.s3,
    });
    started.push(s3);

    const events = new LocalEventBridge({ logFile: dataDir ? join(dataDir, 'events.jsonl') : undefined, log });
    started.push(events);
    const secrets = new LocalSecretsManager(options.secrets ?? {});
    const sfn = new LocalStepFunctions({
      retryScale: options.retryScale,
      dataDir: dataDir ? join(dataDir, 'stepfunctions') : undefined,
      // Also the `Step Functions Execution Status Change` events: on the default bus, as on AWS, so a
      // rule matches them with `busName: 'default'` (or none).
      putEvents: (input) => events.putEvents(input),
      log,
    });
    started.push(sfn);
    const aws: AwsJsonServer = await startAwsJsonServer({
      port: options.ports?.aws,
      services: {
        AWSStepFunctions: sfn.apiOperations(),
        AWSEvents: events.apiOperations(),
        secretsmanager: secrets.apiOperations(),
      },
      onError: (error, target) => log?.('local AWS API error', { target, error: (error as Error)?.stack ?? String(error) }),
    });
    // Stopped first (services stop in reverse order), so no call arrives while executions wind down.
    started.push(aws);

    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SFN: aws.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // s3rver stores a streamed body with its chunk framing when the SDK adds its default checksums.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    };
    const restoreEnv = options.setProcessEnv === false ? () => {} : applyEnv(env);
    // Clients made before now point elsewhere; the factory makes new ones from the new environment.
    resetAwsClients();

    let stopped = false;
    return {
      env,
      endpoints: {
        dynamodb: dynamo.endpoint,
        s3: s3.endpoint,
        sfn: aws.endpoint,
        eventbridge: aws.endpoint,
        secretsManager: aws.endpoint,
      },
      sfn,
      events,
      secrets,
      dynamoOperations: () => dynamo.operations(),
      onS3Event: (listener) => s3.onEvent(listener),
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
        restoreEnv();
        resetAwsClients();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Sets the variables (a session token from the shell would be sent along, so it is unset) and returns the undo. */
function applyEnv(env: Record<string, string>): () => void {
  const keys = [...Object.keys(env), 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];
  const previous = new Map(keys.map((key) => [key, process.env[key]]));
  for (const key of keys) delete process.env[key];
  Object.assign(process.env, env);
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
