import '../local/shared/polyfills';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFaults } from '../local/faults-option';
import { type Body, MerchantClient } from '../local/merchant';
import { startRuntime } from '../local/runtime';

/**
 * The fault matrix: a mixed batch of onboardings (StraitsX basic profiles with an SGD account, Wallex
 * users with documents through screening, Straddle customers verified, reviewed and rejected) against
 * sandboxes injecting provider faults at several levels. Prints, per level, how many ended as expected
 * and how long the batch took. Not a test: nothing fails; run with `npm run bench:faults`.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const LEVELS = [
  { name: 'none', spec: '' },
  { name: '20/10/5/5', spec: '5xx=0.2,429=0.1,slow=0.05:15000,drop=0.05,after,seed=7' },
  { name: '30/15/10/10', spec: '5xx=0.3,429=0.15,slow=0.1:15000,drop=0.1,after,seed=11' },
];
const PER_PROVIDER = Number(process.env.BENCH_PER_PROVIDER ?? 8);
const RETRY_SCALE = Number(process.env.BENCH_RETRY_SCALE ?? 1);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 3_600_000);
const example = (name: string): Body => JSON.parse(readFileSync(resolve('examples', `${name}.json`), 'utf8'));

interface Job {
  request: Body;
  expected: string;
  drive?: (merchant: MerchantClient, id: string) => Promise<void>;
}

function batch(): Job[] {
  const wallex = example('wallex-individual');
  const straddle = example('straddle-individual');
  const jobs: Job[] = [];
  for (let i = 0; i < PER_PROVIDER; i++) {
    jobs.push({
      request: {
        provider: 'straitsx',
        merchantRef: `matrix-sx-${i}`,
        customer: { registrationType: 'personal', customerName: `Matrix Customer ${i}`, registrationId: `S${2_000_000 + i}M` },
      },
      expected: 'COMPLETED',
    });
    jobs.push({
      request: { ...wallex, merchantRef: `matrix-wx-${i}`, customer: { ...wallex.customer, email: `matrix.${i}@example.com` } },
      expected: 'COMPLETED',
      drive: (merchant, id) => merchant.uploadDocuments(id, SETTLE_MS),
    });
    const outcome = i % 4 === 3 ? 'rejected' : i % 4 === 2 ? 'review' : 'verified';
    jobs.push({
      request: {
        ...straddle,
        merchantRef: `matrix-sd-${i}`,
        customer: { ...straddle.customer, email: `matrix.${i}@example.org`, config: { sandbox_outcome: outcome } },
      },
      expected: outcome === 'rejected' ? 'REJECTED' : 'COMPLETED',
      drive:
        outcome === 'review'
          ? async (merchant, id) => {
              await merchant.until(id, (v) => v.waitingFor === 'verification', SETTLE_MS);
              await merchant.call('POST', `/onboardings/${id}/review`, {
                decision: 'verified',
                reason: 'identity confirmed by phone',
                operator: 'matrix.operator',
              });
            }
          : undefined,
    });
  }
  return jobs;
}

/** Runs one level in this process (each level gets a process of its own: the handlers read their settings once). */
async function runLevel(level: (typeof LEVELS)[number]): Promise<string[]> {
  const runtime = await startRuntime({ retryScale: RETRY_SCALE, logFile: false });
  try {
    if (level.spec) {
      const faults = parseFaults(level.spec);
      for (const sandbox of [runtime.straitsx, runtime.wallex, runtime.straddle]) sandbox.setFaults(faults);
    }
    const merchant = new MerchantClient(() => runtime.apiUrl);
    const started = Date.now();
    const results = await Promise.all(
      batch().map(async (job) => {
        try {
          const accepted = await merchant.call('POST', '/onboardings', job.request);
          if (accepted.status !== 202) return { ok: false, status: `HTTP ${accepted.status}` };
          const id = accepted.body.onboardingId as string;
          await job.drive?.(merchant, id);
          const final = await merchant.settled(id, SETTLE_MS);
          return { ok: final.status === job.expected, status: final.status as string };
        } catch (error) {
          return { ok: false, status: `not settled (${(error as Error).message.replace(/^onb_\w+ /, '')})` };
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const byStatus = new Map<string, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    return [
      level.name,
      String(results.length),
      String(results.filter((r) => r.ok).length),
      [...byStatus].map(([s, n]) => `${s} ${n}`).join(', '),
      `${seconds.toFixed(1)} s`,
    ];
  } finally {
    await runtime.stop();
  }
}

const only = process.env.BENCH_FAULT_LEVEL;
if (only !== undefined) {
  process.stdout.write(`${JSON.stringify(await runLevel(LEVELS[Number(only)]!))}\n`);
  process.exit(0);
}
const rows: string[][] = [];
for (const [index, level] of LEVELS.entries()) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', resolve('bench/faults.ts')], {
    env: { ...process.env, BENCH_FAULT_LEVEL: String(index) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const row = JSON.parse(out.trim().split('\n').at(-1)!) as string[];
  rows.push(row);
  process.stdout.write(`${level.name}: ${row.slice(1).join('  ')}\n`);
}

const headers = ['faults (5xx/429/slow/drop %)', 'onboardings', 'as expected', 'final statuses', 'time'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
process.stdout.write(`\nretry scale ${RETRY_SCALE}\n`);
for (const row of [headers, widths.map((w) => '-'.repeat(w)), ...rows]) {
  process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
}
