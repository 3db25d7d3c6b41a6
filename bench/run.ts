import '../local/shared/polyfills';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { startRuntime } from '../local/runtime';
import { benchBundles } from './bundles';
import { benchBurst, burstSizes, postStraitsxOnboarding } from './bursts';
import { benchConnectBatch } from './connect-batch';
import { lambdaPerOnboarding, mark } from './cost';

/**
 * Performance of the embedded stack, for comparison between changes (not a test: nothing fails).
 * - intake latency: POST /onboardings answered (validation, keyed id, vault write, record, StartExecution);
 * - end-to-end: a batch of StraitsX onboardings from request to COMPLETED, with the provider's 5 requests
 *   per second enforced by the sandbox and respected by the shared budget;
 * - state transitions of one onboarding (Standard workflows are billed per transition);
 * - bursts of StraitsX onboardings posted 20 at a time (BENCH_BURSTS, default "80,1000";
 *   BENCH_BURST_CONCURRENCY): elapsed against the floor the rate budget sets and the one the documented
 *   5/s sets, 429s at the sandbox, onboardings not COMPLETED, waits for the budget, Lambda per onboarding;
 * - a batch Connect migration of BENCH_BATCH_USERS users (default 1,000; 0 skips it; BENCH_BATCH_CONCURRENCY
 *   its MaxConcurrency, default 10; BENCH_LAMBDA_CONCURRENCY the task invocations run at once, default 32) against the floor
 *   StraitsX's rate limit sets. The shared budget spends 4 requests a second by default (STRAITSX_RATE_PER_SECOND),
 *   leaving each request 250 ms to reach the sandbox's 5 a second without a 429;
 * - every function's bundle size and cold import time against a bundled hello world, after the stack
 *   has stopped so the two do not compete (BENCH_BUNDLES=0 skips it; `npm run bench:bundles` runs it alone);
 * - what one onboarding of each path costs to run (bench/cost.ts; BENCH_COST_RUNS runs each, default 5;
 *   BENCH_COST=0 skips it).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const count = Number(process.env.BENCH_ONBOARDINGS ?? 40);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

// BENCH_BATCH_CONCURRENCY: the batch's MaxConcurrency (CDK context connectMigrationBatchMaxConcurrency).
const batchMaxConcurrency = process.env.BENCH_BATCH_CONCURRENCY ? Number(process.env.BENCH_BATCH_CONCURRENCY) : undefined;
// BENCH_LAMBDA_CONCURRENCY: workflow task invocations the embedded stack runs at once (default 32).
const lambdaConcurrency = process.env.BENCH_LAMBDA_CONCURRENCY ? Number(process.env.BENCH_LAMBDA_CONCURRENCY) : undefined;
const runtime = await startRuntime({ retryScale: 1, logFile: false, batchMaxConcurrency, lambdaConcurrency });
const post = (i: number) => postStraitsxOnboarding(runtime, 'Bench', 1_000_000, i);

try {
  if (count > 0) await benchOnboardings();
  for (const size of burstSizes()) process.stdout.write(`${(await benchBurst(runtime, size)).join('\n')}\n`);
  const batchUsers = Number(process.env.BENCH_BATCH_USERS ?? 1000);
  if (batchUsers > 0) process.stdout.write(`${(await benchConnectBatch(runtime, batchUsers)).join('\n')}\n`);
} finally {
  await runtime.stop();
}

/** Intake latency and end-to-end time of BENCH_ONBOARDINGS onboardings posted one after another. */
async function benchOnboardings(): Promise<void> {
  const startMark = mark(runtime);
  const started = performance.now();
  const latencies: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const { status, body } = await post(i);
    latencies.push(performance.now() - t0);
    if (status !== 202) throw new Error(`intake answered ${status}`);
    ids.push(body.onboardingId);
  }
  const results = await Promise.all(
    ids.map(async (id) => {
      const arn = `${runtime.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
      const done = await runtime.cloud.sfn.waitForExecution(arn, 300_000);
      return { status: done.status, transitions: runtime.cloud.sfn.stateTransitions(arn) };
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await runtime.cloud.events.idle?.();
  const lambda = lambdaPerOnboarding(startMark, mark(runtime), count);
  const succeeded = results.filter((r) => r.status === 'SUCCEEDED').length;
  const providerCalls = runtime.straitsx.requests().length;
  const throttled = runtime.straitsx.requests().filter((r) => r.status === 429).length;
  const lines = [
    `onboardings                 ${count} (StraitsX basic profile + SGD account)`,
    `intake latency              p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
    `end to end                  ${elapsed.toFixed(1)} s for all, ${(count / elapsed).toFixed(2)} onboardings/s`,
    `succeeded                   ${succeeded}/${count}`,
    `state transitions each      ${[...new Set(results.map((r) => r.transitions))].join(', ')}`,
    `Lambda per onboarding       ${lambda.invocations.toFixed(1)} invocations, ${lambda.lambdaSeconds.toFixed(3)} s, ${lambda.gbSeconds.toFixed(3)} GB-s`,
    `provider requests           ${providerCalls} (${(providerCalls / count).toFixed(1)} per onboarding), ${throttled} answered 429`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
if (process.env.BENCH_BUNDLES !== '0') process.stdout.write(`${(await benchBundles()).join('\n')}\n`);
// What each onboarding path costs to run, on a stack of its own so the runs above do not count. In a
// process of its own too: the functions' modules read the first stack's settings when they loaded.
if (process.env.BENCH_COST !== '0') {
  process.stdout.write('\n');
  spawnSync('npx', ['tsx', 'bench/cost.ts'], { stdio: 'inherit' });
}
