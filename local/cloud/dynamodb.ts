import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './constants';
import { closeServer, listen } from './http';

/** A secondary index on string keys, created with the table. */
export interface LocalIndex {
  name: string;
  pk: string;
  sk?: string;
}

export interface LocalDynamoOptions {
  /** The single table: pk (HASH, S) + sk (RANGE, S), on-demand. Created when missing. */
  tableName: string;
  /** Global secondary indexes to create with the table (ignored when the table exists already). */
  indexes?: LocalIndex[];
  /** LevelDB folder for data kept between restarts; in memory when omitted. */
  path?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Requests served so far, by operation (`GetItem`, `UpdateItem`, ...): on-demand bills reads and writes in request units. */
  operations(): Record<string, number>;
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and makes sure the table exists and is ACTIVE. */
export async function startLocalDynamo(options: LocalDynamoOptions): Promise<LocalDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  // No artificial CREATING phase: the table is usable as soon as CreateTable answers.
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Counted from the target header alone: the body is dynalite's to read.
  const operations = new Map<string, number>();
  server.on('request', (req: { headers: Record<string, string | string[] | undefined> }) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    if (operation) operations.set(operation, (operations.get(operation) ?? 0) + 1);
  });
  await listen(server, options.port ?? 0);
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () => closeServer(server);
  try {
    await ensureTable(endpoint, options.tableName, options.indexes ?? []);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, operations: () => Object.fromEntries(operations), stop };
}

async function ensureTable(endpoint: string, tableName: string, indexes: LocalIndex[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const attributes = new Map<string, AttributeDefinition>();
    const stringKey = (name: string) => attributes.set(name, { AttributeName: name, AttributeType: 'S' });
    stringKey('pk');
    stringKey('sk');
    const gsis: GlobalSecondaryIndex[] = indexes.map((index) => {
      stringKey(index.pk);
      if (index.sk) stringKey(index.sk);
      return {
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.pk, KeyType: 'HASH' },
          ...(index.sk ? [{ AttributeName: index.sk, KeyType: 'RANGE' as const }] : []),
        ],
        Projection: { ProjectionType: 'ALL' },
      };
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes.values()],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: gsis.length > 0 ? gsis : undefined,
        }),
      );
    } catch (error) {
      // A persisted table from an earlier run.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === 'ACTIVE') return;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`table ${tableName} did not become ACTIVE`);
  } finally {
    client.destroy();
  }
}
