import '../local/shared/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS, LOCAL_REGION, LocalStepFunctions } from '../local/cloud';
import { startLocalS3 } from '../local/cloud/s3';

/**
 * Local Distributed Map throughput (not a test: nothing fails): a JSONL manifest of BENCH_ITEMS items
 * in S3, one child execution per item (a Pass and a Task), MaxConcurrency BENCH_CONCURRENCY, with
 * ResultWriter; in memory, then with a data folder (every child's history written as it runs).
 */
const items = Number(process.env.BENCH_ITEMS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const WORK = 'arn:aws:lambda:ap-southeast-1:000000000000:function:work';

const s3 = await startLocalS3({ buckets: ['bench'] });
const client = new S3Client({
  endpoint: s3.endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const manifest = Array.from({ length: items }, (_, i) => JSON.stringify({ id: `u-${i}` })).join('\n');
await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'manifest.jsonl', Body: manifest }));

const definition = {
  StartAt: 'Migrate',
  States: {
    Migrate: {
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { Bucket: 'bench', Key: 'manifest.jsonl' },
      },
      ItemSelector: { 'id.$': '$$.Map.Item.Value.id', 'index.$': '$$.Map.Item.Index' },
      MaxConcurrency: concurrency,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Prepare',
        States: {
          Prepare: { Type: 'Pass', Next: 'Work' },
          Work: { Type: 'Task', Resource: WORK, End: true },
        },
      },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'bench', Prefix: 'results' } },
      End: true,
    },
  },
};

for (const durable of [false, true]) {
  const dataDir = durable ? mkdtempSync(join(tmpdir(), 'bench-dmap-')) : undefined;
  const sfn = new LocalStepFunctions({ s3: () => client, dataDir });
  const arn = sfn.registerStateMachine({ name: 'bench', definition, taskHandlers: { [WORK]: (p) => p } });
  const started = performance.now();
  const { executionArn } = sfn.startExecution({ stateMachineArn: arn });
  const done = await sfn.waitForExecution(executionArn);
  const ms = performance.now() - started;
  console.log(
    `${durable ? 'data folder' : 'memory     '}: ${items} items, MaxConcurrency ${concurrency}: ${done.status} in ${ms.toFixed(0)} ms` +
      ` (${(ms / items).toFixed(2)} ms per child, ${((items * 1000) / ms).toFixed(0)} children/s)`,
  );
  await sfn.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
client.destroy();
await s3.stop();
