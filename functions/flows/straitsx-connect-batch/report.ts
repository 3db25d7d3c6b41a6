import { publish } from '../../onboarding/events';
import { describeExecution } from '../../shared/sfn';
import { findOnboarding } from '../../store/onboardings';
import { countOutcomes, type Outcome, outcomeOf } from './outcome';
import { type BatchState, mapLimit, putObject, readBatch, readItems, reportKey, writeBatch } from './store';

/** Records read at once when building a report or a progress count. */
const READ_CONCURRENCY = 16;

/** One user of the report: ids, the past merchant_ref (kept to a rule that leaves no room for personal data) and statuses. */
export interface ReportRow {
  row: number;
  migrationId: string;
  merchantRef: string;
  outcome: Outcome;
  /** For SKIPPED: where the earlier migration had ended. */
  previous?: string;
  /** The record's status (COMPLETED, NEEDS_ATTENTION...). */
  status: string;
}

export interface BatchReport {
  batchId: string;
  rows: ReportRow[];
  refused: BatchState['refused'];
  totals: Record<string, number>;
  generatedAt: string;
}

const REPORT_COLUMNS = ['row', 'migrationId', 'merchantRef', 'outcome', 'previous', 'status'] as const;

/** Where every user of the batch stands, read from the records; `final` turns what is still open into FAILED. */
export async function readOutcomes(batchId: string, final: boolean): Promise<ReportRow[]> {
  const items = await readItems(batchId);
  return mapLimit(items, READ_CONCURRENCY, async (item) => {
    const record = await findOnboarding(item.onboardingId);
    const now = outcomeOf(record);
    const settled = now === 'PENDING' ? (final ? 'FAILED' : 'PENDING') : now;
    return {
      row: item.row,
      migrationId: item.onboardingId,
      merchantRef: record?.merchantRef ?? '',
      outcome: (item.skip ? 'SKIPPED' : settled) as Outcome,
      ...(item.skip ? { previous: settled } : {}),
      status: record?.status ?? 'MISSING',
    };
  });
}

/**
 * The batch workflow's last step: the report (JSON and CSV) under the batch's prefix, the batch state
 * marked COMPLETED with its counts, and `Connect Migration Batch Completed` on the bus.
 */
export async function buildReport(batchId: string): Promise<{ batchId: string; totals: Record<string, number> }> {
  const rows = await readOutcomes(batchId, true);
  const state = await readBatch(batchId);
  const totals = countOutcomes(rows.map((r) => r.outcome));
  const report: BatchReport = { batchId, rows, refused: state?.refused ?? [], totals, generatedAt: new Date().toISOString() };
  await putObject(reportKey(batchId, 'json'), JSON.stringify(report));
  await putObject(reportKey(batchId, 'csv'), reportCsv(rows), 'text/csv');
  if (state) await writeBatch({ ...state, status: 'COMPLETED', counts: totals });
  await publish('Connect Migration Batch Completed', {
    eventId: `batch-completed-${batchId}`,
    batchId,
    users: rows.length,
    refused: state?.refused?.length ?? 0,
    counts: totals,
  });
  return { batchId, totals };
}

/** The report as CSV: one user a line, the columns of REPORT_COLUMNS. */
export function reportCsv(rows: readonly ReportRow[]): string {
  const lines = rows.map((r) => REPORT_COLUMNS.map((c) => String(r[c] ?? '')).join(','));
  return `${[REPORT_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/** `GET /migrations/connect/batches/{batchId}`: the batch's state with counts by outcome so far. */
export async function batchProgress(batchId: string) {
  const state = await readBatch(batchId);
  if (!state) return undefined;
  const base = {
    batchId,
    status: state.status,
    createdAt: state.createdAt,
    rows: state.rows,
    refused: state.refused ?? [],
    users: state.items ?? 0,
  };
  if (state.status === 'COMPLETED')
    return { ...base, done: state.items ?? 0, counts: state.counts, report: reportKey(batchId, 'json') };
  if (state.status !== 'RUNNING') return { ...base, done: 0, counts: countOutcomes([]) };
  const rows = await readOutcomes(batchId, false);
  const counts = countOutcomes(rows.map((r) => r.outcome).filter((o) => (o as string) !== 'PENDING'));
  const done = rows.filter((r) => (r.outcome as string) !== 'PENDING').length;
  // A batch whose execution ended without its report failed (too many users failed, or a step broke):
  // the merchant sees FAILED, and a redrive of the execution carries on with the users left.
  const execution = state.executionArn ? await describeExecution({ executionArn: state.executionArn }) : undefined;
  const ended = execution?.status && execution.status !== 'RUNNING' && execution.status !== 'SUCCEEDED';
  return { ...base, ...(ended ? { status: 'FAILED' as const, execution: execution.status } : {}), done, counts };
}
