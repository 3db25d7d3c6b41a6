import { performance } from 'node:perf_hooks';
import type { Runtime } from '../local/runtime';

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

const post = (runtime: Runtime, i: number) =>
  fetch(`${runtime.apiUrl}/onboardings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      provider: 'straitsx',
      merchantRef: `burst-${i}`,
      customer: {
        registrationType: 'personal',
        customerName: `Burst Customer ${i}`,
        registrationId: `S${String(5_000_000 + i)}B`,
      },
    }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as { onboardingId: string } }));

/** Runs one burst of `size` onboardings and returns the report's lines. */
export async function benchBurst(runtime: Runtime, size: number): Promise<string[]> {
  const rate = Number(process.env.STRAITSX_RATE_PER_SECOND ?? 4);
  const before = runtime.straitsx.requests().length;
  const started = performance.now();
  const first = registrations;
  registrations += size;
  const accepted = await Promise.all(Array.from({ length: size }, (_, i) => post(runtime, first + i)));
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
  const requests = runtime.straitsx.requests().slice(before);
  const throttled = requests.filter((r) => r.status === 429).length;
  const sent = requests.length - throttled;
  const floor = sent / rate;
  const notCompleted = refused + results.filter((r) => r.status !== 'COMPLETED').length;
  const waits = results.reduce((sum, r) => sum + r.waits, 0);
  return [
    `burst of ${size} StraitsX onboardings (budget ${rate}/s)`,
    `  elapsed                   ${elapsed.toFixed(1)} s`,
    `  floor                     ${floor.toFixed(1)} s (${(sent / size).toFixed(2)} requests per onboarding x ${size} / ${rate} per second)`,
    `  achieved                  ${((floor / elapsed) * 100).toFixed(0)}% of the floor`,
    `  429 at the sandbox        ${throttled}`,
    `  not COMPLETED             ${notCompleted}`,
    `  paced waits per onboarding ${(waits / size).toFixed(2)}`,
    // LAMBDA-SECONDS: the local runtime's Lambda-time meter reports here once it exists (seconds per onboarding).
    '  Lambda seconds per onboarding  n/a (no Lambda-time meter in this runtime yet)',
  ];
}
