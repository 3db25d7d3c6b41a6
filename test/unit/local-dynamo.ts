import { afterAll, beforeAll } from 'vitest';
import { resetAwsClients } from '../../functions/shared/aws';
import { type LocalDynamo, startLocalDynamo } from '../../local/cloud/dynamodb';

const ENV = ['TABLE_NAME', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/**
 * Runs the file's tests against a dynalite table of their own: the functions' DynamoDB calls go to it
 * (`TABLE_NAME` and the endpoint set for the file, restored after it).
 */
export function useLocalDynamo(tableName: string): void {
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName });
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ACCESS_KEY_ID: 'LOCAL',
      AWS_SECRET_ACCESS_KEY: 'LOCAL',
    });
    resetAwsClients();
  });
  afterAll(async () => {
    await dynamo.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetAwsClients();
  });
}
