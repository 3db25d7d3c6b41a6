import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AslObject } from './definition';
import { evaluate, type MapContext } from './distributed-map';
import type { MapRunRecord } from './map-runs';
import { redriveStatus } from './redrive';
import type { ExecutionDescription } from './types';

/**
 * ResultWriter: the children's results written to S3 as Step Functions writes them,
 * `<Prefix>/<mapRunId>/SUCCEEDED_0.json`, `FAILED_0.json` (failed, timed out and aborted children),
 * `PENDING_0.json` (children not finished) and `manifest.json` listing them; the state's output then
 * names the manifest instead of carrying every child's output.
 */
export async function writeResults(
  writer: AslObject,
  input: unknown,
  context: MapContext,
  run: MapRunRecord,
  children: Array<ExecutionDescription | undefined>,
  s3: () => S3Client,
): Promise<{ details: { Bucket: string; Key: string }; written: number }> {
  const params = (await evaluate(writer.Parameters ?? {}, input, context)) as { Bucket: string; Prefix?: string };
  const prefix = params.Prefix ? `${params.Prefix.replace(/\/+$/, '')}/` : '';
  const folder = `${prefix}${run.mapRunId}/`;
  const groups: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', Array<Record<string, unknown>>> = {
    SUCCEEDED: [],
    FAILED: [],
    PENDING: [],
  };
  let written = 0;
  children.forEach((child, index) => {
    if (!child) return;
    const group = child.status === 'SUCCEEDED' ? 'SUCCEEDED' : child.status === 'RUNNING' ? 'PENDING' : 'FAILED';
    groups[group].push(entry(child));
    written += run.batchSizes[index] ?? 1;
  });
  const files: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  const put = (Key: string, body: string) =>
    s3().send(new PutObjectCommand({ Bucket: params.Bucket, Key, Body: body, ContentType: 'application/json' }));
  for (const [status, entries] of Object.entries(groups)) {
    if (entries.length === 0) continue;
    const Key = `${folder}${status}_0.json`;
    const body = JSON.stringify(entries);
    await put(Key, body);
    files[status]!.push({ Key, Size: Buffer.byteLength(body) });
  }
  const Key = `${folder}manifest.json`;
  await put(Key, JSON.stringify({ DestinationBucket: params.Bucket, MapRunArn: run.mapRunArn, ResultFiles: files }));
  return { details: { Bucket: params.Bucket, Key }, written };
}

/** One child execution as the result files show it (DescribeExecution's fields, capitalised, JSON kept as text). */
function entry(child: ExecutionDescription): Record<string, unknown> {
  const redrive = redriveStatus({ ...child, history: [], stateTransitions: 0 });
  return {
    ExecutionArn: child.executionArn,
    Input: child.input,
    InputDetails: { Included: true },
    Name: child.name,
    ...(child.status === 'SUCCEEDED' ? { Output: child.output ?? 'null', OutputDetails: { Included: true } } : {}),
    ...(child.error !== undefined ? { Error: child.error } : {}),
    ...(child.cause !== undefined ? { Cause: child.cause } : {}),
    RedriveCount: child.redriveCount,
    RedriveStatus: redrive.status,
    ...(redrive.reason ? { RedriveStatusReason: redrive.reason } : {}),
    StartDate: child.startDate.toISOString(),
    StateMachineArn: child.stateMachineArn,
    Status: child.status,
    StopDate: child.stopDate?.toISOString(),
  };
}
