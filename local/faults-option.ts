import type { FaultConfig } from './sandboxes/kit/faults';

/**
 * Reads the `--faults` option of `npm start`: comma-separated `kind=rate` pairs applied to every
 * provider sandbox, e.g. `5xx=0.1,429=0.05,slow=0.05:15000,drop=0.02,after`. `slow` takes the delay in
 * ms after a colon; `after` makes 5xx, slow and drop strike after the provider stored the request (the
 * answer is lost, the change is not); `seed=N` repeats a run's pattern.
 */
export function parseFaults(text: string): FaultConfig {
  const config: FaultConfig = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (part === 'after' || part === 'before') {
      config.phase = part;
      continue;
    }
    const [kind, value = ''] = part.split('=');
    const [rateText, msText] = value.split(':');
    const rate = Number(rateText);
    if (kind === 'seed' && Number.isInteger(rate)) {
      config.seed = rate;
      continue;
    }
    if (!Number.isFinite(rate) || rate < 0 || rate > 1)
      throw new Error(`--faults: ${part}: the rate must be a number from 0 to 1`);
    switch (kind) {
      case '5xx':
        config.error5xx = rate;
        break;
      case '429':
        config.rateLimit429 = rate;
        break;
      case 'drop':
        config.drop = rate;
        break;
      case 'slow': {
        const ms = Number(msText ?? 15_000);
        if (!Number.isInteger(ms) || ms <= 0) throw new Error(`--faults: ${part}: slow takes a delay in ms, e.g. slow=0.1:15000`);
        config.slowMs = { rate, ms };
        break;
      }
      default:
        throw new Error(`--faults: ${part}: kind must be 5xx, 429, slow, drop, after, before or seed`);
    }
  }
  return config;
}
