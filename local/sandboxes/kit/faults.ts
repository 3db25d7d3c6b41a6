/**
 * Fault injection for the provider sandboxes. Retries must be proven safe against both halves of a
 * failure: a fault "before" the handler means nothing was stored; a fault "after" it means the provider
 * committed and only the answer was lost (the classic timeout after commit).
 */

/** error5xx answers a server error, rateLimit429 a throttle, slow delays, drop destroys the socket. */
export type FaultKind = 'error5xx' | 'rateLimit429' | 'slow' | 'drop';

/** Whether the fault strikes before the handler runs (nothing stored) or after it (stored, answer lost). */
export type FaultPhase = 'before' | 'after';

/** Random faults, each with a rate from 0 to 1, drawn from a seeded generator so runs repeat. */
export interface FaultConfig {
  error5xx?: number;
  rateLimit429?: number;
  slowMs?: { rate: number; ms: number };
  drop?: number;
  /** Phase of random error5xx, slow and drop faults; rateLimit429 is always before. Default before. */
  phase?: FaultPhase;
  /** HTTP status of random error5xx faults. Default 503. */
  status5xx?: number;
  seed?: number;
}

/** Limits a queued fault to matching requests, so a test can aim at one call among several. */
export interface FaultMatch {
  method?: string;
  path?: string | RegExp;
}

export interface NextFaultOptions {
  phase?: FaultPhase;
  /** Status of an error5xx fault (default 503). */
  status?: number;
  /** Delay of a slow fault (default 1000 ms). */
  ms?: number;
  match?: FaultMatch;
}

/** One fault chosen for one request. */
export interface PlannedFault {
  kind: FaultKind;
  phase: FaultPhase;
  status?: number;
  ms?: number;
}

interface QueuedFault extends PlannedFault {
  match?: FaultMatch;
}

const DEFAULT_SEED = 0x5eed;

/** Mulberry32: a tiny seedable generator; quality is ample for choosing faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rate = (value: number | undefined) => Math.min(1, Math.max(0, value ?? 0));

const matches = (match: FaultMatch | undefined, method: string, path: string) => {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
};

/** Chooses the fault, if any, for each request: queued faults first, then the random rates. */
export class FaultInjector {
  private config: FaultConfig = {};
  private random = seededRandom(DEFAULT_SEED);
  private queue: QueuedFault[] = [];

  constructor(config?: FaultConfig) {
    if (config) this.set(config);
  }

  /** Replaces the random fault rates; a seed restarts the generator. */
  set(config: FaultConfig): void {
    this.config = { ...config };
    this.random = seededRandom(config.seed ?? DEFAULT_SEED);
  }

  /** Makes the next `count` matching requests fail with `kind`, ahead of any random fault. */
  failNext(count: number, kind: FaultKind, options: NextFaultOptions = {}): void {
    const phase = kind === 'rateLimit429' ? 'before' : (options.phase ?? 'before');
    for (let i = 0; i < count; i++) {
      this.queue.push({
        kind,
        phase,
        status: kind === 'error5xx' ? (options.status ?? 503) : undefined,
        ms: kind === 'slow' ? (options.ms ?? 1000) : undefined,
        match: options.match,
      });
    }
  }

  /** Drops queued faults and random rates. */
  clear(): void {
    this.queue = [];
    this.set({});
  }

  /** Queued faults not yet used. */
  pending(): number {
    return this.queue.length;
  }

  /** The fault for this request, consuming a queued one when it matches. */
  next(method: string, path: string): PlannedFault | undefined {
    const index = this.queue.findIndex((q) => matches(q.match, method, path));
    if (index >= 0) {
      const [queued] = this.queue.splice(index, 1);
      const { match: _match, ...fault } = queued as QueuedFault;
      return fault;
    }
    return this.draw();
  }

  // One draw per request partitioned by the rates, so a seed fixes the whole sequence of faults.
  private draw(): PlannedFault | undefined {
    const c = this.config;
    const drop = rate(c.drop);
    const error5xx = rate(c.error5xx);
    const limited = rate(c.rateLimit429);
    const slow = rate(c.slowMs?.rate);
    if (drop + error5xx + limited + slow === 0) return undefined;
    const phase = c.phase ?? 'before';
    const r = this.random();
    if (r < drop) return { kind: 'drop', phase };
    if (r < drop + error5xx) return { kind: 'error5xx', phase, status: c.status5xx ?? 503 };
    if (r < drop + error5xx + limited) return { kind: 'rateLimit429', phase: 'before' };
    if (r < drop + error5xx + limited + slow) return { kind: 'slow', phase, ms: c.slowMs?.ms ?? 1000 };
    return undefined;
  }
}
