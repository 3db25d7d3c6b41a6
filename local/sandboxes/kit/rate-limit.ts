/** A token bucket: `capacity` requests at once, refilled at `ratePerSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number = ratePerSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token is available (0 when one is). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(): void {
    const at = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((at - this.last) / 1000) * this.ratePerSecond);
    this.last = at;
  }
}

/**
 * At most `limit` requests in any window of `windowMs`, however the window is placed: the rule a
 * provider states as "N requests per second". Unlike a token bucket of the same rate, it never lets
 * a burst after a pause push a second past the limit.
 */
export class SlidingWindow {
  private times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts the request if fewer than `limit` were counted in the last window. */
  tryTake(): boolean {
    const at = this.now();
    while (this.times.length > 0 && this.times[0]! <= at - this.windowMs) this.times.shift();
    if (this.times.length >= this.limit) return false;
    this.times.push(at);
    return true;
  }
}

/** How a KeyedRateLimiter counts: a token bucket (bursts up to the rate), or a sliding one-second window. */
export type RateRule = 'bucket' | 'window';

/** One limiter per key (an API key, a client id). A rate of 0 turns the limit off. */
export class KeyedRateLimiter {
  private buckets = new Map<string, { tryTake(): boolean }>();

  constructor(
    private ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly rule: RateRule = 'bucket',
  ) {}

  /** Takes a token from the key's bucket; false means the caller is over the limit. */
  tryTake(key: string): boolean {
    if (this.ratePerSecond <= 0) return true;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket =
        this.rule === 'window'
          ? new SlidingWindow(Math.max(1, Math.floor(this.ratePerSecond)), 1_000, this.now)
          : new TokenBucket(this.ratePerSecond, this.ratePerSecond, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }

  /** Changes the rate; buckets start full again. */
  setRate(ratePerSecond: number): void {
    this.ratePerSecond = ratePerSecond;
    this.buckets.clear();
  }

  /** Forgets every bucket, so each key starts full. */
  reset(): void {
    this.buckets.clear();
  }
}
