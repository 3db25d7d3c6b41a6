import { randomUUID } from 'node:crypto';
import { OnboardingConflict } from '../../onboarding/intake';
import { requireEnv } from '../../shared/env';
import { logger } from '../../shared/powertools';
import { startExecution } from '../../shared/sfn';
import { ValidationFailed } from '../../shared/validation';
import { requestConnectMigration } from '../straitsx-connect/migration';
import { MAX_BATCH_ROWS, type RefusedRow, readManifest } from './manifest';
import { isSettled } from './outcome';
import {
  type BatchItem,
  type BatchState,
  deleteObject,
  getText,
  manifestKey,
  mapLimit,
  putObject,
  readBatch,
  resultsPrefix,
  uploadKey,
  writeBatch,
} from './store';

/** Rows taken at once: each is a vault write, a record read and a record write. */
const INTAKE_CONCURRENCY = 8;

/** Opens a batch that waits for its manifest at a presigned URL. */
export async function openBatch(): Promise<BatchState> {
  const now = new Date().toISOString();
  const state: BatchState = { batchId: randomUUID(), status: 'AWAITING_UPLOAD', createdAt: now, updatedAt: now };
  await writeBatch(state);
  return state;
}

/** Takes an uploaded manifest (the bucket notification on `migration-uploads/`), then deletes the upload. */
export async function takeUploadedManifest(batchId: string): Promise<BatchState | undefined> {
  const state = await readBatch(batchId);
  // A batch is taken once: a repeated notification, or an upload to a batch that never opened, does nothing.
  if (!state || state.status !== 'AWAITING_UPLOAD') {
    logger.warn('manifest upload for no open batch', { batchId });
    return state;
  }
  const text = await getText(uploadKey(batchId));
  if (text === undefined) return state;
  const taken = await takeManifest(state, text);
  await deleteObject(uploadKey(batchId));
  return taken;
}

/**
 * Checks every row with the single migration's rules, stores what passes as migrations (profile and
 * token in the vault, records in the table, not started), writes the ids-only manifest and starts the
 * batch workflow. Refused rows are named by row, field and rule; the batch state holds them before the
 * workflow starts.
 */
export async function takeManifest(state: BatchState, text: string): Promise<BatchState> {
  const { rows, refused } = readManifest(text);
  if (rows.length + refused.length > MAX_BATCH_ROWS) {
    return finishRefused(state, rows.length + refused.length, [
      { row: 0, field: '', rule: `a batch holds at most ${MAX_BATCH_ROWS} rows: split the manifest` },
    ]);
  }
  const taken = await mapLimit(rows, INTAKE_CONCURRENCY, async ({ row, body }) => {
    try {
      const { record } = await requestConnectMigration(body, { start: false, batchId: state.batchId });
      return { row, record };
    } catch (error) {
      if (error instanceof ValidationFailed)
        return { row, refused: error.errors.map((e) => ({ row, field: e.path, rule: e.message })) };
      if (error instanceof OnboardingConflict) {
        return { row, refused: [{ row, field: '', rule: 'a migration of this user exists with a different request' }] };
      }
      throw error;
    }
  });

  const items: BatchItem[] = [];
  const firstRowOf = new Map<string, number>();
  for (const result of taken) {
    if ('refused' in result) {
      refused.push(...(result.refused ?? []));
      continue;
    }
    const { row, record } = result;
    const first = firstRowOf.get(record.onboardingId);
    if (first !== undefined) {
      refused.push({ row, field: '', rule: `the same user as row ${first}` });
      continue;
    }
    firstRowOf.set(record.onboardingId, row);
    items.push({ row, onboardingId: record.onboardingId, skip: isSettled(record) });
  }
  refused.sort((a, b) => a.row - b.row);
  if (items.length === 0) return finishRefused(state, rows.length + refused.length, refused);

  await putObject(manifestKey(state.batchId), JSON.stringify(items));
  const next: BatchState = {
    ...state,
    status: 'RUNNING',
    rows: items.length + refused.length,
    refused,
    items: items.length,
    skipped: items.filter((i) => i.skip).length,
  };
  // Written before the start: whoever reads the batch sees the refused rows before any user is migrated.
  await writeBatch(next);
  const stateMachineArn = requireEnv('CONNECT_MIGRATION_BATCH_STATE_MACHINE_ARN');
  const { executionArn } = await startExecution({
    stateMachineArn,
    // Named after the batch: a repeated notification cannot start it twice.
    name: state.batchId,
    input: JSON.stringify(batchInput(state.batchId)),
  });
  const running = { ...next, executionArn };
  await writeBatch(running);
  logger.info('connect migration batch started', { batchId: state.batchId, items: items.length, refused: refused.length });
  return running;
}

/** The batch workflow's input: ids and places in the bucket only. */
export const batchInput = (batchId: string) => ({
  batchId,
  bucket: requireEnv('BUCKET_NAME'),
  manifestKey: manifestKey(batchId),
  resultsPrefix: resultsPrefix(batchId),
});

async function finishRefused(state: BatchState, rows: number, refused: RefusedRow[]): Promise<BatchState> {
  const next: BatchState = { ...state, status: 'REFUSED', rows, refused, items: 0, skipped: 0 };
  await writeBatch(next);
  return next;
}
