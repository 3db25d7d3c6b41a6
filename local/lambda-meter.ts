import { performance } from 'node:perf_hooks';
import { FUNCTION_ARCHITECTURE, FUNCTION_MEMORY_MB } from '../manifest/function-settings';

/** What Lambda would bill one function for: invocations and billed milliseconds. */
export interface FunctionUsage {
  invocations: number;
  /** Each invocation's wall-clock duration rounded up to the millisecond, as Lambda bills it. */
  billedMs: number;
}

/** A reading of the meter: usage by function name, requests by API route, and the configuration billed. */
export interface MeterReading {
  functions: Record<string, FunctionUsage>;
  /** API Gateway requests by `METHOD /resource`. */
  apiRequests: Record<string, number>;
  /**
   * The most invocations of each function that ran at once since the meter started or was reset (Lambda's
   * ConcurrentExecutions maximum). A peak cannot be taken apart, so `usageBetween` keeps the later one.
   */
  peakConcurrency: Record<string, number>;
  memoryMb: number;
  architecture: string;
}

/**
 * Counts what the embedded stack would be billed for on Lambda and API Gateway: each in-process
 * invocation by function name with its duration, and each API request by route. Durations are measured
 * in this process, where functions share one CPU and call loopback services, so they approximate the
 * deployed figures; the counts are exact. The work per call is one clock read and two map updates.
 */
export class LambdaMeter {
  private readonly usage = new Map<string, FunctionUsage>();
  private readonly requests = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly peaks = new Map<string, number>();

  /** Runs one invocation of `functionName`, counting it and its billed duration whether it succeeds or throws. */
  async invoke<T>(functionName: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const running = (this.running.get(functionName) ?? 0) + 1;
    this.running.set(functionName, running);
    if (running > (this.peaks.get(functionName) ?? 0)) this.peaks.set(functionName, running);
    try {
      return await run();
    } finally {
      this.running.set(functionName, (this.running.get(functionName) ?? 1) - 1);
      const usage = this.usage.get(functionName) ?? { invocations: 0, billedMs: 0 };
      usage.invocations += 1;
      usage.billedMs += Math.ceil(performance.now() - started);
      this.usage.set(functionName, usage);
    }
  }

  /** Counts one request an API route received. */
  apiRequest(route: string): void {
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
  }

  /** The totals so far (a copy: later invocations do not change it). */
  reading(): MeterReading {
    return {
      functions: Object.fromEntries([...this.usage].map(([name, usage]) => [name, { ...usage }])),
      apiRequests: Object.fromEntries(this.requests),
      peakConcurrency: Object.fromEntries(this.peaks),
      memoryMb: FUNCTION_MEMORY_MB,
      architecture: FUNCTION_ARCHITECTURE,
    };
  }

  /** Forgets everything counted so far. */
  reset(): void {
    this.usage.clear();
    this.requests.clear();
    // What runs now still runs: its peak starts from it.
    this.peaks.clear();
    for (const [name, running] of this.running) if (running > 0) this.peaks.set(name, running);
  }
}

/** What happened between two readings of the same meter (functions and routes without use are left out). */
export function usageBetween(before: MeterReading, after: MeterReading): MeterReading {
  const functions: Record<string, FunctionUsage> = {};
  for (const [name, usage] of Object.entries(after.functions)) {
    const earlier = before.functions[name] ?? { invocations: 0, billedMs: 0 };
    const invocations = usage.invocations - earlier.invocations;
    if (invocations > 0) functions[name] = { invocations, billedMs: usage.billedMs - earlier.billedMs };
  }
  const apiRequests: Record<string, number> = {};
  for (const [route, count] of Object.entries(after.apiRequests)) {
    const delta = count - (before.apiRequests[route] ?? 0);
    if (delta > 0) apiRequests[route] = delta;
  }
  return {
    functions,
    apiRequests,
    peakConcurrency: after.peakConcurrency,
    memoryMb: after.memoryMb,
    architecture: after.architecture,
  };
}

/** Total invocations, billed seconds and GB-seconds of a reading. */
export function lambdaTotals(reading: MeterReading): { invocations: number; seconds: number; gbSeconds: number } {
  let invocations = 0;
  let billedMs = 0;
  for (const usage of Object.values(reading.functions)) {
    invocations += usage.invocations;
    billedMs += usage.billedMs;
  }
  const seconds = billedMs / 1000;
  return { invocations, seconds, gbSeconds: seconds * (reading.memoryMb / 1024) };
}
