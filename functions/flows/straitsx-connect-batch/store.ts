import { requireEnv } from '../../shared/env';
import * as objects from '../../shared/s3-objects';
import type { RefusedRow } from './manifest';

/**
 * A batch lives in the bucket under `migration-batches/<batchId>/`: its state (`batch.json`), the
 * ids-only manifest the workflow reads, the Map Run's results and the report. None of it holds personal
 * data: tokens and profiles went to the vault, one object per migration.
 */
export const BATCHES_PREFIX = 'migration-batches/';
/** Where a presigned PUT lands; the upload (tokens included) is deleted once intake has read it. */
export const UPLOADS_PREFIX = 'migration-uploads/';

export const batchPrefix = (batchId: string) => `${BATCHES_PREFIX}${batchId}/`;
export const manifestKey = (batchId: string) => `${batchPrefix(batchId)}manifest.json`;
export const resultsPrefix = (batchId: string) => `${batchPrefix(batchId)}results`;
export const reportKey = (batchId: string, ext: 'json' | 'csv') => `${batchPrefix(batchId)}report.${ext}`;
export const uploadKey = (batchId: string) => `${UPLOADS_PREFIX}${batchId}`;

/** Batch ids are UUIDs: they name the batch's execution and its folder. */
export const BATCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One item of the ids-only manifest: the row it came from, the migration, and whether it is done already. */
export interface BatchItem {
  row: number;
  onboardingId: string;
  skip: boolean;
}

export type BatchStatus = 'AWAITING_UPLOAD' | 'REFUSED' | 'RUNNING' | 'COMPLETED';

/** What `batch.json` holds. */
export interface BatchState {
  batchId: string;
  status: BatchStatus;
  createdAt: string;
  updatedAt: string;
  rows?: number;
  refused?: RefusedRow[];
  items?: number;
  skipped?: number;
  executionArn?: string;
  counts?: Record<string, number>;
}

const bucket = () => requireEnv('BUCKET_NAME');

/** Writes a JSON or text object to the bucket. */
export async function putObject(key: string, body: string, contentType = 'application/json'): Promise<void> {
  await objects.putObject(bucket(), key, body, contentType);
}

/** Reads an object as text; undefined when there is none. */
export async function getText(key: string): Promise<string | undefined> {
  try {
    return await objects.getObjectText(bucket(), key);
  } catch (error) {
    if (error instanceof objects.S3ObjectError && error.code === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function deleteObject(key: string): Promise<void> {
  await objects.deleteObject(bucket(), key);
}

export async function readBatch(batchId: string): Promise<BatchState | undefined> {
  const text = await getText(`${batchPrefix(batchId)}batch.json`);
  return text ? (JSON.parse(text) as BatchState) : undefined;
}

export async function writeBatch(state: BatchState): Promise<void> {
  await putObject(`${batchPrefix(state.batchId)}batch.json`, JSON.stringify({ ...state, updatedAt: new Date().toISOString() }));
}

export async function readItems(batchId: string): Promise<BatchItem[]> {
  const text = await getText(manifestKey(batchId));
  if (!text) throw new Error(`batch ${batchId} has no manifest`);
  return JSON.parse(text) as BatchItem[];
}

/** Runs `fn` over `items`, `concurrency` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
