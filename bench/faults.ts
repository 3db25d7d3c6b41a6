import '../local/shared/polyfills';
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
      drive: (merchant, id) => merchant.uploadDocuments(id, 600_000),
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
              await merchant.until(id, (v) => v.waitingFor === 'verification', 600_000);
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

const rows: string[][] = [];
for (const level of LEVELS) {
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
        const accepted = await merchant.call('POST', '/onboardings', job.request);
        if (accepted.status !== 202) return { ok: false, status: `HTTP ${accepted.status}` };
        const id = accepted.body.onboardingId as string;
        try {
          await job.drive?.(merchant, id);
          const final = await merchant.settled(id, 3_600_000);
          return { ok: final.status === job.expected, status: final.status as string };
        } catch (error) {
          return { ok: false, status: (error as Error).message };
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const byStatus = new Map<string, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    rows.push([
      level.name,
      String(results.length),
      String(results.filter((r) => r.ok).length),
      [...byStatus].map(([s, n]) => `${s} ${n}`).join(', '),
      `${seconds.toFixed(1)} s`,
    ]);
    process.stdout.write(`${rows.at(-1)!.join('  ')}\n`);
  } finally {
    await runtime.stop();
  }
}

const headers = ['faults (5xx/429/slow/drop %)', 'onboardings', 'as expected', 'final statuses', 'time'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
process.stdout.write(`\nretry scale ${RETRY_SCALE}\n`);
for (const row of [headers, widths.map((w) => '-'.repeat(w)), ...rows]) {
  process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
}
