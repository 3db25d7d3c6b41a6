import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, LocalStepFunctions, startLocalCloud, type TaskHandler } from '../../local/cloud';
import { type LocalS3, startLocalS3 } from '../../local/cloud/s3';

const WORK_ARN = 'arn:aws:lambda:ap-southeast-1:000000000000:function:work';
const BUCKET = 'migrations';

let s3: LocalS3;
let client: S3Client;
beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  client.destroy();
  await s3.stop();
});

const folders: string[] = [];
const services: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function service(dataDir?: string): LocalStepFunctions {
  const sfn = new LocalStepFunctions({ s3: () => client, dataDir });
  services.push(sfn);
  return sfn;
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-sfn-dmap-'));
  folders.push(dir);
  return dir;
}

async function put(key: string, body: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function read(key: string): Promise<unknown> {
  const { Body } = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await Body!.transformToString());
}

/** A Distributed Map whose children call the `work` function with each item; `map` adds fields to the Map state. */
function batchMachine(map: Record<string, unknown>) {
  return {
    StartAt: 'Migrate',
    States: {
      Migrate: {
        Type: 'Map',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: { Type: 'Task', Resource: WORK_ARN, End: true } },
        },
        ...map,
        End: true,
      },
    },
  };
}

/** The `work` function: records what it got, fails for ids listed in `failing`, and counts calls running at once. */
function worker(options: { failing?: Set<string>; delayMs?: number } = {}) {
  const calls: unknown[] = [];
  let running = 0;
  let maxRunning = 0;
  const handler: TaskHandler = async (payload) => {
    calls.push(payload);
    running++;
    maxRunning = Math.max(maxRunning, running);
    try {
      await new Promise((r) => setTimeout(r, options.delayMs ?? 5));
      const id = (payload as { id?: string }).id;
      if (id && options.failing?.has(id)) {
        throw Object.assign(new Error(`user ${id} cannot be migrated`), { name: 'MigrationRejected' });
      }
      return { migrated: payload };
    } finally {
      running--;
    }
  };
  return { calls, handler, maxRunning: () => maxRunning };
}

const csvReader = (key: string) => ({
  Resource: 'arn:aws:states:::s3:getObject',
  ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
  Parameters: { Bucket: BUCKET, 'Key.$': key },
});

