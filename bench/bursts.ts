import { performance } from 'node:perf_hooks';
import type { Runtime } from '../local/runtime';
import { budgetRate, sampleBudgetUse } from './budget-use';
import { lambdaPerOnboarding, mark } from './cost';

/**
 * Bursts of StraitsX onboardings started all at once, against the sandbox's 5 requests a second and the
 * shared budget (STRAITSX_RATE_PER_SECOND, 4 by default). The floor is the time the budget itself needs
 * for the provider requests the burst made; a burst that keeps the budget busy ends close to it.
 */

/** Sizes of the bursts: BENCH_BURSTS, comma-separated (default 80 and 1,000). */
export function burstSizes(): number[] {
  return (process.env.BENCH_BURSTS ?? '80,1000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

let registrations = 0;

/** POSTs the `i`th basic StraitsX onboarding of a series (`name` tells series apart; `base` keeps ids distinct). */
export const postStraitsxOnboarding = (runtime: Runtime, name: string, base: number, i: number) =>
  fetch(`${runtime.apiUrl}/onboardings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      provider: 'straitsx',
      merchantRef: `${name.toLowerCase()}-${i}`,
      customer: {
        registrationType: 'personal',
        customerName: `${name} Customer ${i}`,
        registrationId: `S${String(base + i)}B`,
      },
    }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as { onboardingId: string } }));

const post = (runtime: Runtime, i: number) => postStraitsxOnboarding(runtime, 'Burst', 5_000_000, i);

/** How many POSTs are in flight at once, as a merchant's system would send them: BENCH_BURST_CONCURRENCY, default 20. */
const postConcurrency = () => Math.max(1, Number(process.env.BENCH_BURST_CONCURRENCY ?? 20) || 20);

/** The sandbox's documented limit (StraitsX: 5 requests a second), the floor's second yardstick. */
const DOCUMENTED_RATE = 5;

/** Calls `work` for 0..count-1 with at most `limit` calls running at once; results in order. */
async function bounded<T>(count: number, limit: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/** Runs one burst of `size` onboardings and returns the report's lines. */
export async function benchBurst(runtime: Runtime, size: number): Promise<string[]> {
  const rate = budgetRate();
  const before = runtime.straitsx.requests().length;
  const meterBefore = mark(runtime);
  const started = performance.now();
  const budgetUse = sampleBudgetUse(runtime, rate);
  const first = registrations;
  registrations += size;
  // Posted 20 at a time (not all at once): 1,000 simultaneous POSTs only queue for sockets in the client.
  const accepted = await bounded(size, postConcurrency(), (i) => post(runtime, first + i));
  const posted = (performance.now() - started) / 1000;
  const refused = accepted.filter((a) => a.status !== 202).length;
  const ids = accepted.filter((a) => a.status === 202).map((a) => a.body.onboardingId);
  const results = await Promise.all(
    ids.map(async (id) => {
      const executionArn = `${runtime.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
      await runtime.cloud.sfn.waitForExecution(executionArn, 3_600_000);
      const record = (await (await fetch(`${runtime.apiUrl}/onboardings/${id}`)).json()) as { status?: string };
      const waits = runtime.cloud.sfn
        .getExecutionHistory({ executionArn })
        .events.filter(
          (e) =>
            e.type === 'WaitStateEntered' && (e.stateEnteredEventDetails as { name?: string })?.name?.endsWith('AwaitsBudget'),
        ).length;
      return { status: record.status, waits };
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const perMinute = budgetUse.stop();
  const lambda = lambdaPerOnboarding(meterBefore, mark(runtime), Math.max(1, size));
  const requests = runtime.straitsx.requests().slice(before);
  const throttled = requests.filter((r) => r.status === 429).length;
  const answered = requests.length - throttled;
  const floor = answered / rate;
  const notCompleted = refused + results.filter((r) => r.status !== 'COMPLETED').length;
  const waits = results.reduce((sum, r) => sum + r.waits, 0);
  return [
    `burst of ${size} StraitsX onboardings (budget ${rate}/s)`,
    `  elapsed                   ${elapsed.toFixed(1)} s`,
    `  all posted after          ${posted.toFixed(1)} s (${postConcurrency()} at a time)`,
    `  floor                     ${floor.toFixed(1)} s (${(answered / size).toFixed(2)} requests per onboarding x ${size} / ${rate} per second)`,
    `  achieved                  ${((floor / elapsed) * 100).toFixed(0)}% of the budget's floor, ${((answered / DOCUMENTED_RATE / elapsed) * 100).toFixed(0)}% of the documented ${DOCUMENTED_RATE}/s floor (${(answered / DOCUMENTED_RATE).toFixed(1)} s)`,
    `  budget used by minute     ${perMinute}`,
    `  429 at the sandbox        ${throttled}`,
    `  not COMPLETED             ${notCompleted}`,
    `  paced waits per onboarding ${(waits / size).toFixed(2)}`,
    `  Lambda per onboarding     ${lambda.invocations.toFixed(1)} invocations, ${lambda.lambdaSeconds.toFixed(3)} s, ${lambda.gbSeconds.toFixed(3)} GB-s`,
  ];
}
