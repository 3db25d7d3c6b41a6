import type { Runtime } from '../local/runtime';

/** The shared budget's StraitsX rate, as the functions read it (STRAITSX_RATE_PER_SECOND, 4 by default). */
export const budgetRate = (): number => Number(process.env.STRAITSX_RATE_PER_SECOND ?? 4);

/**
 * Samples, each second, how many StraitsX requests the sandbox has answered (429s left out) since the
 * start, and tells what share of the budget each minute used: a run that keeps the budget busy reads
 * close to 100% in every minute but its last.
 */
export function sampleBudgetUse(runtime: Runtime, ratePerSecond: number): { stop: () => string } {
  const before = runtime.straitsx.requests().length;
  const answered = () =>
    runtime.straitsx
      .requests()
      .slice(before)
      .filter((r) => r.status !== 429).length;
  const samples: number[] = [0];
  const sampler = setInterval(() => samples.push(answered()), 1000);
  return {
    stop: () => {
      clearInterval(sampler);
      const shares: string[] = [];
      for (let start = 0; start < samples.length - 1; start += 60) {
        const end = Math.min(samples.length - 1, start + 60);
        shares.push(`${Math.round(((samples[end]! - samples[start]!) / ((end - start) * ratePerSecond)) * 100)}%`);
      }
      return shares.join(' ');
    },
  };
}