describe('Distributed Map in the local Step Functions', () => {
  it('runs each CSV row of a manifest in S3 as a child execution, at most MaxConcurrency at once', async () => {
    await put('manifests/ten.csv', `id,region\n${Array.from({ length: 10 }, (_, i) => `u-${i},"SG, central"`).join('\n')}\n`);
    const work = worker({ delayMs: 20 });
    const sfn = service();
    const arn = sfn.registerStateMachine({
      name: 'batch',
      definition: batchMachine({
        ItemReader: csvReader('$.manifest'),
        ItemSelector: {
          'id.$': '$$.Map.Item.Value.id',
          'region.$': '$$.Map.Item.Value.region',
          'index.$': '$$.Map.Item.Index',
          'batch.$': '$.batchId',
        },
        MaxConcurrency: 3,
      }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });
    const { executionArn } = sfn.startExecution({
      stateMachineArn: arn,
      name: 'b-1',
      input: JSON.stringify({ manifest: 'manifests/ten.csv', batchId: 'b-1' }),
    });
    const done = await sfn.waitForExecution(executionArn, 10_000);

    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!) as Array<{ migrated: { id: string; index: number } }>;
    expect(output.map((o) => o.migrated.id)).toEqual(Array.from({ length: 10 }, (_, i) => `u-${i}`));
    expect(output[3]!.migrated).toEqual({ id: 'u-3', region: 'SG, central', index: 3, batch: 'b-1' });
    expect(work.maxRunning()).toBe(3);

    const [mapRun] = sfn.listMapRuns({ executionArn }).mapRuns;
    expect(mapRun!.mapRunArn).toMatch(/^arn:aws:states:[^:]+:\d+:mapRun:batch\/Migrate:[0-9a-f-]{36}$/);
    const children = sfn.listExecutions({ mapRunArn: mapRun!.mapRunArn }).executions;
    expect(children).toHaveLength(10);
    expect(children.every((c) => c.status === 'SUCCEEDED' && c.stateMachineArn.endsWith(':stateMachine:batch/Migrate'))).toBe(
      true,
    );
    expect(sfn.describeExecution({ executionArn: children[0]!.executionArn }).mapRunArn).toBe(mapRun!.mapRunArn);
    const childHistory = sfn.getExecutionHistory({ executionArn: children[0]!.executionArn }).events.map((e) => e.type);
    expect(childHistory).toContain('TaskStateEntered');

    const described = sfn.describeMapRun({ mapRunArn: mapRun!.mapRunArn });
    expect(described).toMatchObject({ status: 'SUCCEEDED', maxConcurrency: 3, executionArn });
    expect(described.itemCounts).toMatchObject({ total: 10, succeeded: 10, failed: 0, pending: 0, running: 0 });

    const parentHistory = sfn.getExecutionHistory({ executionArn }).events.map((e) => e.type);
    expect(parentHistory).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapRunStarted',
      'MapRunSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('reads JSONL and CSV with given headers, and batches items with BatchInput', async () => {
    await put('manifests/users.jsonl', `${Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `u-${i}` })).join('\n')}\n`);
    await put('manifests/headless.csv', 'u-7,SG\nu-8,MY\n');
    const work = worker();
    const sfn = service();
    const jsonl = sfn.registerStateMachine({
      name: 'jsonl',
      definition: batchMachine({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSONL', MaxItems: 4 },
          Parameters: { Bucket: BUCKET, Key: 'manifests/users.jsonl' },
        },
        ItemBatcher: { MaxItemsPerBatch: 3, BatchInput: { 'batch.$': '$.batchId' } },
      }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });
    const given = sfn.registerStateMachine({
      name: 'given',
      definition: batchMachine({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['id', 'country'] },
          Parameters: { Bucket: BUCKET, Key: 'manifests/headless.csv' },
        },
      }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });

    const batched = sfn.startExecution({ stateMachineArn: jsonl, input: JSON.stringify({ batchId: 'b-2' }) });
    const rows = sfn.startExecution({ stateMachineArn: given });

    const batchedDone = await sfn.waitForExecution(batched.executionArn, 10_000);
    expect(JSON.parse(batchedDone.output!)).toEqual([
      { migrated: { Items: [{ id: 'u-0' }, { id: 'u-1' }, { id: 'u-2' }], BatchInput: { batch: 'b-2' } } },
      { migrated: { Items: [{ id: 'u-3' }], BatchInput: { batch: 'b-2' } } },
    ]);
    const [run] = sfn.listMapRuns({ executionArn: batched.executionArn }).mapRuns;
    const counts = sfn.describeMapRun({ mapRunArn: run!.mapRunArn });
    expect(counts.itemCounts.total).toBe(4);
    expect(counts.executionCounts.total).toBe(2);
    const batchChildren = sfn.listExecutions({ mapRunArn: run!.mapRunArn }).executions;
    expect(batchChildren.map((c) => c.itemCount).sort()).toEqual([1, 3]);

    const rowsDone = await sfn.waitForExecution(rows.executionArn, 10_000);
    expect(JSON.parse(rowsDone.output!)).toEqual([
      { migrated: { id: 'u-7', country: 'SG' } },
      { migrated: { id: 'u-8', country: 'MY' } },
    ]);
  });

  it('reads a JSON array up to MaxItemsPath, and the objects under a prefix with listObjectsV2', async () => {
    await put('manifests/array.json', JSON.stringify([{ id: 'a' }, { id: 'b' }, { id: 'c' }]));
    await put('inbox/one.txt', '1');
    await put('inbox/two.txt', '22');
    const work = worker();
    const sfn = service();
    const array = sfn.registerStateMachine({
      name: 'array',
      definition: batchMachine({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON', MaxItemsPath: '$.limit' },
          Parameters: { 'Bucket.$': '$.bucket', Key: 'manifests/array.json' },
        },
      }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });
    const listing = sfn.registerStateMachine({
      name: 'listing',
      definition: batchMachine({
        ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: BUCKET, Prefix: 'inbox/' } },
        ItemSelector: { 'key.$': '$$.Map.Item.Value.Key', 'size.$': '$$.Map.Item.Value.Size' },
      }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });

    const first = sfn.startExecution({ stateMachineArn: array, input: JSON.stringify({ bucket: BUCKET, limit: 2 }) });
    const second = sfn.startExecution({ stateMachineArn: listing });

    expect(JSON.parse((await sfn.waitForExecution(first.executionArn, 10_000)).output!)).toEqual([
      { migrated: { id: 'a' } },
      { migrated: { id: 'b' } },
    ]);
    expect(JSON.parse((await sfn.waitForExecution(second.executionArn, 10_000)).output!)).toEqual([
      { migrated: { key: 'inbox/one.txt', size: 1 } },
      { migrated: { key: 'inbox/two.txt', size: 2 } },
    ]);
  });

  it('succeeds within the tolerated failures and writes every child result to S3 with ResultWriter', async () => {
    await put('manifests/four.csv', 'id\nu-0\nu-1\nu-2\nu-3\n');
    const work = worker({ failing: new Set(['u-2']) });
    const sfn = service();
    const arn = sfn.registerStateMachine({
      name: 'tolerant',
      definition: batchMachine({
        ItemReader: csvReader('$.manifest'),
        ToleratedFailurePercentage: 25,
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: BUCKET, Prefix: 'reports' } },
      }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });
    const { executionArn } = sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify({ manifest: 'manifests/four.csv' }),
    });
    const done = await sfn.waitForExecution(executionArn, 10_000);

    expect(done.status).toBe('SUCCEEDED');
    const [run] = sfn.listMapRuns({ executionArn }).mapRuns;
    const mapRunId = run!.mapRunArn.split(':').at(-1);
    const manifestKey = `reports/${mapRunId}/manifest.json`;
    expect(JSON.parse(done.output!)).toEqual({ ResultWriterDetails: { Bucket: BUCKET, Key: manifestKey } });
    expect(await read(manifestKey)).toEqual({
      DestinationBucket: BUCKET,
      MapRunArn: run!.mapRunArn,
      ResultFiles: {
        FAILED: [{ Key: `reports/${mapRunId}/FAILED_0.json`, Size: expect.any(Number) }],
        PENDING: [],
        SUCCEEDED: [{ Key: `reports/${mapRunId}/SUCCEEDED_0.json`, Size: expect.any(Number) }],
      },
    });
    const succeeded = (await read(`reports/${mapRunId}/SUCCEEDED_0.json`)) as Array<Record<string, unknown>>;
    expect(succeeded).toHaveLength(3);
    expect(succeeded[0]).toMatchObject({ Status: 'SUCCEEDED', Input: JSON.stringify({ id: 'u-0' }) });
    expect(JSON.parse(String(succeeded[0]!.Output))).toEqual({ migrated: { id: 'u-0' } });
    const failed = (await read(`reports/${mapRunId}/FAILED_0.json`)) as Array<Record<string, unknown>>;
    expect(failed).toEqual([
      expect.objectContaining({ Status: 'FAILED', Error: 'MigrationRejected', Input: JSON.stringify({ id: 'u-2' }) }),
    ]);
    expect(sfn.describeMapRun({ mapRunArn: run!.mapRunArn }).itemCounts).toMatchObject({
      total: 4,
      succeeded: 3,
      failed: 1,
      resultsWritten: 4,
    });
  });

  it('fails with States.ExceedToleratedFailureThreshold beyond the tolerated count, and stops starting children', async () => {
    await put('manifests/six.csv', 'id\nu-0\nu-1\nu-2\nu-3\nu-4\nu-5\n');
    const work = worker({ failing: new Set(['u-0', 'u-1']) });
    const sfn = service();
    const arn = sfn.registerStateMachine({
      name: 'strict',
      definition: batchMachine({ ItemReader: csvReader('$.manifest'), ToleratedFailureCount: 1, MaxConcurrency: 1 }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });
    const { executionArn } = sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify({ manifest: 'manifests/six.csv' }),
    });
    const done = await sfn.waitForExecution(executionArn, 10_000);

    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(work.calls).toHaveLength(2);
    const [run] = sfn.listMapRuns({ executionArn }).mapRuns;
    const described = sfn.describeMapRun({ mapRunArn: run!.mapRunArn });
    expect(described.status).toBe('FAILED');
    expect(described.itemCounts).toMatchObject({ total: 6, failed: 2, pending: 4, succeeded: 0 });
    const types = sfn.getExecutionHistory({ executionArn }).events.map((e) => e.type);
    expect(types).toContain('MapRunFailed');
  });
  it('refuses at registration a Distributed Map whose MaxConcurrency is not a number, as CreateStateMachine does', () => {
    const sfn = service();
    expect(() =>
      sfn.registerStateMachine({
        name: 'quoted',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template.
        definition: batchMachine({ ItemsPath: '$.users', MaxConcurrency: '${Concurrency}' }),
        substitutions: { Concurrency: '5' },
      }),
    ).toThrow(/MaxConcurrency must be a whole number/);
  });

  it('applies a MaxConcurrency raised by UpdateMapRun to the children it starts next', async () => {
    await put('manifests/eight.csv', `id\n${Array.from({ length: 8 }, (_, i) => `u-${i}`).join('\n')}\n`);
    const work = worker({ delayMs: 30 });
    const sfn = service();
    const arn = sfn.registerStateMachine({
      name: 'updated',
      definition: batchMachine({ ItemReader: csvReader('$.manifest'), MaxConcurrency: 1 }),
      taskHandlers: { [WORK_ARN]: work.handler },
    });
    const { executionArn } = sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify({ manifest: 'manifests/eight.csv' }),
    });
    await until(() => work.calls.length === 1);
    expect(work.maxRunning()).toBe(1);
    const [run] = sfn.listMapRuns({ executionArn }).mapRuns;
    sfn.updateMapRun({ mapRunArn: run!.mapRunArn, maxConcurrency: 3 });
    const done = await sfn.waitForExecution(executionArn, 10_000);

    expect(done.status).toBe('SUCCEEDED');
    expect(work.maxRunning()).toBe(3);
    expect(sfn.describeMapRun({ mapRunArn: run!.mapRunArn }).maxConcurrency).toBe(3);
  });

  it('aborts the Map Run and its running children when the parent execution is stopped', async () => {
    await put('manifests/stop.csv', 'id\nu-0\nu-1\nu-2\n');
    const started: string[] = [];
    const sfn = service();
    const arn = sfn.registerStateMachine({
      name: 'stoppable',
      definition: batchMachine({ ItemReader: csvReader('$.manifest'), MaxConcurrency: 2 }),
      taskHandlers: {
        [WORK_ARN]: async (payload) => {
          started.push((payload as { id: string }).id);
          await new Promise(() => undefined); // Never answers: the children stay running.
        },
      },
    });
    const { executionArn } = sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify({ manifest: 'manifests/stop.csv' }),
    });
    await until(() => started.length === 2);
    await sfn.stopExecution({ executionArn, error: 'Cancelled', cause: 'operator' });

    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: 'ABORTED', error: 'Cancelled' });
    const [run] = sfn.listMapRuns({ executionArn }).mapRuns;
    const described = sfn.describeMapRun({ mapRunArn: run!.mapRunArn });
    expect(described.status).toBe('ABORTED');
    expect(described.itemCounts).toMatchObject({ aborted: 2, pending: 1, running: 0 });
    expect(started).toEqual(['u-0', 'u-1']);
  });
});

