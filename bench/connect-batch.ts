import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Runtime } from '../local/runtime';
import { budgetRate, sampleBudgetUse } from './budget-use';

/** StraitsX's sandbox limit (providers.md A.1; local/sandboxes/straitsx: 5 requests a second). */
export const STRAITSX_SANDBOX_RPS = 5;

/**
 * A batch Connect migration of `users` users through the API, timed against the floor StraitsX's rate
 * limit sets: requests per user × users ÷ requests per second. The requests per user are counted at the
 * sandbox, not assumed.
 */
export async function benchConnectBatch(runtime: Runtime, users: number): Promise<string[]> {
  const rows: string[] = [];
  for (let i = 0; i < users; i++) {
    const userApiToken = `tok_${randomBytes(18).toString('base64url')}`;
    const merchantRef = `bench-connect-${i}`;
    runtime.straitsx.addConnectUser({ userApiToken, merchantRef, phoneNo: `+65 9${String(1_000_000 + i).slice(-7)}` });
    rows.push(
      JSON.stringify({
        merchantRef,
        userApiToken,
        customer: {
          registrationType: 'personal',
          customerName: `Bench Connect ${i}`,
          registrationId: `T${String(2_000_000 + i)}C`,
        },
      }),
    );
  }
  const requestsBefore = runtime.straitsx.requests().length;
  // The shared budget spends STRAITSX_RATE_PER_SECOND (4 by default) of the documented 5: its own floor.
  const budget = budgetRate();
  const budgetUse = sampleBudgetUse(runtime, budget);
  const started = performance.now();
  const opened = (await (
    await fetch(`${runtime.apiUrl}/migrations/connect/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
  ).json()) as { batchId: string; uploadUrl: string };
  await fetch(opened.uploadUrl, { method: 'PUT', body: `${rows.join('\n')}\n` });
  let progress: { status: string; counts?: Record<string, number> } = { status: 'AWAITING_UPLOAD' };
  while (!['COMPLETED', 'REFUSED', 'FAILED'].includes(progress.status)) {
    await new Promise((r) => setTimeout(r, 5_000));
    progress = (await (await fetch(`${runtime.apiUrl}/migrations/connect/batches/${opened.batchId}`)).json()) as typeof progress;
  }
  const elapsed = (performance.now() - started) / 1000;
  const perMinute = budgetUse.stop();
  const requests = runtime.straitsx.requests().slice(requestsBefore);
  const perUser = requests.length / users;
  const floor = (perUser * users) / STRAITSX_SANDBOX_RPS;
  const budgetFloor = (perUser * users) / budget;
  return [
    `connect batch               ${users} users: ${progress.status}, ${JSON.stringify(progress.counts ?? {})}`,
    `connect batch time          ${elapsed.toFixed(1)} s; StraitsX floor ${floor.toFixed(1)} s (${perUser.toFixed(2)} requests/user × ${users} ÷ ${STRAITSX_SANDBOX_RPS}/s), budget floor ${budgetFloor.toFixed(1)} s (÷ ${budget}/s)`,
    `connect batch vs floor      ${((floor / elapsed) * 100).toFixed(1)}% of the rate limit's pace, ${((budgetFloor / elapsed) * 100).toFixed(1)}% of the budget's, ${requests.filter((r) => r.status === 429).length} answered 429`,
    `connect batch budget used   ${perMinute} (by minute)`,
  ];
}
