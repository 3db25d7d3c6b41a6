import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';

/**
 * `npm run onboard -- migrate connect <file>`: hands a manifest to the running stack as a merchant's
 * backend would (POST /migrations/connect/batches, then a PUT to the presigned URL), follows the batch
 * with a progress bar and prints the counts by outcome. The file is read here and sent as is: the
 * rows are checked, and their tokens vaulted, by the stack.
 */
export interface BatchProgress {
  batchId: string;
  status: 'AWAITING_UPLOAD' | 'REFUSED' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  users: number;
  done: number;
  refused: { row: number; field: string; rule: string }[];
  counts: Record<string, number>;
  report?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(apiUrl: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${String(answer.message ?? '')}`);
  return answer;
}

/** Sends the manifest and follows the batch to its end; `onProgress` sees every look. */
export async function migrateConnectBatch(
  apiUrl: string,
  file: string,
  onProgress: (progress: BatchProgress) => void = () => {},
  pollMs = 1_000,
): Promise<BatchProgress> {
  const opened = await call(apiUrl, 'POST', '/migrations/connect/batches', {});
  const put = await fetch(String(opened.uploadUrl), { method: 'PUT', body: readFileSync(file) });
  if (!put.ok) throw new Error(`uploading the manifest failed: HTTP ${put.status}`);
  for (;;) {
    const progress = (await call(
      apiUrl,
      'GET',
      `/migrations/connect/batches/${String(opened.batchId)}`,
    )) as unknown as BatchProgress;
    onProgress(progress);
    if (progress.status === 'COMPLETED' || progress.status === 'REFUSED' || progress.status === 'FAILED') return progress;
    await sleep(pollMs);
  }
}

/** The CLI's run: a progress bar on stderr while the batch runs, then the refused rows and the counts. */
export async function runMigrateCommand(apiUrl: string, file: string): Promise<BatchProgress> {
  const bar = new SingleBar({
    format: 'migrating {bar} {value}/{total} users | {status}',
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  const final = await migrateConnectBatch(apiUrl, file, (p) => {
    if (p.status === 'AWAITING_UPLOAD') return;
    if (!started) {
      started = true;
      process.stderr.write(`batch ${p.batchId}: ${p.users} users, ${p.refused.length} rows refused\n`);
      bar.start(p.users, 0, { status: p.status });
    }
    bar.update(p.done, { status: p.status });
  });
  if (started) bar.stop();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`batch ${final.batchId}: ${final.status}`);
  if (final.refused.length > 0) {
    out('refused rows (row, field, rule):');
    for (const r of final.refused) out(`  ${String(r.row).padStart(5)}  ${r.field || '(row)'}  ${r.rule}`);
  }
  out(formatCounts(final.counts));
  if (final.report) out(`report: s3://<bucket>/${final.report} (and report.csv beside it)`);
  return final;
}

/** Counts by outcome as a two-column table. */
export function formatCounts(counts: Record<string, number>): string {
  const rows = Object.entries(counts);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const width = Math.max(...rows.map(([k]) => k.length), 'TOTAL'.length);
  return [...rows, ['TOTAL', total] as const].map(([k, n]) => `  ${k.padEnd(width)}  ${String(n).padStart(6)}`).join('\n');
}