describe('Distributed Map redrive and restart', () => {
  it('redrives a failed Map Run through the SDK: only the failed and never-started items run again', async () => {
    const cloud = await startLocalCloud({ tableName: 'dmap-redrive', bucketName: 'dmap-redrive' });
    const sdk = new SFNClient({});
    try {
      const bucket = new S3Client({});
      await bucket.send(new PutObjectCommand({ Bucket: 'dmap-redrive', Key: 'four.csv', Body: 'id\nu-0\nu-1\nu-2\nu-3\n' }));
      bucket.destroy();
      const failing = new Set(['u-1']);
      const work = worker({ failing });
      const stateMachineArn = cloud.sfn.registerStateMachine({
        name: 'redriven',
        definition: batchMachine({
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
            Parameters: { Bucket: 'dmap-redrive', Key: 'four.csv' },
          },
          MaxConcurrency: 1,
        }),
        taskHandlers: { [WORK_ARN]: work.handler },
      });
      const { executionArn } = await sdk.send(new StartExecutionCommand({ stateMachineArn, name: 'batch-1' }));
      const failed = await cloud.sfn.waitForExecution(executionArn!, 10_000);
      expect(failed).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
      const { mapRuns } = await sdk.send(new ListMapRunsCommand({ executionArn }));
      expect(mapRuns).toHaveLength(1);
      const mapRunArn = mapRuns![0]!.mapRunArn!;
      const before = await sdk.send(new DescribeMapRunCommand({ mapRunArn }));
      expect(before).toMatchObject({ status: 'FAILED', itemCounts: { succeeded: 1, failed: 1, pending: 2, total: 4 } });
      expect(work.calls).toEqual([{ id: 'u-0' }, { id: 'u-1' }]);

      failing.clear();
      await sdk.send(new RedriveExecutionCommand({ executionArn }));
      const done = await cloud.sfn.waitForExecution(executionArn!, 10_000);

      expect(done.status).toBe('SUCCEEDED');
      expect(work.calls).toEqual([{ id: 'u-0' }, { id: 'u-1' }, { id: 'u-1' }, { id: 'u-2' }, { id: 'u-3' }]);
      expect(JSON.parse(done.output!)).toHaveLength(4);
      const after = await sdk.send(new DescribeMapRunCommand({ mapRunArn }));
      expect(after).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, itemCounts: { succeeded: 4, total: 4 } });
      const { executions } = await sdk.send(new ListExecutionsCommand({ mapRunArn }));
      expect(executions).toHaveLength(4);
      expect(executions!.filter((e) => e.redriveCount === 1)).toHaveLength(1);
      const history = await sdk.send(new GetExecutionHistoryCommand({ executionArn }));
      const types = history.events!.map((e) => e.type);
      expect(types.filter((t) => t === 'MapRunStarted')).toHaveLength(1);
      expect(types).toContain('MapRunRedriven');
      expect(types.at(-1)).toBe('ExecutionSucceeded');
    } finally {
      sdk.destroy();
      await cloud.stop();
    }
  });

  it('carries on a Map Run after a restart without running the children that succeeded again', async () => {
    await put('manifests/restart.csv', 'id\nu-0\nu-1\nu-2\nu-3\n');
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler: TaskHandler = async (payload) => {
      const { id } = payload as { id: string };
      calls.push(id);
      // Items after the first two wait until the test lets them go (after the restart).
      if (id === 'u-2' || id === 'u-3') await gate;
      return { migrated: id };
    };
    const definition = batchMachine({ ItemReader: csvReader('$.manifest'), MaxConcurrency: 2 });
    const dataDir = folder();
    const first = service(dataDir);
    const arn = first.registerStateMachine({ name: 'resumable', definition, taskHandlers: { [WORK_ARN]: handler } });
    const { executionArn } = first.startExecution({
      stateMachineArn: arn,
      name: 'r-1',
      input: JSON.stringify({ manifest: 'manifests/restart.csv' }),
    });
    await until(() => calls.includes('u-2') && calls.includes('u-3'));
    await first.stop();

    const second = service(dataDir);
    second.registerStateMachine({ name: 'resumable', definition, taskHandlers: { [WORK_ARN]: handler } });
    release();
    const done = await second.waitForExecution(executionArn, 10_000);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual(['u-0', 'u-1', 'u-2', 'u-3'].map((id) => ({ migrated: id })));
    // The two that had succeeded ran once; the two that were running when the service stopped ran again.
    expect(calls.filter((id) => id === 'u-0' || id === 'u-1')).toHaveLength(2);
    const [run] = second.listMapRuns({ executionArn }).mapRuns;
    expect(second.describeMapRun({ mapRunArn: run!.mapRunArn })).toMatchObject({
      status: 'SUCCEEDED',
      itemCounts: { succeeded: 4, total: 4 },
    });
    const types = second.getExecutionHistory({ executionArn }).events.map((e) => e.type);
    expect(types.filter((t) => t === 'MapRunStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'MapStateEntered')).toHaveLength(1);
  });
});

async function until(probe: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
